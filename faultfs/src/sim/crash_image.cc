// Method: a crash image is the durable state plus the chosen pending changes
// applied in the chosen order, then cut down to what the root reaches (a
// file whose entry did not persist is gone; an un-synced mkdir takes its
// subtree with it). A torn write persists sector by sector: each sector it
// covers gets the new bytes, keeps the old, or shows zeros or garbage, only
// within the write's own range, so bytes durable outside it survive; the
// size grows to the write's end, or (size_follows_data) only as far as the
// last sector that was written. A corruption, beyond the crash contract,
// flips one bit or zeroes one sector of a file in the finished image; a lost
// file (lost_file.cc), also beyond it, deletes or restores one path there.
// The image shares every untouched page with the pre-crash state.
#include "crash_image.h"

#include <algorithm>
#include <cassert>
#include <set>
#include <string>

#include "faultfs/status_macros.h"
#include "lost_file.h"

namespace faultfs::sim {
namespace {

Status invalid(const std::string& why) {
  return Status(ErrorCode::kInvalidArgument, "crash choice does not fit this state: " + why);
}

// Two independent 64-bit streams; equal images give equal pairs, and
// different ones collide with negligible probability.
class Digest {
 public:
  void add(std::string_view bytes) {
    for (char c : bytes) {
      const auto b = static_cast<uint8_t>(c);
      a_ = (a_ ^ b) * 0x100000001b3ull;
      b_ = (b_ + b + 1) * 0x9e3779b97f4a7c15ull;
      b_ ^= b_ >> 29;
    }
  }
  void add(uint64_t v) { add(std::string_view(reinterpret_cast<const char*>(&v), sizeof v)); }
  std::pair<uint64_t, uint64_t> value() const { return {a_, b_}; }

