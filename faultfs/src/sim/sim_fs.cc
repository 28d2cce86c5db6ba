// Method: the namespace half of the live model. A directory entry change
// (create, rename, remove, mkdir) is applied to the live entries and queued
// as one atomic change of the directory that holds it; sync_dir() of that
// directory makes its queued changes durable. A rename inside one directory
// is one change (a crash keeps the old names or the new, never a mix); a
// rename across directories is two changes, a link in the target directory
// and an unlink in the source, each made durable by its own sync_dir, so a
// kPosix crash may keep either half alone (both names, or neither). rmdir is
// one entry change of the parent, as remove() is.
#include "faultfs/sim_fs.h"

#include <algorithm>
#include <cassert>
#include <cerrno>

#include "faultfs/status_macros.h"
#include "sim_core.h"
#include "sim_file.h"

namespace faultfs {

using sim::Core;
using sim::DirChange;
using sim::EntryEdit;
using sim::FileChange;
using sim::FileInode;

namespace {

std::string join_parts(const std::vector<std::string>& parts) {
  std::string out;
  for (const std::string& part : parts) {
    if (!out.empty()) out += '/';
    out += part;
  }
  return out;
}

Status not_found(const std::string& path) {
  return Status(ErrorCode::kNotFound, "no such file or directory: " + path, ENOENT);
}

// Whether `dir` is `ancestor` or lies below it in the live namespace.
bool is_within(const sim::State& st, uint64_t ancestor, uint64_t dir) {
  std::vector<uint64_t> stack{ancestor};
  size_t visited = 0;
  while (!stack.empty() && visited <= st.dirs.size()) {
    const uint64_t ino = stack.back();
    stack.pop_back();
    ++visited;
    if (ino == dir) return true;
    for (const auto& [name, target] : st.dirs.at(ino)->live) {
      if (st.is_dir(target)) stack.push_back(target);
    }
  }
  return false;
}

}  // namespace

SimFs::SimFs() : core_(std::make_shared<Core>()) {}
SimFs::SimFs(std::shared_ptr<sim::Core> core) : core_(std::move(core)) { assert(core_); }
SimFs::~SimFs() = default;

Result<std::unique_ptr<File>> SimFs::open(const std::string& path, OpenMode mode) {
  ASSIGN_OR_RETURN(auto parts, sim::split_path(path));
  if (parts.empty()) return Status(ErrorCode::kInvalidArgument, "open of a directory: " + path);
  std::lock_guard lock(core_->mu);
  sim::State& st = core_->st;
  ASSIGN_OR_RETURN(auto dir, sim::resolve_dir(st, std::span(parts).first(parts.size() - 1), path));
  const std::string& name = parts.back();
  uint64_t ino = sim::lookup(st, dir, name);
  if (ino != 0 && st.is_dir(ino)) {
    return Status(ErrorCode::kInvalidArgument, "open of a directory: " + path, EISDIR);
  }
  const bool creating = mode == OpenMode::kCreate || mode == OpenMode::kCreateTruncate;
  if (!creating) {
    if (ino == 0) return not_found(path);
    return std::unique_ptr<File>(std::make_unique<sim::SimFile>(core_, st.files.at(ino), path,
                                                                mode == OpenMode::kReadWrite));
  }
  RETURN_IF_ERROR(core_->admit("open", path, 1));
  bool changed = false;
  if (ino == 0) {
    ino = st.next_ino++;
    auto inode = std::make_shared<FileInode>();
    inode->ino = ino;
    st.files.emplace(ino, std::move(inode));
    st.files.at(ino)->meta_id =
        core_->push_dir_change(DirChange{.dir = dir, .edits = {EntryEdit{name, ino}}});
    changed = true;
  } else if (mode == OpenMode::kCreateTruncate && st.files.at(ino)->live.size() != 0) {
    core_->push_file_change(*st.files.at(ino), FileChange::truncate(0));
    changed = true;
  }
  auto file = std::make_unique<sim::SimFile>(core_, st.files.at(ino), path, /*writable=*/true);
  if (changed) core_->finish(OpKind::kMutation, "open", path);
  return std::unique_ptr<File>(std::move(file));
}

Status SimFs::rename(const std::string& from, const std::string& to) {
  ASSIGN_OR_RETURN(auto from_parts, sim::split_path(from));
  ASSIGN_OR_RETURN(auto to_parts, sim::split_path(to));
  if (from_parts.empty() || to_parts.empty()) {
    return Status(ErrorCode::kInvalidArgument, "rename of the root: " + from + " -> " + to);
  }
  std::lock_guard lock(core_->mu);
  sim::State& st = core_->st;
  ASSIGN_OR_RETURN(auto from_dir,
                   sim::resolve_dir(st, std::span(from_parts).first(from_parts.size() - 1), from));
  ASSIGN_OR_RETURN(auto to_dir,
                   sim::resolve_dir(st, std::span(to_parts).first(to_parts.size() - 1), to));
  const std::string& from_name = from_parts.back();
  const std::string& to_name = to_parts.back();
  const uint64_t src = sim::lookup(st, from_dir, from_name);
  if (src == 0) return not_found(from);
  const uint64_t dst = sim::lookup(st, to_dir, to_name);
  // POSIX: renaming a name onto a link of the same inode does nothing.
  if (dst == src) return Status::ok();
  if (st.is_dir(src)) {
    if (dst != 0) {
      return Status(ErrorCode::kInvalidArgument,
                    "rename of a directory over an existing entry: " + from + " -> " + to);
    }
    if (is_within(st, src, to_dir)) {
      return Status(ErrorCode::kInvalidArgument, "rename of a directory into itself: " + to);
    }
  } else if (dst != 0 && st.is_dir(dst)) {
    return Status(ErrorCode::kInvalidArgument, "rename of a file over a directory: " + to, EISDIR);
  }
  RETURN_IF_ERROR(core_->admit("rename", from, 2));
  // auto_da_alloc (kExt4Ordered): a file renamed over another has its
  // appends so far allocated before the rename is journaled.
  if (dst != 0 && st.is_file(src) && !st.files.at(src)->pending.empty()) {
    const uint64_t rename_id = st.next_change_id;
    st.flushes.push_back(sim::FlushPoint{
        .ino = src, .writes_before = rename_id, .pos = sim::journal_pos(rename_id)});
  }
  if (from_dir == to_dir) {
    core_->push_dir_change(
        DirChange{.dir = to_dir, .edits = {EntryEdit{from_name, 0}, EntryEdit{to_name, src}}});
  } else {
    // Link first: the ids tell the two halves apart and record their order.
    const uint64_t link_id = st.next_change_id;
    const uint64_t unlink_id = link_id + 1;
    core_->push_dir_change(
        DirChange{.dir = to_dir, .edits = {EntryEdit{to_name, src}}, .partner = unlink_id});
    const uint64_t got = core_->push_dir_change(
        DirChange{.dir = from_dir, .edits = {EntryEdit{from_name, 0}}, .partner = link_id});
    assert(got == unlink_id);
    (void)got;
  }
  core_->finish(OpKind::kMutation, "rename", from);
  return Status::ok();
}

Status SimFs::remove(const std::string& path) {
  ASSIGN_OR_RETURN(auto parts, sim::split_path(path));
  if (parts.empty()) return Status(ErrorCode::kInvalidArgument, "remove of the root");
  std::lock_guard lock(core_->mu);
  sim::State& st = core_->st;
  ASSIGN_OR_RETURN(auto dir, sim::resolve_dir(st, std::span(parts).first(parts.size() - 1), path));
  const uint64_t ino = sim::lookup(st, dir, parts.back());
  if (ino == 0) return not_found(path);
  if (st.is_dir(ino)) {
    // remove() is unlink(2) on the real file system, which refuses directories.
    return Status(ErrorCode::kInvalidArgument, "remove of a directory: " + path, EISDIR);
  }
  RETURN_IF_ERROR(core_->admit("remove", path, 1));
  core_->push_dir_change(DirChange{.dir = dir, .edits = {EntryEdit{parts.back(), 0}}});
  core_->finish(OpKind::kMutation, "remove", path);
  return Status::ok();
}

Status SimFs::mkdir(const std::string& path) {
  ASSIGN_OR_RETURN(auto parts, sim::split_path(path));
  if (parts.empty()) return Status(ErrorCode::kAlreadyExists, "mkdir of the root", EEXIST);
  std::lock_guard lock(core_->mu);
  sim::State& st = core_->st;
  ASSIGN_OR_RETURN(auto dir, sim::resolve_dir(st, std::span(parts).first(parts.size() - 1), path));
  if (sim::lookup(st, dir, parts.back()) != 0) {
    return Status(ErrorCode::kAlreadyExists, "mkdir: exists: " + path, EEXIST);
  }
  RETURN_IF_ERROR(core_->admit("mkdir", path, 1));
  const uint64_t ino = st.next_ino++;
  auto inode = std::make_shared<sim::DirInode>();
  inode->ino = ino;
  st.dirs.emplace(ino, std::move(inode));
  st.dirs.at(ino)->last_change_id =
      core_->push_dir_change(DirChange{.dir = dir, .edits = {EntryEdit{parts.back(), ino}}});
  core_->finish(OpKind::kMutation, "mkdir", path);
  return Status::ok();
}

Status SimFs::rmdir(const std::string& path) {
  ASSIGN_OR_RETURN(auto parts, sim::split_path(path));
  if (parts.empty()) return Status(ErrorCode::kInvalidArgument, "rmdir of the root", EBUSY);
  std::lock_guard lock(core_->mu);
  sim::State& st = core_->st;
  ASSIGN_OR_RETURN(auto dir, sim::resolve_dir(st, std::span(parts).first(parts.size() - 1), path));
  const uint64_t ino = sim::lookup(st, dir, parts.back());
  if (ino == 0) return not_found(path);
  if (!st.is_dir(ino)) {
    return Status(ErrorCode::kInvalidArgument, "rmdir of a file: " + path, ENOTDIR);
  }
  if (!st.dirs.at(ino)->live.empty()) {
    return Status(ErrorCode::kInvalidArgument, "rmdir of a non-empty directory: " + path,
                  ENOTEMPTY);
  }
  RETURN_IF_ERROR(core_->admit("rmdir", path, 1));
  // One entry change of the parent, like remove(): a crash before the
  // parent's sync_dir (kPosix) may bring the directory back, with whatever
  // its own durable entries held.
  core_->push_dir_change(DirChange{.dir = dir, .edits = {EntryEdit{parts.back(), 0}}});
  core_->finish(OpKind::kMutation, "rmdir", path);
  return Status::ok();
}

Result<std::vector<std::string>> SimFs::list(const std::string& path) {
  ASSIGN_OR_RETURN(auto parts, sim::split_path(path));
  std::lock_guard lock(core_->mu);
  const sim::State& st = core_->st;
  uint64_t ino = sim::kRootIno;
  if (!parts.empty()) {
    ASSIGN_OR_RETURN(auto dir,
                     sim::resolve_dir(st, std::span(parts).first(parts.size() - 1), path));
    ino = sim::lookup(st, dir, parts.back());
    if (ino == 0) return not_found(path);
    if (!st.is_dir(ino)) {
      return Status(ErrorCode::kInvalidArgument, "list of a file: " + path, ENOTDIR);
    }
  }
  std::vector<std::string> names;
  for (const auto& [name, target] : st.dirs.at(ino)->live) names.push_back(name);
  return names;  // std::map keeps them sorted.
}

Status SimFs::sync_dir(const std::string& path) {
  ASSIGN_OR_RETURN(auto parts, sim::split_path(path));
  std::lock_guard lock(core_->mu);
  sim::State& st = core_->st;
  ASSIGN_OR_RETURN(auto ino, sim::resolve_dir(st, parts, path));
  RETURN_IF_ERROR(core_->admit("sync_dir", path, 0));
  sim::DirInode& dir = *st.dirs.at(ino);
  // kExt4Ordered: a directory's fsync commits the journal up to its last
  // entry change (jbd2 commits transactions whole and in order).
  st.commit_pos = std::max(st.commit_pos, sim::journal_pos(dir.last_change_id) + 1);
  std::erase_if(st.pending_dirs, [&](const DirChange& change) {
    if (change.dir != ino) return false;
    sim::apply_dir_change(dir.durable, change);
    return true;
  });
  st.collect_garbage();
  core_->finish(OpKind::kSyncDir, "sync_dir", path);
  return Status::ok();
}

Result<std::unique_ptr<FileLock>> SimFs::lock(const std::string& path) {
  ASSIGN_OR_RETURN(auto parts, sim::split_path(path));
  const std::string key = join_parts(parts);
  std::lock_guard lock(core_->mu);
  if (core_->locks.count(key) != 0) {
    return Status(ErrorCode::kBusy, "lock held: " + path, EWOULDBLOCK);
  }
  ASSIGN_OR_RETURN(
      auto dir, parts.empty()
                    ? Result<uint64_t>(sim::kRootIno)
                    : sim::resolve_dir(core_->st, std::span(parts).first(parts.size() - 1), path));
  if (parts.empty() || sim::lookup(core_->st, dir, parts.back()) == 0) {
    ASSIGN_OR_RETURN(auto created, open(path, OpenMode::kCreate));
    RETURN_IF_ERROR(created->close());
  } else if (core_->st.is_dir(sim::lookup(core_->st, dir, parts.back()))) {
    return Status(ErrorCode::kInvalidArgument, "lock of a directory: " + path, EISDIR);
  }
  core_->locks.insert(key);
  return std::unique_ptr<FileLock>(std::make_unique<sim::SimLock>(core_, key, path));
}

Result<uint64_t> SimFs::file_size(const std::string& path) {
  ASSIGN_OR_RETURN(auto parts, sim::split_path(path));
  if (parts.empty()) return Status(ErrorCode::kInvalidArgument, "file_size of a directory");
  std::lock_guard lock(core_->mu);
  const sim::State& st = core_->st;
  ASSIGN_OR_RETURN(auto dir, sim::resolve_dir(st, std::span(parts).first(parts.size() - 1), path));
  const uint64_t ino = sim::lookup(st, dir, parts.back());
  if (ino == 0) return not_found(path);
  if (!st.is_file(ino)) {
    return Status(ErrorCode::kInvalidArgument, "file_size of a directory: " + path, EISDIR);
  }
  return st.files.at(ino)->live.size();
}

Result<bool> SimFs::exists(const std::string& path) {
  ASSIGN_OR_RETURN(auto parts, sim::split_path(path));
  if (parts.empty()) return true;
  std::lock_guard lock(core_->mu);
  auto dir = sim::resolve_dir(core_->st, std::span(parts).first(parts.size() - 1), path);
  if (!dir.is_ok()) return false;
  return sim::lookup(core_->st, *dir, parts.back()) != 0;
}

}  // namespace faultfs
