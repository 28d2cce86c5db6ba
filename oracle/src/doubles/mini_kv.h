// MiniKv: a deliberately small WAL + checkpoint engine on the faultfs seam,
// correct by default, with at most one classic recovery bug switched on. The
// doubles prove that the lab can fail: each bug must be caught.
//
// Files in its directory: "wal" (frames, see mini_kv_format.h; not in None
// mode), "checkpoint" (one frame), "checkpoint.tmp" (being written).
// Correct protocol:
//   write   append the record; Full: sync it before returning.
//   flush   write checkpoint.tmp, sync it, rename it over checkpoint,
//           sync the directory, and only then cut the WAL (truncate + sync).
//   open    read checkpoint (a bad one is kCorruption), replay WAL frames
//           after its sequence, stop at the first incomplete or bad frame
//           (the torn tail), truncate the WAL there and sync it.
//   error   a failed append or sync makes the engine refuse writes until
//           reopened; a failed sync is never retried.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "doubles/mini_kv_format.h"
#include "faultfs/file_system.h"
#include "oracle/target.h"

namespace oracle::doubles {

enum class Bug : uint8_t {
  kNone,
  kNoSyncInFull,                   // Full mode returns before the record is synced.
  kAckBeforeRecordDone,            // A batch's record is half written when acknowledged;
                                   // the rest is appended before the next operation.
  kWalCutBeforeCheckpointDurable,  // The checkpoint's data is synced only at
                                   // close, after the WAL was already cut.
  kNoDirSyncAfterRename,           // The checkpoint's rename is never made durable.
  kTornTailReplayed,               // No checksum check: a torn tail replays as data.
  kDeleteNotLogged,                // Deletes change memory but never reach the WAL.
  kFailedSyncRetried,              // A failed sync is retried, and its success trusted.
};

class MiniKvTarget final : public Target {
 public:
  explicit MiniKvTarget(Bug bug) : bug_(bug) {}
  ~MiniKvTarget() override;

  [[nodiscard]] faultfs::Status open(faultfs::FileSystem& fs, const std::string& dir,
                                     Durability durability) override;
  [[nodiscard]] faultfs::Status apply(const Write& write) override;
  [[nodiscard]] faultfs::Status flush() override;
  [[nodiscard]] faultfs::Result<State> read_all() override;
  [[nodiscard]] faultfs::Status close() override;
  bool is_open() const override { return fs_ != nullptr; }

 private:
  [[nodiscard]] faultfs::Status load_checkpoint();
  [[nodiscard]] faultfs::Status replay_wal();
  [[nodiscard]] faultfs::Status sync_file(faultfs::File& file);
  [[nodiscard]] faultfs::Status append_record(const std::string& frame, bool is_batch);
  [[nodiscard]] faultfs::Status finish_deferred();
  [[nodiscard]] faultfs::Status write_checkpoint();
  faultfs::Status fail(faultfs::Status error);  // Enters read-only; returns `error`.
  bool bug(Bug b) const { return bug_ == b; }

  const Bug bug_;
  faultfs::FileSystem* fs_ = nullptr;
  std::string dir_;
  Durability durability_ = Durability::kLazy;
  std::unique_ptr<faultfs::File> wal_;
  // kWalCutBeforeCheckpointDurable: the checkpoint whose sync was put off.
  std::unique_ptr<faultfs::File> unsynced_checkpoint_;
  std::string deferred_tail_;  // kAckBeforeRecordDone: bytes not yet appended.
  Rows rows_;
  uint64_t seq_ = 0;  // Last write applied (the engine's own numbering).
  bool read_only_ = false;
};

}  // namespace oracle::doubles
