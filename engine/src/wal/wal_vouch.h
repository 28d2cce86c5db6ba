// The WAL and the store vouch for each other (engine/doc/wal_format.md,
// "The log and the store"). Each records what the other must show: conf the
// epoch of the log it was written beside and the sequence through which that
// log held synced records; the log its cut's checkpoint (header base
// sequence, checkpoint records). An open compares the two before serving
// anything, so a lost, emptied or replaced file, or a store restored from an
// earlier point, is reported instead of served as a state that never existed.
#pragma once

#include <cstdint>
#include <string>

#include "wal/wal_reader.h"

namespace dbx::wal {

// What the store's conf says, as the comparison needs it.
struct StoreFacts {
  std::string conf_path;
  uint64_t checkpoint_sequence = 0;
  // False for a version 1 conf: it says nothing about the log.
  bool wal_known = false;
  uint32_t wal_epoch = 0;  // The log's epoch when conf was written; 0: no log.
  // Records through this sequence were durable in that log; at or below the
  // checkpoint it claims nothing.
  uint64_t wal_synced_sequence = 0;
};

enum class Disagreement {
  kNone,
  // The log proves the store held more than it does (the store is missing,
  // or older than the log). The store plus the log is no prefix of the
  // history, and neither is the store alone followed by more writes.
  kStoreBehind,
  // The store proves the log held synced records it no longer has (the log is
  // missing, emptied, zeroed, truncated or unreadable). The store plus what
  // survives of the log is a prefix of the history.
  kLogLost,
};

struct Verdict {
  Disagreement disagreement = Disagreement::kNone;
  std::string what;  // Names both files and the sequences or epochs at odds.
};

// Compares the log `wal_path`, as read (`log`), with the store's facts.
Verdict compare_log_with_store(const std::string& wal_path, const WalReadSummary& log,
                               const StoreFacts& store);

}  // namespace dbx::wal
