// Method: a lost file is applied to a finished crash image. A delete drops
// one entry of its parent; a restore replaces the entry with a copy of the
// same path's subtree in an earlier durable image (new inode numbers, since a
// restored file is a new file), or drops it if that image had no such path.
// Then everything the root no longer reaches goes, as in any crash image.
#include "lost_file.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <string>

namespace faultfs::sim {
namespace {

Status invalid(const std::string& why) {
  return Status(ErrorCode::kInvalidArgument, "lost file does not fit this state: " + why);
}

std::vector<std::string> split_names(const std::string& path) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= path.size()) {
    const size_t end = std::min(path.find('/', start), path.size());
    out.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

// The inode `names` leads to from the root through durable entries, or 0.
uint64_t resolve(const State& image, const std::vector<std::string>& names, size_t count) {
  uint64_t ino = kRootIno;
  for (size_t i = 0; i < count; ++i) {
    auto dir = image.dirs.find(ino);
    if (dir == image.dirs.end()) return 0;
    auto entry = dir->second->durable.find(names[i]);
    if (entry == dir->second->durable.end()) return 0;
    ino = entry->second;
  }
  return ino;
}

// Copies the subtree at `ino` of `from` into `to` as new inodes.
uint64_t copy_subtree(const State& from, uint64_t ino, State& to) {
  const uint64_t copy = to.next_ino++;
  if (from.is_file(ino)) {
    auto file = std::make_shared<FileInode>();
    file->ino = copy;
    file->durable = from.files.at(ino)->durable;
    file->live = file->durable;
    to.files.emplace(copy, std::move(file));
    return copy;
  }
  auto dir = std::make_shared<DirInode>();
  dir->ino = copy;
  for (const auto& [name, child] : from.dirs.at(ino)->durable) {
    dir->durable[name] = copy_subtree(from, child, to);
  }
  dir->live = dir->durable;
  to.dirs.emplace(copy, std::move(dir));
  return copy;
}

void drop_unreachable(State& image) {
  std::set<uint64_t> reached;
  std::vector<uint64_t> stack{kRootIno};
  while (!stack.empty()) {
    const uint64_t ino = stack.back();
    stack.pop_back();
    if (!reached.insert(ino).second) continue;
    auto dir = image.dirs.find(ino);
    if (dir == image.dirs.end()) continue;
    for (const auto& [name, child] : dir->second->durable) stack.push_back(child);
  }
  std::erase_if(image.files, [&](const auto& f) { return reached.count(f.first) == 0; });
  std::erase_if(image.dirs, [&](const auto& d) { return reached.count(d.first) == 0; });
}

// Path -> inode of everything strictly under the scope whose path a LostFile
// may name.
std::map<std::string, uint64_t> paths_under(const State& image,
                                            const std::vector<std::string>& scope) {
  std::map<std::string, uint64_t> out;
  const uint64_t top = resolve(image, scope, scope.size());
  if (top == 0 || !image.is_dir(top)) return out;
  std::string prefix;
  for (const std::string& name : scope) prefix += name + "/";
  std::vector<std::pair<std::string, uint64_t>> stack{{prefix, top}};
  while (!stack.empty()) {
    const auto [base, dir] = stack.back();
    stack.pop_back();
    for (const auto& [name, child] : image.dirs.at(dir)->durable) {
      const std::string path = base + name;
      if (!is_lost_file_path(path) || !out.emplace(path, child).second) continue;
      if (image.is_dir(child)) stack.emplace_back(path + "/", child);
    }
  }
  return out;
}

// Whether two subtrees hold the same names and bytes (trees compared by
// identity: a false "differs" only costs an image equal to another).
bool same_subtree(const State& a, uint64_t ia, const State& b, uint64_t ib) {
  if (a.is_file(ia) != b.is_file(ib)) return false;
  if (a.is_file(ia)) {
    const PageTree& ta = a.files.at(ia)->durable;
    const PageTree& tb = b.files.at(ib)->durable;
    return ta.shares_root_with(tb) || (ta.size() == 0 && tb.size() == 0);
  }
  const DirEntries& ea = a.dirs.at(ia)->durable;
  const DirEntries& eb = b.dirs.at(ib)->durable;
  if (ea.size() != eb.size()) return false;
  for (auto x = ea.begin(), y = eb.begin(); x != ea.end(); ++x, ++y) {
    if (x->first != y->first || !same_subtree(a, x->second, b, y->second)) return false;
  }
  return true;
}

const State* earlier_at(const State& src, uint64_t point) {
  for (const EarlierImage& e : src.earlier) {
    if (e.point == point) return e.image.get();
  }
  return nullptr;
}

}  // namespace

Status apply_lost_file(const State& src, const LostFile& lost, State& image) {
  if (!is_lost_file_path(lost.path)) return invalid("bad path " + lost.path);
  const std::vector<std::string> names = split_names(lost.path);
  const std::vector<std::string>& scope = src.lost_file_scope;
  if (names.size() <= scope.size() || !std::equal(scope.begin(), scope.end(), names.begin())) {
    return invalid(lost.path + " is not under the lost-file scope");
  }
  const uint64_t parent = resolve(image, names, names.size() - 1);
  if (parent == 0 || !image.is_dir(parent)) return invalid("no parent directory of " + lost.path);
  DirInode& dir = *image.dirs.at(parent);
  const std::string& name = names.back();
  const bool present = dir.durable.count(name) != 0;
  std::optional<uint64_t> restored;
  if (lost.kind == LostFile::Kind::kRestore) {
    const State* earlier = earlier_at(src, lost.point);
    if (earlier == nullptr)
      return invalid("no earlier image at point " + std::to_string(lost.point));
    const uint64_t old = resolve(*earlier, names, names.size());
    if (old != 0) restored = copy_subtree(*earlier, old, image);
  }
  if (!restored && !present) return invalid(lost.path + " is in neither image");
  if (restored) {
    dir.durable[name] = *restored;
  } else {
    dir.durable.erase(name);
  }
  dir.live = dir.durable;
  drop_unreachable(image);
  return Status::ok();
}

std::vector<LostFile> lost_file_candidates(const State& src, const State& image) {
  std::vector<LostFile> out;
  const std::map<std::string, uint64_t> now = paths_under(image, src.lost_file_scope);
  for (const auto& [path, ino] : now) out.push_back(LostFile{LostFile::Kind::kDelete, path, 0});
  for (const EarlierImage& e : src.earlier) {
    for (const auto& [path, old] : paths_under(*e.image, src.lost_file_scope)) {
      auto it = now.find(path);
      if (it != now.end() && same_subtree(*e.image, old, image, it->second)) continue;
      if (it == now.end()) {
        // Restorable only into a directory the image has.
        const std::vector<std::string> names = split_names(path);
        const uint64_t parent = resolve(image, names, names.size() - 1);
        if (parent == 0 || !image.is_dir(parent)) continue;
      }
      out.push_back(LostFile{LostFile::Kind::kRestore, path, e.point});
    }
    // Paths the image has and the earlier image lacks: a restore deletes
    // them, which the delete candidates already cover.
  }
  return out;
}

}  // namespace faultfs::sim
