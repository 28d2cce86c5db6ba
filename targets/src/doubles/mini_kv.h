// MiniKv: a deliberately small WAL + checkpoint engine on the faultfs seam,
// correct by default, with at most one classic recovery bug switched on. The
// doubles prove that the lab can fail: each bug must be caught.
//
// Files in its directory: "wal" (frames, see mini_kv_format.h; markers only
// in None mode), "checkpoint" (one frame), "checkpoint.tmp" (being written).
// Correct protocol:
//   create  the WAL (written as wal.tmp with its base marker, synced, renamed,
//           directory synced), then an empty checkpoint: from then on both
//           files always exist and the WAL's first frame is durable.
//   write   append the record (durable_end: the WAL bytes synced so far);
//           Full: return only once a sync that began after the append
//           succeeded and a marker after it is synced too, so that a damaged
//           record is never the last durable one (group commit: one leader
//           syncs for every writer waiting; mini_kv_sync.cc).
//   background(now)  Lazy: sync the WAL when sync_interval has passed since
//           the last background sync (the harness's clock drives it). Every
//           level: once the writes since the last checkpoint reach the
//           tuning's delta_flush_threshold_bytes, checkpoint as flush does.
//   flush   write checkpoint.tmp, sync it, rename it over checkpoint,
//           sync the directory, and only then replace the WAL by a new one
//           holding the base marker of the checkpoint's sequence (as create).
//   close   sync the WAL, then append a marker and sync it (None: flush).
//   open    read checkpoint (a bad one is kCorruption), replay WAL frames
//           after its sequence, stop at the first incomplete or bad frame.
//           That frame is the torn tail, truncated and synced away, unless a
//           later good record's durable_end lies past it: then durable data
//           is damaged and the open fails with kCorruption. So do a missing
//           WAL or checkpoint (unless neither exists: a new database), a
//           WAL base newer than the checkpoint, and a gap in the sequence.
//           A damaged base marker is damage too. Then the kept WAL is
//           synced (a reopen without a power loss reads bytes never synced)
//           and only then a marker is appended and synced.
//   error   a failed append or sync makes the engine refuse writes until
//           reopened; a failed sync is never retried.
// Thread-safe: one mutex guards everything but a group-commit leader's sync.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "doubles/mini_kv_format.h"
#include "faultfs/file_system.h"
#include "targets/target.h"

namespace targets::doubles {

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
  kStopsAtDamagedRecord,           // Recovery drops a damaged record and all after it
                                   // even when a later record proves it was durable.
  kRecreatesMissingFiles,          // A missing WAL or checkpoint is silently
                                   // recreated; the base and sequence are not checked.
  kLazySyncNever,                  // Lazy's background sync never syncs.
  kLazySyncLate,                   // Lazy's background sync runs at 8x sync_interval.
  kGroupCommitEarlyAck,            // Full: a follower returns while the leader's
                                   // sync is still running.
  kTornTailKept,                   // Recovery stops at a torn tail but, unless the
                                   // file ends inside its frame (a short write),
                                   // leaves its bytes (and writes no marker): the
                                   // next generation appends after them.
  kThresholdCheckpointUnsynced,    // The size-threshold checkpoint never syncs the
                                   // checkpoint's data (flush() does), yet renames
                                   // it in and cuts the WAL: only small tuning
                                   // thresholds ever reach that path.
};

class MiniKvTarget final : public Target {
 public:
  MiniKvTarget(Bug bug, const TargetTuning& tuning) : bug_(bug), tuning_(tuning) {}
  ~MiniKvTarget() override;

  [[nodiscard]] faultfs::Status open(faultfs::FileSystem& fs, const std::string& dir,
                                     Durability durability) override;
  [[nodiscard]] faultfs::Result<uint64_t> apply(const Write& write) override;
  [[nodiscard]] faultfs::Status background(std::chrono::nanoseconds now) override;
  [[nodiscard]] faultfs::Status flush() override;
  [[nodiscard]] faultfs::Result<State> read_all() override;
  [[nodiscard]] faultfs::Status close() override;
  bool is_open() const override;

 private:
  // Unlocked versions; mu_ held.
  // Who asked for a checkpoint: flush() and close(), or the size threshold.
  enum class CheckpointTrigger : uint8_t { kCaller, kThreshold };
  [[nodiscard]] faultfs::Status flush_locked(
      CheckpointTrigger trigger = CheckpointTrigger::kCaller);
  [[nodiscard]] faultfs::Status close_locked();
  // mini_kv_sync.cc. Full mode: returns once a sync covers record `seq`.
  [[nodiscard]] faultfs::Status commit_locked(std::unique_lock<std::mutex>& lock, uint64_t seq);
  // mini_kv_open.cc: recovery.
  [[nodiscard]] faultfs::Status recover();
  [[nodiscard]] faultfs::Status create();
  // A new WAL holding only the base marker (seq_), synced, then renamed over
  // the old one: a WAL that exists is never empty.
  [[nodiscard]] faultfs::Status start_wal();
  [[nodiscard]] faultfs::Status load_checkpoint();
  [[nodiscard]] faultfs::Status replay_wal(bool checkpoint_exists);
  [[nodiscard]] faultfs::Status damaged(const std::string& why) const;
  // Appends a marker record and syncs the WAL.
  [[nodiscard]] faultfs::Status append_marker();
  [[nodiscard]] faultfs::Status append_wal(std::string_view bytes);
  [[nodiscard]] faultfs::Status sync_wal();
  [[nodiscard]] faultfs::Status sync_file(faultfs::File& file);
  [[nodiscard]] faultfs::Status append_record(const std::string& frame, bool is_batch);
  [[nodiscard]] faultfs::Status finish_deferred();
  [[nodiscard]] faultfs::Status write_checkpoint(CheckpointTrigger trigger);
  // mini_kv_sync.cc: the background work due at `now`; mu_ held by `lock`.
  [[nodiscard]] faultfs::Status lazy_sync_if_due(std::chrono::nanoseconds now);
  [[nodiscard]] faultfs::Status checkpoint_if_over_threshold(std::unique_lock<std::mutex>& lock);
  faultfs::Status fail(faultfs::Status error);  // Enters read-only; returns `error`.
  bool bug(Bug b) const { return bug_ == b; }

  const Bug bug_;
  const TargetTuning tuning_;
  mutable std::mutex mu_;
  faultfs::FileSystem* fs_ = nullptr;
  std::string dir_;
  Durability durability_ = Durability::kLazy;
  std::unique_ptr<faultfs::File> wal_;
  // kWalCutBeforeCheckpointDurable: the checkpoint whose sync was put off.
  std::unique_ptr<faultfs::File> unsynced_checkpoint_;
  std::string deferred_tail_;  // kAckBeforeRecordDone: bytes not yet appended.
  Rows rows_;
  uint64_t seq_ = 0;         // Last write applied (the engine's own numbering).
  uint64_t wal_size_ = 0;    // Bytes appended to the WAL (after its last cut).
  uint64_t synced_end_ = 0;  // WAL bytes known durable (the last sync).
  // Bytes of keys and values written since the last checkpoint (every
  // level), against TargetTuning::delta_flush_threshold_bytes.
  uint64_t bytes_since_checkpoint_ = 0;
  bool read_only_ = false;
  // Group commit (Full): records through durable_ are synced; a leader's
  // sync is running while syncing_ (wal_ is then synced without mu_).
  uint64_t durable_ = 0;
  bool syncing_ = false;
  std::condition_variable synced_;
  // Lazy: the harness's clock at the last background sync check.
  std::optional<std::chrono::nanoseconds> synced_at_;
};

}  // namespace targets::doubles
