// MiniKv recovery: how an open tells a torn tail (un-synced, droppable) from
// damage to durable data or a lost file (reported as kCorruption).
#include <string>

#include "doubles/mini_kv.h"
#include "faultfs/status_macros.h"

namespace targets::doubles {

using faultfs::Status;
using FileMode = faultfs::OpenMode;

namespace {

// Whether a good record after `offset` was written when the WAL was synced
// past `offset`: then the bytes at `offset` were durable, and are damaged.
// Frames are found by trying every later offset (a damaged length field
// hides where the next frame starts); the checksum rules out false frames.
bool later_record_proves_durable(std::string_view wal, size_t offset) {
  for (size_t at = offset + 1; at + kFrameHeaderBytes <= wal.size(); ++at) {
    const FrameRead frame = read_frame(wal.substr(at), /*verify_checksum=*/true);
    if (frame.outcome != FrameRead::Outcome::kOk) continue;
    auto record = decode_record(frame.payload);
    if (record && record->durable_end > offset) return true;
  }
  return false;
}
}  // namespace

Status MiniKvTarget::damaged(const std::string& why) const {
  return Status(faultfs::ErrorCode::kCorruption, "mini-kv " + dir_ + ": " + why);
}

Status MiniKvTarget::recover() {
  for (const char* name : {kCheckpointTmpName, kWalTmpName}) {
    const std::string tmp = faultfs::join_path(dir_, name);
    ASSIGN_OR_RETURN(auto tmp_exists, fs_->exists(tmp));
    if (tmp_exists) {
      Status s = fs_->remove(tmp);  // A flush the crash interrupted.
      if (!s.is_ok()) return s;
    }
  }
  ASSIGN_OR_RETURN(auto wal_exists, fs_->exists(faultfs::join_path(dir_, kWalName)));
  ASSIGN_OR_RETURN(auto checkpoint_exists, fs_->exists(faultfs::join_path(dir_, kCheckpointName)));
  const bool check = !bug(Bug::kRecreatesMissingFiles);
  if (!wal_exists && !checkpoint_exists) return create();
  if (!wal_exists && check) return damaged("the checkpoint is there, its WAL is lost");
  if (checkpoint_exists) {
    RETURN_IF_ERROR(load_checkpoint());
  }
  Status s = replay_wal(checkpoint_exists);
  // A WAL and no checkpoint: a creation the crash cut short (replay_wal
  // refused anything else); finish it.
  if (s.is_ok() && !checkpoint_exists) s = write_checkpoint(CheckpointTrigger::kCaller);
  return s;
}

Status MiniKvTarget::create() {
  Status s = start_wal();
  if (s.is_ok()) s = write_checkpoint(CheckpointTrigger::kCaller);
  return s;
}

Status MiniKvTarget::start_wal() {
  const std::string tmp = faultfs::join_path(dir_, kWalTmpName);
  ASSIGN_OR_RETURN(auto file, fs_->open(tmp, FileMode::kCreateTruncate));
  if (wal_ != nullptr) {
    RETURN_IF_ERROR(wal_->close());
  }
  wal_ = std::move(file);
  wal_size_ = 0;
  synced_end_ = 0;
  Status s = append_marker();
  if (s.is_ok()) s = fs_->rename(tmp, faultfs::join_path(dir_, kWalName));
  // The bug never syncs the directory after a rename, this one included (a
  // sync here would make the checkpoint's rename durable too).
  if (s.is_ok() && !bug(Bug::kNoDirSyncAfterRename)) s = fs_->sync_dir(dir_);
  return s;
}

Status MiniKvTarget::load_checkpoint() {
  const std::string path = faultfs::join_path(dir_, kCheckpointName);
  ASSIGN_OR_RETURN(auto bytes, faultfs::read_file(*fs_, path));
  const FrameRead frame = read_frame(bytes, /*verify_checksum=*/true);
  auto decoded = frame.outcome == FrameRead::Outcome::kOk && frame.frame_bytes == bytes.size()
                     ? decode_checkpoint(frame.payload)
                     : std::nullopt;
  if (!decoded) return Status(faultfs::ErrorCode::kCorruption, "bad checkpoint " + path);
  seq_ = decoded->first;
  rows_ = std::move(decoded->second);
  return Status::ok();
}

Status MiniKvTarget::replay_wal(bool checkpoint_exists) {
  ASSIGN_OR_RETURN(auto file, fs_->open(faultfs::join_path(dir_, kWalName), FileMode::kCreate));
  wal_ = std::move(file);
  ASSIGN_OR_RETURN(auto size, wal_->size());
  std::string bytes(size, '\0');
  ASSIGN_OR_RETURN(auto read, wal_->read_at(0, bytes));
  bytes.resize(read);
  const bool check = !bug(Bug::kRecreatesMissingFiles);
  const bool verify = !bug(Bug::kTornTailReplayed);
  const bool prove = !bug(Bug::kStopsAtDamagedRecord);
  // The base marker was synced before the WAL got its name: it is durable.
  const FrameRead base = read_frame(bytes, verify);
  if (check && prove &&
      (base.outcome != FrameRead::Outcome::kOk || !decode_record(base.payload) ||
       !decode_record(base.payload)->write.empty())) {
    return damaged("the WAL's base marker is damaged");
  }
  size_t offset = 0;
  bool logged_writes = false;
  // How the frame replay stopped at failed to read, if one did.
  FrameRead::Outcome stop = FrameRead::Outcome::kOk;
  while (offset < bytes.size()) {
    const FrameRead frame = read_frame(std::string_view(bytes).substr(offset), verify);
    auto record =
        frame.outcome == FrameRead::Outcome::kOk ? decode_record(frame.payload) : std::nullopt;
    if (!record) {  // The torn tail, or damage (below).
      stop = frame.outcome;
      break;
    }
    if (check && offset == 0 && record->write.empty() && record->seq > seq_) {
      return damaged("the checkpoint is older than the WAL it should precede");
    }
    if (!record->write.empty()) {
      // The delete double numbers writes it never logs: a gap check would
      // report its lost delete as a corrupt WAL at the first reopen (even
      // inside the workload) instead of the resurrected row it is meant to
      // show.
      if (check && !bug(Bug::kDeleteNotLogged) && record->seq > seq_ + 1)
        return damaged("a gap before WAL record " + std::to_string(record->seq));
      // Records at or below the checkpoint are already in it.
      if (record->seq > seq_) {
        apply_to_rows(record->write, &rows_);
        seq_ = record->seq;
      }
      logged_writes = true;
    }
    offset += frame.frame_bytes;
  }
  if (offset < bytes.size() && prove && later_record_proves_durable(bytes, offset)) {
    return damaged("the WAL frame at byte " + std::to_string(offset) + " is damaged durable data");
  }
  if (check && logged_writes && !checkpoint_exists) return damaged("the checkpoint is lost");
  wal_size_ = bytes.size();
  // The bug truncates only a tail the file ends inside (what a short write
  // leaves); a whole frame that fails its checksum (what a torn sector
  // leaves) stays in place.
  const bool keep_tail = bug(Bug::kTornTailKept) && stop != FrameRead::Outcome::kIncomplete;
  if (offset < bytes.size() && !keep_tail) {
    // New records must follow the last good one, durably.
    Status s = wal_->truncate(offset);
    wal_size_ = offset;
    if (!s.is_ok()) return s;
  }
  // The bytes read need not be durable: a reopen without a power loss (after
  // an I/O error, or a close that failed) still sees records that were never
  // synced. Only a sync makes them so; a marker claiming them durable before
  // it would turn a later torn record into "damaged durable data".
  Status s = sync_wal();
  if (!s.is_ok()) return s;
  // The bug leaves the torn bytes and no marker after them: the trap only
  // springs once a later generation has appended records behind them.
  if (keep_tail && offset < bytes.size()) return s;
  // Everything kept is durable now; a marker says so to the next recovery.
  return append_marker();
}

Status MiniKvTarget::append_wal(std::string_view bytes) {
  Status s = wal_->append(bytes);
  if (s.is_ok()) wal_size_ += bytes.size();
  return s;
}

Status MiniKvTarget::sync_wal() {
  Status s = sync_file(*wal_);
  if (s.is_ok()) synced_end_ = wal_size_;
  return s;
}

Status MiniKvTarget::append_marker() {
  const std::string marker = encode_marker(seq_, synced_end_);
  Status s = append_wal(marker + marker);
  if (s.is_ok()) s = sync_wal();
  return s;
}

}  // namespace targets::doubles
