#include "sim_state.h"

#include <algorithm>
#include <cassert>
#include <cerrno>
#include <set>
#include <sstream>

#include "faultfs/sim_fs.h"

namespace faultfs::sim {

State::State() {
  auto root = std::make_shared<DirInode>();
  root->ino = kRootIno;
  dirs.emplace(kRootIno, std::move(root));
}

State State::deep_copy() const {
  State copy = *this;  // Copies the maps of pointers, then re-points them below.
  for (auto& [ino, file] : copy.files) file = std::make_shared<FileInode>(*file);
  for (auto& [ino, dir] : copy.dirs) dir = std::make_shared<DirInode>(*dir);
  return copy;
}

const DirChange* State::find_dir_change(uint64_t id) const {
  auto it = std::lower_bound(pending_dirs.begin(), pending_dirs.end(), id,
                             [](const DirChange& c, uint64_t v) { return c.id < v; });
  return it != pending_dirs.end() && it->id == id ? &*it : nullptr;
}

void State::collect_garbage() {
  // Repeats because dropping the changes of a swept directory may orphan
  // more inodes; each round removes at least one directory, so it ends.
  while (true) {
    std::set<uint64_t> marked;
    std::vector<uint64_t> stack{kRootIno};
    for (const DirChange& change : pending_dirs) {
      for (const EntryEdit& edit : change.edits) {
        if (edit.target != 0) stack.push_back(edit.target);
      }
    }
    while (!stack.empty()) {
      const uint64_t ino = stack.back();
      stack.pop_back();
      if (!marked.insert(ino).second) continue;
      auto dir = dirs.find(ino);
      if (dir == dirs.end()) continue;
      for (const auto& [name, target] : dir->second->live) stack.push_back(target);
      for (const auto& [name, target] : dir->second->durable) stack.push_back(target);
    }
    std::erase_if(files, [&](const auto& kv) { return marked.count(kv.first) == 0; });
    const size_t dirs_before = dirs.size();
    std::erase_if(dirs, [&](const auto& kv) { return marked.count(kv.first) == 0; });
    // A swept directory is unreachable from every namespace a crash could
    // build, so its pending changes can never show; its renames lose their
    // other half, which then persists on its own.
    std::set<uint64_t> dropped;
    std::erase_if(pending_dirs, [&](const DirChange& c) {
      if (is_dir(c.dir)) return false;
      dropped.insert(c.id);
      return true;
    });
    for (DirChange& c : pending_dirs) {
      if (dropped.count(c.partner) != 0) c.partner = 0;
    }
    if (dirs.size() == dirs_before || dropped.empty()) break;
  }
  pending_file_changes = 0;
  for (const auto& [ino, file] : files) pending_file_changes += file->pending.size();
  std::erase_if(flushes, [&](const FlushPoint& f) {
    auto it = files.find(f.ino);
    return it == files.end() || it->second->pending.empty();
  });
  assert(is_dir(kRootIno));
}

void State::check() const {
#ifndef NDEBUG
  constexpr uint64_t kCheckBytesMax = uint64_t{64} << 10;
  assert(is_dir(kRootIno));
  uint64_t last_id = 0;
  size_t file_changes = 0;
  for (const auto& [ino, file] : files) {
    assert(file->ino == ino && !is_dir(ino));
    PageTree expect = file->durable;
    uint64_t prev = 0;
    for (const FileChange& change : file->pending) {
      assert(change.id > prev && change.id < next_change_id);
      prev = change.id;
      apply_file_change(expect, change);
    }
    file_changes += file->pending.size();
    assert(expect.size() == file->live.size());
    // Byte comparison only for small files: check() runs after every crash.
    // One shared root is one immutable tree, equal by construction: a crash
    // image's live tree is its durable one, and comparing its bytes with
    // themselves was a twentieth of a sim campaign.
    if (expect.size() <= kCheckBytesMax && !expect.shares_root_with(file->live)) {
      assert(expect.read_all() == file->live.read_all());
    }
  }
  assert(file_changes == pending_file_changes);
  std::map<uint64_t, std::map<std::string, uint64_t>> expect_dirs;
  for (const auto& [ino, dir] : dirs) expect_dirs[ino] = dir->durable;
  for (const DirChange& change : pending_dirs) {
    assert(change.id > last_id && change.id < next_change_id);
    last_id = change.id;
    assert(expect_dirs.count(change.dir) != 0);
    apply_dir_change(expect_dirs[change.dir], change);
  }
  for (const auto& [ino, dir] : dirs) assert(expect_dirs[ino] == dir->live);
#endif
}

void apply_file_change(PageTree& tree, const FileChange& change) {
  if (change.kind == FileChange::Kind::kWrite) {
    tree.write(change.offset, *change.data);
  } else {
    tree.resize(change.offset);
  }
}

void apply_dir_change(std::map<std::string, uint64_t>& entries, const DirChange& change) {
  for (const EntryEdit& edit : change.edits) {
    if (edit.target == 0) {
      entries.erase(edit.name);
    } else {
      entries[edit.name] = edit.target;
    }
  }
}

Result<std::vector<std::string>> split_path(const std::string& path) {
  if (path.size() > kSimPathBytesMax) {
    return Status(ErrorCode::kInvalidArgument, "path too long: " + path.substr(0, 64) + "...");
  }
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    std::string part = path.substr(start, end - start);
    if (part == "..") {
      return Status(ErrorCode::kInvalidArgument, "'..' not supported in SimFs path: " + path);
    }
    if (part.size() > kSimNameBytesMax) {
      return Status(ErrorCode::kInvalidArgument, "name too long in path: " + path);
    }
    if (!part.empty() && part != ".") parts.push_back(std::move(part));
    start = end + 1;
  }
  return parts;
}

