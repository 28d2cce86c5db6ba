// Reads the WAL back at recovery and tells a crash's torn tail from
// corruption (engine/doc/wal_format.md, "Reader rules").
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "faultfs/file_system.h"
#include "faultfs/status.h"
#include "wal/wal_format.h"
#include "wal/wal_record.h"

namespace dbx::crypto {
class Sealer;
}

namespace dbx::wal {

// What to do with a bad record that a later record proves had been synced.
// Mirrors dbx::RecoveryMode. A bad record with no such proof is a torn tail in
// every mode.
enum class TailMode { kStrict, kTolerateTail, kSkipCorrupted };

struct WalReadSummary {
  // Whether the file exists (it may still be empty: epoch 0).
  bool file_present = false;
  // From the header; 0 if the header is absent or all zeros (no log).
  uint32_t epoch = 0;
  // From the header when epoch != 0: its format version, and (version 2) the
  // checkpoint sequence the log starts after (0 for version 1).
  uint32_t header_version = 0;
  uint64_t base_sequence = 0;
  // The highest sequence of an accepted checkpoint record (0 if none): the
  // store must cover at least this much.
  uint64_t checkpoint_sequence_max = 0;
  // Where appends continue: just past the last accepted record.
  uint64_t end_offset = kFirstRecordOffset;
  // The highest sequence accepted (0 if none).
  uint64_t last_sequence = 0;
  // Accepted records, including those the visitor skips as checkpoint-covered.
  uint64_t records_read = 0;
  // Bytes of the accepted records' frames.
  uint64_t bytes_read = 0;
  // Bytes of the dropped torn tail: from the bad record to the file end.
  uint64_t torn_bytes = 0;
  // Bad records proven synced and then stopped at or skipped (kTolerateTail,
  // kSkipCorrupted; kStrict fails instead).
  uint64_t corrupt_records_skipped = 0;
  // Bytes that could later pass for records lie past end_offset: the engine
  // must truncate to end_offset and sync before appending or recycling
  // (WalWriter::truncate_to_end does both).
  bool must_truncate = false;
  // The walk ended where an older epoch's stale bytes begin (recycled space).
  bool ended_in_recycled_space = false;
  // The file header was unreadable but nothing in the file lies above the
  // checkpoint: a cut torn by a crash. epoch is 0; the engine starts a fresh
  // log (which truncates the stale bytes).
  bool header_torn = false;
};

// Called once per accepted record, in order. The views point into the
// reader's buffers and are valid only during the call; a non-ok Status aborts
// the read and is returned as is.
using RecordViewVisitor = std::function<faultfs::Status(const RecordView&)>;

// Reads `path` in large chunks, calling `visit` (if not empty) for each
// accepted record in order, without a heap allocation per record: each record
// is decoded in place. Records with sequence <= `min_relevant_sequence` are
// covered by the durable checkpoint: they are still visited (the engine skips
// them) but a later one never proves an earlier bad record synced. Corruption
// is a kCorruption Status "<path> offset <n>: <what>"; `visit` may have seen a
// prefix by then. With a `sealer` the log must be an encrypted one (header
// version 3; a plain header is kCorruption) and each payload is opened before
// it decodes (wal_seal.h); without one an encrypted log is kInvalidArgument.
[[nodiscard]] faultfs::Result<WalReadSummary> read_log_views(faultfs::FileSystem& fs,
                                                             const std::string& path, TailMode mode,
                                                             uint64_t min_relevant_sequence,
                                                             const RecordViewVisitor& visit,
                                                             const crypto::Sealer* sealer = nullptr);

// read_log_views with an owning copy of each record (`visit` may move the
// record's contents out: the reader is done with it). Same rules, same
// summary, same errors; costs a few heap allocations per record.
[[nodiscard]] faultfs::Result<WalReadSummary> read_log(
    faultfs::FileSystem& fs, const std::string& path, TailMode mode, uint64_t min_relevant_sequence,
    const std::function<faultfs::Status(Record&)>& visit,
    const crypto::Sealer* sealer = nullptr);

const char* tail_mode_name(TailMode mode);

}  // namespace dbx::wal
