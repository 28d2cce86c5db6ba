// Method: a SimFs file handle. Writes and truncates queue changes on the
// inode (sim_core.cc); sync() makes the whole queue durable at once, as
// fdatasync does. A failed sync models a Linux writeback failure: the
// un-synced changes are dropped (reads then see the durable bytes, as after
// the kernel evicted the pages it marked clean) and the error is reported
// once; a later sync succeeds and proves nothing about the dropped data.
#include "sim_file.h"

#include <algorithm>
#include <cassert>
#include <cerrno>

#include "faultfs/status_macros.h"

namespace faultfs::sim {

void drop_pending(Core& core, FileInode& inode) {
  auto it = core.st.files.find(inode.ino);
  if (it != core.st.files.end() && it->second.get() == &inode) {
    assert(core.st.pending_file_changes >= inode.pending.size());
    core.st.pending_file_changes -= inode.pending.size();
  }
  inode.pending.clear();
  inode.live = inode.durable;
  std::erase_if(core.st.flushes, [&](const FlushPoint& f) { return f.ino == inode.ino; });
}

SimFile::SimFile(std::shared_ptr<Core> core, std::shared_ptr<FileInode> inode, std::string path,
                 bool writable)
    : core_(std::move(core)),
      inode_(std::move(inode)),
      path_(std::move(path)),
      writable_(writable) {
  assert(core_ && inode_);
}

Result<size_t> SimFile::read_at(uint64_t offset, std::span<char> buf) {
  std::lock_guard lock(core_->mu);
  if (closed_) return Status(ErrorCode::kInvalidArgument, "read_at on closed file: " + path_);
  return inode_->live.read(offset, buf);
}

Status SimFile::admit_write(std::string_view op, uint64_t end) const {
  if (closed_) {
    return Status(ErrorCode::kInvalidArgument, std::string(op) + " on closed file: " + path_);
  }
  if (!writable_) {
    return Status(ErrorCode::kInvalidArgument,
                  std::string(op) + " on file opened read-only: " + path_, EBADF);
  }
  if (end > kSimFileBytesMax) {
    return Status(ErrorCode::kInvalidArgument,
                  std::string(op) + " past the SimFs file size limit: " + path_, EFBIG);
  }
  return core_->admit(op, path_, 1);
}

Status SimFile::write_locked(std::string_view op, uint64_t offset, std::string_view data) {
  if (offset > kSimFileBytesMax) {
    return Status(ErrorCode::kInvalidArgument, std::string(op) + " offset too large: " + path_);
  }
  RETURN_IF_ERROR(admit_write(op, offset + data.size()));
  // A zero-byte write changes nothing, so it queues nothing and is no crash point.
  if (data.empty()) return Status::ok();
  core_->push_file_change(*inode_, FileChange::write(offset, data));
  core_->stats.bytes_written += data.size();
  core_->finish(OpKind::kMutation, op, path_);
  return Status::ok();
}

Status SimFile::append(std::string_view data) {
  std::lock_guard lock(core_->mu);
  return write_locked("append", inode_->live.size(), data);
}

Status SimFile::write_at(uint64_t offset, std::string_view data) {
  std::lock_guard lock(core_->mu);
  return write_locked("write_at", offset, data);
}

Status SimFile::sync() {
  std::lock_guard lock(core_->mu);
  if (closed_) return Status(ErrorCode::kInvalidArgument, "sync on closed file: " + path_);
  RETURN_IF_ERROR(core_->admit("sync", path_, 0));
  if (inode_->writeback_error) {
    // Reported once: the data is already gone (fail_writeback dropped it).
    const ErrorCode code = *inode_->writeback_error;
    inode_->writeback_error.reset();
    ++core_->stats.failed_syncs;
    return Status(code, "fdatasync " + path_ + ": writeback failed earlier (simulated)",
                  code == ErrorCode::kNoSpace ? ENOSPC : EIO);
  }
  core_->note_sync(*inode_);
  auto it = core_->st.files.find(inode_->ino);
  if (it != core_->st.files.end() && it->second == inode_) {
    core_->st.pending_file_changes -= inode_->pending.size();
  }
  inode_->pending.clear();
  inode_->durable = inode_->live;
  core_->finish(OpKind::kSync, "sync", path_);
  return Status::ok();
}

Status SimFile::truncate(uint64_t size) {
  std::lock_guard lock(core_->mu);
  RETURN_IF_ERROR(admit_write("truncate", size));
  if (size == inode_->live.size()) return Status::ok();  // Changes nothing: no crash point.
  core_->push_file_change(*inode_, FileChange::truncate(size));
  core_->finish(OpKind::kMutation, "truncate", path_);
  return Status::ok();
}

Result<uint64_t> SimFile::size() {
  std::lock_guard lock(core_->mu);
  if (closed_) return Status(ErrorCode::kInvalidArgument, "size on closed file: " + path_);
  return inode_->live.size();
}

Status SimFile::close() {
  std::lock_guard lock(core_->mu);
  if (closed_) return Status(ErrorCode::kInvalidArgument, "close of closed file: " + path_);
  closed_ = true;
  core_->note_close(*inode_);
  return Status::ok();
}

Status SimFile::fail_sync(Status error) {
  assert(!error.is_ok());
  std::lock_guard lock(core_->mu);
  if (closed_) return Status(ErrorCode::kInvalidArgument, "sync on closed file: " + path_);
  drop_pending(*core_, *inode_);
  // This failure is the report; an earlier unreported one is subsumed by it.
  inode_->writeback_error.reset();
  ++core_->stats.failed_syncs;
  return error;
}

SimLock::SimLock(std::shared_ptr<Core> core, std::string key, std::string path)
    : core_(std::move(core)), key_(std::move(key)), path_(std::move(path)) {}

SimLock::~SimLock() {
  std::lock_guard lock(core_->mu);
  const size_t erased = core_->locks.erase(key_);
  assert(erased == 1);
  (void)erased;
}

}  // namespace faultfs::sim
