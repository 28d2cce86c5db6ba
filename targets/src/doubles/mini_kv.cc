#include "doubles/mini_kv.h"

#include <cassert>
#include <string>

#include "faultfs/status_macros.h"

namespace targets::doubles {

using faultfs::ErrorCode;
using faultfs::OpenMode;
using faultfs::Result;
using faultfs::Status;

MiniKvTarget::~MiniKvTarget() {
  // A destroyed handle closes as a process exit would: errors go nowhere.
  close().ignore_error();
}

Status MiniKvTarget::fail(Status error) {
  assert(!error.is_ok());
  read_only_ = true;
  return error;
}

bool MiniKvTarget::is_open() const {
  std::lock_guard lock(mu_);
  return fs_ != nullptr;
}

Status MiniKvTarget::open(faultfs::FileSystem& fs, const std::string& dir, Durability durability) {
  std::lock_guard lock(mu_);
  if (fs_ != nullptr) return Status(ErrorCode::kInvalidArgument, "already open");
  ASSIGN_OR_RETURN(auto exists, fs.exists(dir));
  if (!exists) {
    RETURN_IF_ERROR(fs.mkdir(dir));
    RETURN_IF_ERROR(fs.sync_dir(faultfs::parent_path(dir)));
  }
  fs_ = &fs;
  dir_ = dir;
  durability_ = durability;
  rows_.clear();
  seq_ = 0;
  wal_size_ = 0;
  synced_end_ = 0;
  bytes_since_checkpoint_ = 0;
  read_only_ = false;
  deferred_tail_.clear();
  synced_at_.reset();
  Status s = recover();
  // A new record's sync covers whatever of the log is not yet durable.
  durable_ = seq_;
  // The WAL's directory entry (and a removed tmp) must be durable before any
  // write is acknowledged into it.
  if (s.is_ok()) s = fs.sync_dir(dir_);
  if (!s.is_ok()) {
    wal_.reset();
    fs_ = nullptr;
  }
  return s;
}

Status MiniKvTarget::sync_file(faultfs::File& file) {
  Status s = file.sync();
  if (!s.is_ok() && bug(Bug::kFailedSyncRetried)) s = file.sync();
  return s;
}

Status MiniKvTarget::finish_deferred() {
  if (deferred_tail_.empty()) return Status::ok();
  Status s = append_wal(deferred_tail_);
  deferred_tail_.clear();
  if (s.is_ok() && durability_ == Durability::kFull) s = sync_wal();
  return s.is_ok() ? s : fail(s);
}

Status MiniKvTarget::append_record(const std::string& frame, bool is_batch) {
  std::string_view now = frame;
  if (is_batch && bug(Bug::kAckBeforeRecordDone)) {
    now = now.substr(0, frame.size() / 2);
    deferred_tail_ = frame.substr(frame.size() / 2);
  }
  // Full mode's sync (and the marker after it) is commit_locked()'s.
  Status s = append_wal(now);
  return s.is_ok() ? s : fail(s);
}

Result<uint64_t> MiniKvTarget::apply(const Write& write) {
  std::unique_lock lock(mu_);
  if (fs_ == nullptr) return Status(ErrorCode::kInvalidArgument, "not open");
  if (read_only_) return Status(ErrorCode::kInvalidArgument, "read_only after an I/O error");
  if (write.empty()) return Status(ErrorCode::kInvalidArgument, "empty write");
  RETURN_IF_ERROR(finish_deferred());
  if (durability_ != Durability::kNone) {
    Write logged;
    for (const Op& op : write) {
      if (op.kind == OpKind::kDelete && bug(Bug::kDeleteNotLogged)) continue;
      logged.push_back(op);
    }
    if (!logged.empty()) {
      RETURN_IF_ERROR(append_record(encode_frame(encode_record(seq_ + 1, synced_end_, logged)),
                                    write.size() > 1));
    }
  }
  apply_to_rows(write, &rows_);
  for (const Op& op : write) bytes_since_checkpoint_ += op.key.size() + op.value.size();
  const uint64_t seq = ++seq_;
  if (durability_ == Durability::kFull) {
    RETURN_IF_ERROR(commit_locked(lock, seq));
  }
  return seq;
}

Status MiniKvTarget::write_checkpoint(CheckpointTrigger trigger) {
  const bool skip_data_sync =
      bug(Bug::kWalCutBeforeCheckpointDurable) ||
      (trigger == CheckpointTrigger::kThreshold && bug(Bug::kThresholdCheckpointUnsynced));
  const std::string tmp = faultfs::join_path(dir_, kCheckpointTmpName);
  ASSIGN_OR_RETURN(auto file, fs_->open(tmp, OpenMode::kCreateTruncate));
  Status s = file->append(encode_frame(encode_checkpoint(seq_, rows_)));
  if (s.is_ok() && !skip_data_sync) s = sync_file(*file);
  if (s.is_ok()) s = fs_->rename(tmp, faultfs::join_path(dir_, kCheckpointName));
  if (s.is_ok() && !bug(Bug::kNoDirSyncAfterRename)) s = fs_->sync_dir(dir_);
  if (!s.is_ok()) return s;
  if (bug(Bug::kWalCutBeforeCheckpointDurable)) {
    unsynced_checkpoint_ = std::move(file);  // Synced at close(): too late.
    return Status::ok();
  }
  return file->close();
}

Status MiniKvTarget::flush() {
  std::unique_lock lock(mu_);
  // A group-commit leader syncs wal_ without the lock and then records its
  // end as synced: the WAL must not be replaced under it.
  synced_.wait(lock, [this] { return !syncing_; });
  if (fs_ == nullptr) return Status(ErrorCode::kInvalidArgument, "not open");
  return flush_locked();
}

Status MiniKvTarget::flush_locked(CheckpointTrigger trigger) {
  if (read_only_) return Status(ErrorCode::kInvalidArgument, "read_only after an I/O error");
  Status s = finish_deferred();
  if (s.is_ok()) s = write_checkpoint(trigger);
  // The checkpoint covers every record now: the WAL may go, replaced at once
  // by one holding only the checkpoint's base marker.
  if (s.is_ok()) s = start_wal();
  if (s.is_ok()) {
    durable_ = seq_;
    bytes_since_checkpoint_ = 0;
  }
  return s.is_ok() ? s : fail(s);
}

Result<State> MiniKvTarget::read_all() {
  std::lock_guard lock(mu_);
  if (fs_ == nullptr) return Status(ErrorCode::kInvalidArgument, "not open");
  State out;
  out.reserve(rows_.size());
  for (const auto& [k, value] : rows_) out.push_back(Entry{k.first, k.second, value});
  return out;
}

Status MiniKvTarget::close() {
  std::unique_lock lock(mu_);
  // A group-commit leader syncs wal_ without the lock: let it finish.
  synced_.wait(lock, [this] { return !syncing_; });
  if (fs_ == nullptr) return Status::ok();
  return close_locked();
}

Status MiniKvTarget::close_locked() {
  // After an I/O error nothing is synced, and the close must say so: a clean
  // close would promise that every acknowledged write is durable.
  Status s =
      read_only_ ? Status(ErrorCode::kIoError, "close after an earlier I/O error") : Status::ok();
  if (!read_only_) {
    s = finish_deferred();
    if (s.is_ok()) s = durability_ == Durability::kNone ? flush_locked() : sync_wal();
    // The marker proves every record before it durable.
    if (s.is_ok() && durability_ != Durability::kNone) s = append_marker();
    if (s.is_ok() && unsynced_checkpoint_ != nullptr) s = sync_file(*unsynced_checkpoint_);
  }
  if (unsynced_checkpoint_ != nullptr) {
    Status closed = unsynced_checkpoint_->close();
    if (s.is_ok()) s = closed;
    unsynced_checkpoint_.reset();
  }
  if (wal_ != nullptr) {
    Status closed = wal_->close();
    if (s.is_ok()) s = closed;
    wal_.reset();
  }
  fs_ = nullptr;
  return s;
}

}  // namespace targets::doubles
