// Method: the live half of the crash model. Every change to a file's bytes
// or size and every change to a directory's entries is applied to the live
// image (what reads see, as a page cache) and queued, with an id in issue
// order, until sync()/sync_dir() makes it durable. Nothing here decides what
// a crash keeps; crash_*.cc chooses among the queued changes.
#include "sim_core.h"

#include <algorithm>
#include <cassert>
#include <cerrno>

#include "earlier_images.h"

namespace faultfs::sim {

Status Core::admit(std::string_view op, const std::string& path, size_t new_changes) const {
  if (halted) {
    return Status(ErrorCode::kIoError,
                  "halted (simulated power loss): " + std::string(op) + " " + path, EIO);
  }
  if (st.pending_changes() + new_changes > kSimPendingChangesMax) {
    return Status(ErrorCode::kNoSpace,
                  "SimFs pending-change queue full: " + std::string(op) + " " + path, ENOSPC);
  }
  return Status::ok();
}

void Core::finish(OpKind kind, std::string_view op, const std::string& path) {
  switch (kind) {
    case OpKind::kMutation:
      ++stats.mutations;
      break;
    case OpKind::kSync:
      ++stats.syncs;
      break;
    case OpKind::kSyncDir:
      ++stats.dir_syncs;
      break;
  }
  const uint64_t points = stats.syncs + stats.dir_syncs;
  if (halt_rule == HaltRule::kMutations && stats.mutations >= halt_count) halted = true;
  if (halt_rule == HaltRule::kPersistencePoints && points >= halt_count) halted = true;
  // Before the hook: a crash point's clone carries the image of its own point.
  if (kind != OpKind::kMutation && earlier_images_max > 0) {
    remember_durable_image(st, points, earlier_images_max);
  }
  if (hook) {
    hook(OpEvent{.kind = kind,
                 .op = op,
                 .path = path,
                 .mutations = stats.mutations,
                 .persistence_points = points});
  }
}

void Core::push_file_change(FileInode& inode, FileChange change) {
  assert(change.id == 0);
  change.id = st.next_change_id++;
  // kExt4Ordered: a truncate and an append change what the inode's journal
  // entry holds (i_size); a truncate to zero arms auto_da_alloc at close.
  const bool appends = change.kind == FileChange::Kind::kWrite &&
                       change.offset + change.length() > inode.live.size();
  if (change.kind == FileChange::Kind::kTruncate || appends) inode.meta_id = change.id;
  if (change.kind == FileChange::Kind::kTruncate && change.offset == 0 && inode.live.size() > 0) {
    inode.da_alloc_close = true;
  }
  apply_file_change(inode.live, change);
  auto it = st.files.find(inode.ino);
  if (it == st.files.end() || it->second.get() != &inode) {
    // Unreachable for good: no crash image can show it.
    apply_file_change(inode.durable, change);
    return;
  }
  assert(inode.pending.empty() || inode.pending.back().id < change.id);
  inode.pending.push_back(std::move(change));
  ++st.pending_file_changes;
}

uint64_t Core::push_dir_change(DirChange change) {
  assert(change.id == 0 && st.is_dir(change.dir) && !change.edits.empty());
  change.id = st.next_change_id++;
  DirInode& dir = *st.dirs.at(change.dir);
  dir.last_change_id = change.id;
  apply_dir_change(dir.live, change);
  st.pending_dirs.push_back(std::move(change));
  return st.pending_dirs.back().id;
}

}  // namespace faultfs::sim

namespace faultfs::sim {

void Core::note_close(FileInode& inode) {
  if (!inode.da_alloc_close) return;
  inode.da_alloc_close = false;
  auto it = st.files.find(inode.ino);
  if (it == st.files.end() || it->second.get() != &inode || inode.pending.empty()) return;
  const uint64_t next = st.next_change_id;
  st.flushes.push_back(
      FlushPoint{.ino = inode.ino, .writes_before = next, .pos = journal_pos(next) - 1});
}

void Core::note_sync(FileInode& inode) {
  // Whether the sync allocates delayed appends now: then the inode's last
  // journaled change is in the running transaction, which holds everything
  // issued so far. A truncate was journaled when issued (meta_id).
  bool journals_now = false;
  uint64_t size = inode.durable.size();
  for (const FileChange& c : inode.pending) {
    if (c.kind == FileChange::Kind::kWrite && c.offset + c.length() > size) journals_now = true;
    size = c.kind == FileChange::Kind::kTruncate ? c.offset : std::max(size, c.offset + c.length());
  }
  const uint64_t upto =
      journals_now ? journal_pos(st.next_change_id) : journal_pos(inode.meta_id) + 1;
  st.commit_pos = std::max(st.commit_pos, upto);
  std::erase_if(st.flushes, [&](const FlushPoint& f) { return f.ino == inode.ino; });
}

}  // namespace faultfs::sim
