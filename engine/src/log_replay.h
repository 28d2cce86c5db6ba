// Replaying the WAL into the delta at open.
//
// Method: the reader walks the log (wal::read_log_views) and stages the
// mutations of every record above the checkpoint into bounded batches
// (StagedWrites); each batch is applied to the delta in log order
// (Delta::apply, with prefetched probes). A log of at least
// `pipelined_min_bytes` is read on a second thread while the opening thread
// applies the batches before it, at most kBatchesInFlightMax behind: reading
// and checksumming a large log then costs no time of its own. Below that size
// both run on the opening thread, since starting a thread would cost more
// than it saves. Either way the delta ends up exactly as if every replayed
// mutation had been put() or remove()d in log order.
//
// While applying, the replay reserves room in each table for the keys it
// still expects (from the bytes of log left and the share of recent writes
// that made new keys), so that a table of millions of keys is not grown one
// doubling at a time; room guessed too high is given back at the end.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "delta.h"
#include "faultfs/file_system.h"
#include "faultfs/status.h"
#include "wal/wal_reader.h"

namespace dbx {

struct LogReplayResult {
  wal::WalReadSummary summary;
  uint64_t records_replayed = 0;        // Applied to the delta.
  uint64_t records_skipped = 0;         // Covered by the checkpoint, or checkpoint records.
  uint64_t last_replayed_sequence = 0;  // 0 when nothing was replayed.
  bool pipelined = false;               // Whether a second thread read the log.
};

// Logs smaller than this are replayed on the calling thread alone.
inline constexpr uint64_t kPipelinedReplayMinBytes = uint64_t{16} << 20;
// Room a replay may reserve ahead of the keys it has seen, on its guess
// alone: this many keys (~48 MiB of table), or this many times the keys seen.
inline constexpr size_t kReplayReserveKeysOnGuessMax = size_t{1} << 20;
inline constexpr size_t kReplayReserveGrowthMax = 8;
// Batches staged but not yet applied, at most: bounds the replay's extra
// memory to a few MiB whatever the log's size.
inline constexpr size_t kBatchesInFlightMax = 4;

struct LogReplayOptions {
  // Logs at least this large are read on a second thread.
  uint64_t pipelined_min_bytes = kPipelinedReplayMinBytes;
  // Called before each batch is applied. Tests slow the applier with it, so
  // that batches queue up behind it.
  std::function<void()> before_each_apply;
  // An encrypted database's sealer (wal_reader.h); null for a plain one.
  const crypto::Sealer* sealer = nullptr;
};

// Replays `path` (absent: an empty log) into `delta`, which must be empty.
// Errors are read_log_views' (an I/O error, or kCorruption in kStrict mode);
// after one the delta holds an unspecified prefix of the log and the caller
// discards it. Exceptions from applying (allocation failure) propagate after
// the reader thread has stopped.
[[nodiscard]] faultfs::Result<LogReplayResult> replay_log(
    faultfs::FileSystem& fs, const std::string& path, wal::TailMode mode,
    uint64_t checkpoint_sequence, Delta* delta, const LogReplayOptions& options = {});

}  // namespace dbx
