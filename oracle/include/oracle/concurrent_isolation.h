// oracle::check_concurrent_isolation: snapshot isolation judged from a log
// of what several threads saw (fork mode), where no single driver thread
// knows the snapshots.
//
// Method. The log is the driver's, in one total order consistent with real
// time: an event is logged after the call it reports returned (a begin, a
// read, a commit's outcome, a plain write's acknowledgement) or before the
// call it announces started (a commit, a plain write's issue), each under
// one lock. Nothing is taken from the target: no begin or commit sequence.
// Values are unique per write (workloads tag them), so a value read names
// its one writer; a value two writes stored names none and is not judged.
// The rules, each sound for any interleaving the log allows:
//  - dirty_read: T read a value U put (U != T) before U's commit was called,
//    or U's commit was refused or U rolled back;
//  - non_repeatable_read: T read a value whose writer began committing
//    after T began (it cannot be in T's snapshot), or read one key twice
//    without writing it between and saw two values;
//  - stale_read: T read a key it had written and did not see its own write;
//  - lost_update: T committed a key that another committed writer (a
//    transaction or a plain write) also wrote, where each began committing
//    after the other's snapshot: T began before U's commit was called and U
//    began before T's (for a plain write: issued after T began and
//    acknowledged before T's commit was called).
// Commits torn by a crash are the crash checker's (torn_batch in fork mode,
// whose commit-order rebuild renumbers writes), and a false conflict cannot
// be told from a true one without the target's own order.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "oracle/isolation.h"
#include "oracle/types.h"

namespace oracle {

struct TxnEvent {
  enum class Kind : uint8_t {
    kBegin,         // txn's begin returned.
    kRead,          // txn's get(op.table, op.key) returned `seen`.
    kWrite,         // txn's write(op) returned OK.
    kCommitCall,    // txn's commit is about to be called; its writes are log write `seq`.
    kCommitted,     // ... returned OK.
    kConflicted,    // ... was refused as a conflict.
    kCommitFailed,  // ... failed otherwise (maybe applied).
    kRolledBack,    // txn rolled back (or was dropped).
    kPlainIssued,   // A plain write `seq` (ops in `write`) is about to be applied.
    kPlainAcked,    // Plain write `seq` returned OK.
  };
  Kind kind = Kind::kBegin;
  uint64_t txn = 0;                 // Transaction events: the driver's id, unique in the log.
  uint64_t seq = 0;                 // kCommitCall, kPlain*: the log's write number (0: none).
  Op op;                            // kRead: table and key; kWrite: the op.
  std::optional<std::string> seen;  // kRead.
  Write write;                      // kPlainIssued.
};

struct ConcurrentIsolation {
  // The first violation in the events (rules above), or nullopt.
  std::optional<IsolationFinding> finding;
  // The crash checker's record: the values only uncommitted transactions
  // wrote (those whose commit was never called, was refused, or that rolled
  // back). A commit cut off by the crash is a candidate, not uncommitted.
  TransactionRecord record;
};

// One pass over `events` for both.
[[nodiscard]] ConcurrentIsolation judge_concurrent_isolation(const std::vector<TxnEvent>& events);

}  // namespace oracle