Result<uint64_t> resolve_dir(const State& state, std::span<const std::string> parts,
                             const std::string& path) {
  uint64_t ino = kRootIno;
  for (const std::string& part : parts) {
    const uint64_t next = lookup(state, ino, part);
    if (next == 0 || !state.is_dir(next)) {
      return Status(ErrorCode::kNotFound, "no such directory: " + path, ENOENT);
    }
    ino = next;
  }
  return ino;
}

uint64_t lookup(const State& state, uint64_t dir, const std::string& name) {
  auto it = state.dirs.find(dir);
  assert(it != state.dirs.end());
  auto entry = it->second->live.find(name);
  return entry == it->second->live.end() ? 0 : entry->second;
}

std::map<std::string, uint64_t> reachable_files(const State& state, bool durable) {
  std::map<std::string, uint64_t> out;
  std::set<uint64_t> visited;
  // (dir, path prefix); the visited set bounds the walk when a crash left a
  // directory reachable twice.
  std::vector<std::pair<uint64_t, std::string>> stack{{kRootIno, ""}};
  while (!stack.empty()) {
    auto [ino, prefix] = stack.back();
    stack.pop_back();
    if (!visited.insert(ino).second) continue;
    const DirInode& dir = *state.dirs.at(ino);
    for (const auto& [name, target] : durable ? dir.durable : dir.live) {
      std::string path = prefix.empty() ? name : prefix + "/" + name;
      if (state.is_dir(target)) {
        stack.emplace_back(target, std::move(path));
      } else if (state.is_file(target)) {
        out.emplace(std::move(path), target);
      }
    }
  }
  return out;
}

uint64_t hash_bytes(std::string_view bytes, uint64_t seed) {
  uint64_t h = 0xcbf29ce484222325ull ^ seed;
  for (char c : bytes) {
    h ^= static_cast<uint8_t>(c);
    h *= 0x100000001b3ull;
  }
  return h;
}

namespace {

void describe_entries(std::ostringstream& out, const std::map<std::string, uint64_t>& entries) {
  out << '{';
  for (const auto& [name, target] : entries) out << ' ' << name << '=' << target;
  out << " }";
}

void describe_tree(std::ostringstream& out, const PageTree& tree) {
  out << tree.size() << "#" << std::hex << hash_bytes(tree.read_all()) << std::dec;
}

}  // namespace

std::string describe_state(const State& state) {
  std::ostringstream out;
  out << "next_ino=" << state.next_ino << " next_change=" << state.next_change_id
      << " commit_pos=" << state.commit_pos << "\n";
  for (const auto& [ino, dir] : state.dirs) {
    out << "dir " << ino << " live";
    describe_entries(out, dir->live);
    out << " durable";
    describe_entries(out, dir->durable);
    out << "\n";
  }
  for (const auto& [ino, file] : state.files) {
    out << "file " << ino << " live=";
    describe_tree(out, file->live);
    out << " durable=";
    describe_tree(out, file->durable);
    for (const FileChange& c : file->pending) {
      if (c.kind == FileChange::Kind::kWrite) {
        out << " w" << c.id << "@" << c.offset << "+" << c.data->size() << "#" << std::hex
            << hash_bytes(*c.data) << std::dec;
      } else {
        out << " t" << c.id << "=" << c.offset;
      }
    }
    if (file->writeback_error) out << " wb_error=" << error_code_name(*file->writeback_error);
    out << "\n";
  }
  for (const FlushPoint& f : state.flushes) {
    out << "flush ino=" << f.ino << " before=" << f.writes_before << " pos=" << f.pos << "\n";
  }
  for (const DirChange& c : state.pending_dirs) {
    out << "dirchange " << c.id << " dir=" << c.dir << " partner=" << c.partner;
    for (const EntryEdit& e : c.edits) out << ' ' << e.name << "->" << e.target;
    out << "\n";
  }
  return out.str();
}

}  // namespace faultfs::sim
