// The reader's look-ahead: what lies after the point where the walk stopped.
//
// Both scans probe every kRecordAlignment-aligned offset, rejecting most
// candidates by the cheap header checks (zeros, epoch field, header crc)
// before touching a payload.
#pragma once

#include <cstdint>
#include <optional>

#include "faultfs/status.h"
#include "wal/wal_format.h"
#include "wal/wal_window.h"

namespace dbx::wal {

struct AheadScan {
  // A later record proving that the record where the walk stopped had been
  // synced (so losing it is corruption, not a crash's torn tail). Scanning
  // ends at the first one.
  std::optional<uint64_t> proof_offset;
  RecordHeader proof;  // Meaningful when proof_offset is set.
  // Whether a header with a valid crc and an epoch >= the log's epoch lies
  // in the scanned range: such bytes could later look like a continuation of
  // the log, so the engine must truncate them away before appending.
  bool live_header_seen = false;
  // Whether a header with a valid crc and an epoch below the log's lies in the
  // scanned range: the stale records of a recycled file, which no later append
  // can turn into a continuation.
  bool older_header_seen = false;
};

// Scans [from, file end) for a proof record: valid header crc, the log's
// `epoch`, sequence > max(last_sequence, min_relevant_sequence),
// synced_sequence > last_sequence (i.e. >= last accepted + 1; last_sequence is
// 0 when nothing was accepted), valid kind, length within bounds and the file,
// and a matching payload crc. Precondition: `from` is aligned.
[[nodiscard]] faultfs::Result<AheadScan> scan_ahead(LogWindow& window, uint64_t from,
                                                    uint32_t epoch, uint64_t last_sequence,
                                                    uint64_t min_relevant_sequence);

// The first record in the file, of any epoch, that is whole (valid header and
// payload crc, valid kind, length within bounds) and has a sequence above
// `min_relevant_sequence`; nullopt if none. Such a record was written after the
// file header that governs it had been synced (a cut syncs its new header
// before any later write), so it tells a damaged durable header (corruption)
// from a header rewrite torn by a crash during the cut (legal).
[[nodiscard]] faultfs::Result<std::optional<uint64_t>> find_relevant_record(
    LogWindow& window, uint64_t min_relevant_sequence);

// The first aligned offset >= `from` holding a header with a valid crc and the
// log's `epoch` (where kSkipCorrupted resumes the walk); nullopt if none.
[[nodiscard]] faultfs::Result<std::optional<uint64_t>> find_resync(LogWindow& window, uint64_t from,
                                                                   uint32_t epoch);

}  // namespace dbx::wal