 private:
  uint64_t a_ = 0xcbf29ce484222325ull;
  uint64_t b_ = 0x243f6a8885a308d3ull;
};

}  // namespace

void apply_torn_write(PageTree& tree, const FileChange& write, const TornWrite& torn,
                      uint32_t sector_bytes) {
  assert(write.kind == FileChange::Kind::kWrite && write.length() > 0);
  const uint64_t begin = write.offset;
  const uint64_t end = begin + write.length();
  const uint64_t first = begin / sector_bytes;
  assert(torn.fates.size() == (end - 1) / sector_bytes - first + 1);
  const uint64_t old_size = tree.size();
  for (size_t k = 0; k < torn.fates.size(); ++k) {
    const uint64_t lo = std::max(begin, (first + k) * sector_bytes);
    const uint64_t hi = std::min(end, (first + k + 1) * sector_bytes);
    assert(lo < hi);
    switch (static_cast<SectorFate>(torn.fates[k])) {
      case SectorFate::kNew:
        tree.write(lo, std::string_view(*write.data).substr(lo - begin, hi - lo));
        break;
      case SectorFate::kOld:
        break;
      case SectorFate::kZero:
        tree.write(lo, std::string(hi - lo, '\0'));
        break;
      case SectorFate::kGarbage: {
        std::string junk(hi - lo, '\0');
        for (uint64_t i = 0; i < junk.size(); ++i) {
          junk[i] = torn_garbage_byte(torn.garbage_seed, lo + i);
        }
        tree.write(lo, junk);
        break;
      }
    }
  }
  if (end > old_size && !torn.size_follows_data && tree.size() < end) tree.resize(end);
}

Result<State> build_crash_image(const CrashSpace& space, const CrashChoice& choice) {
  RETURN_IF_ERROR(space.validate(choice));
  const State& src = space.state();
  std::map<uint64_t, DirEntries> entries;
  for (const auto& [ino, dir] : src.dirs) entries.emplace(ino, dir->durable);
  std::map<uint64_t, PageTree> contents;
  for (uint64_t id : choice.applied) {
    if (const FileChange* file_change = space.file_change(id)) {
      const uint64_t ino = space.queues()[*space.queue_of(id)].owner;
      auto [it, added] = contents.try_emplace(ino, src.files.at(ino)->durable);
      if (choice.torn && choice.torn->change_id == id) {
        apply_torn_write(it->second, *file_change, *choice.torn, choice.options.sector_bytes);
      } else {
        apply_file_change(it->second, *file_change);
      }
    } else {
      const DirChange* dir_change = src.find_dir_change(id);
      assert(dir_change != nullptr);
      apply_dir_change(entries.at(dir_change->dir), *dir_change);
    }
  }
  State image = reachable_image(src, entries, contents);
  image.lost_file_scope = src.lost_file_scope;
  if (choice.corruption) {
    const Corruption& c = *choice.corruption;
    auto it = image.files.find(c.ino);
    if (it == image.files.end()) return invalid("the corrupted file is not in the image");
    PageTree& tree = it->second->durable;
    if (c.offset >= tree.size()) return invalid("the corruption lies past the file's end");
    if (c.kind == CorruptionKind::kBitFlip) {
      if (c.bit > 7) return invalid("bit index over 7");
      std::string byte = tree.read_range(c.offset, 1);
      byte[0] = static_cast<char>(byte[0] ^ (1 << c.bit));
      tree.write(c.offset, byte);
    } else {
      const uint64_t sb = choice.options.sector_bytes;
      if (c.offset % sb != 0) return invalid("a lost sector must start on a sector boundary");
      tree.write(c.offset, std::string(std::min<uint64_t>(sb, tree.size() - c.offset), '\0'));
    }
  }
  if (choice.lost) {
    RETURN_IF_ERROR(apply_lost_file(src, *choice.lost, image));
  }
  for (auto& [ino, file] : image.files) file->live = file->durable;
  return image;
}

State reachable_image(const State& src, const std::map<uint64_t, DirEntries>& entries,
                      const std::map<uint64_t, PageTree>& contents) {
  State image;
  image.next_ino = src.next_ino;
  image.next_change_id = src.next_change_id;
  image.dirs.clear();
  // Walk from the root; the visited set bounds odd shapes a crash may leave
  // (a directory reachable under two names).
  std::vector<uint64_t> stack{kRootIno};
  while (!stack.empty()) {
    const uint64_t ino = stack.back();
    stack.pop_back();
    if (image.dirs.count(ino) != 0) continue;
    auto dir = std::make_shared<DirInode>();
    dir->ino = ino;
    dir->durable = entries.at(ino);
    dir->live = dir->durable;
    for (const auto& [name, target] : dir->durable) {
      if (src.is_dir(target)) {
        stack.push_back(target);
      } else if (image.files.count(target) == 0) {
        assert(src.is_file(target));
        auto file = std::make_shared<FileInode>();
        file->ino = target;
        auto content = contents.find(target);
        file->durable = content != contents.end() ? content->second : src.files.at(target)->durable;
        file->live = file->durable;
        image.files.emplace(target, std::move(file));
      }
    }
    image.dirs.emplace(ino, std::move(dir));
  }
  return image;
}

std::pair<uint64_t, uint64_t> whole_image_digest(const State& image) {
  Digest d;
  for (const auto& [ino, dir] : image.dirs) {
    d.add(ino);
    for (const auto& [name, target] : dir->durable) {
      d.add(uint64_t{name.size()});
      d.add(name);
      d.add(target);
    }
  }
  for (const auto& [ino, file] : image.files) {
    d.add(ino);
    d.add(file->durable.size());
    d.add(file->durable.read_all());
  }
  return d.value();
}

ImageFingerprinter::ImageFingerprinter(const CrashSpace& space)
    : whole_image_(space.options().policy == CrashPolicy::kLostFile) {
  const State& src = space.state();
  std::set<uint64_t> dirs;
  for (const DirChange& c : src.pending_dirs) dirs.insert(c.dir);
  dirs_.assign(dirs.begin(), dirs.end());
  const bool whole = space.options().policy == CrashPolicy::kCorrupt;
  for (const auto& [ino, file] : src.files) {
    if (file->pending.empty() && !whole) continue;
    uint64_t lo = whole ? 0 : file->durable.size();
    uint64_t hi = file->durable.size();
    for (const FileChange& c : file->pending) {
      lo = std::min(lo, c.offset);
      hi = std::max(hi, c.offset + c.length());
    }
    file_ranges_.emplace(ino, std::make_pair(lo, hi));
  }
}

std::pair<uint64_t, uint64_t> ImageFingerprinter::digest(const State& image) const {
  Digest d;
  // A lost file may touch any path, under new inode numbers: every entry
  // and every byte.
  if (whole_image_) return whole_image_digest(image);
  for (uint64_t ino : dirs_) {
    auto it = image.dirs.find(ino);
    d.add(ino);
    if (it == image.dirs.end()) {
      d.add("-");
      continue;
    }
    for (const auto& [name, target] : it->second->durable) {
      d.add(uint64_t{name.size()});
      d.add(name);
      d.add(target);
    }
    d.add("/");
  }
  for (const auto& [ino, range] : file_ranges_) {
    auto it = image.files.find(ino);
    d.add(ino);
    if (it == image.files.end()) {
      d.add("-");
      continue;
    }
    const PageTree& tree = it->second->durable;
    d.add(tree.size());
    if (range.first < tree.size()) {
      d.add(tree.read_range(range.first, std::min(range.second, tree.size()) - range.first));
    }
  }
  return d.value();
}

}  // namespace faultfs::sim
