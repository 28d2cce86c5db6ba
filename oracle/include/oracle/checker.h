// oracle::Checker: judges one recovered state against the history and bounds.
//
// Verdict: ok(p) when the recovered state equals the state at some p in
// [lo, hi] (the highest such p is reported); otherwise a violation with one
// kind and a diff against the closest allowed state (the p in [lo, hi] with the
// fewest differing keys, the highest on ties).
//
// How a match is found (linear in the ops up to hi): the ops are applied in
// sequence order while a running order-independent hash of the state (the sum
// of a 64-bit hash of each (table, key, value)) is kept; each p in [lo, hi]
// whose hash equals the recovered state's is a candidate, and the highest is
// confirmed exactly by SQLite, which computes the state at p from the log on
// its own (GROUP BY key, last op wins) for a row-by-row comparison.
//
// How a violation is classified: the rules below are tried in order and the
// first that holds names the kind. Notation: p* is the closest allowed state;
// a write is *visible* on key k when the recovered value of k equals the value
// the write left and that differs from the value before it; it is *absent* on
// k when the recovered value equals the value before it and that differs from
// the value it left. For each key that differs at p*, the nearest run of
// prefixes where the key holds its recovered value makes the key *ahead* (that
// run starts after p*: its first write is visible) or *behind* (it ends at or
// before p*: the write that ended it is absent).
//   1. unreadable         the target failed to open or scan (an error, or a key
//                         returned twice), unless CheckOptions allows errors.
//   2. invented_value     a recovered row whose (table, key) was never written,
//                         or whose value bytes were never written by any write
//                         to any key (torn or garbage bytes).
//   3. wrong_value        a recovered value that was written somewhere, but
//                         never held by this key in any prefix state (a
//                         misdirected write, or a write a recovery discarded).
//   4. torn_batch         a write of two or more ops that is visible on one of
//                         its keys and absent on another.
//   5. resurrected_delete every behind key's absent write is a delete the bounds
//                         require (seq <= lo), and the key holds a value it had
//                         before that delete.
//   6. lost_acknowledged  the state equals the state at some p < lo exactly: a
//                         clean prefix that lacks writes the bounds require.
//   7. checkpoint_mix     not a prefix (a write B is absent while a later write
//                         A is visible) and both A and B lie in the range the
//                         last checkpoint begun covers.
//   8. hole               not a prefix: a write B is absent while a later write
//                         A is visible (also the fallback when no other rule
//                         holds, since then no single prefix explains the state).
//
// Faults beyond the contract (CheckOptions::beyond_contract: policies
// `corrupt` and `lost-file`) damage data that was already durable. An engine
// cannot always repair that, but it must never lose data silently. The
// caller passes bounds whose lo is the durable-before-the-fault bound
// (beyond_contract_bounds(): what a completed flush() or close() made durable
// before the fault; never a background sync the workload did not observe, nor
// a Full acknowledgement, whose damaged last record no later record can prove
// synced). The allowed outcomes are exactly:
//   - a state at some p in [lo, hi] (the fault hit nothing needed, or the
//     engine repaired it);
//   - an error of code kCorruption from open or scan: a detection. Any other
//     error code (io_error, not_found, invalid_argument...) is not one: the
//     image is a plain file system that fails no I/O, so such an error means
//     the engine did not recognise the damage for what it is; it stays
//     `unreadable`.
// A state outside [lo, hi] is then classified by the rules above, and every
// kind that says the state lacks data (torn_batch, resurrected_delete,
// lost_acknowledged, checkpoint_mix, hole: a state missing durable writes, or
// no prefix at all) becomes
//   9. undetected_loss    the engine opened past damage and served a state
//                         that lacks writes durable before the fault, or that
//                         is no prefix of the history, without an error. The
//                         evidence names the shape the rules above found.
// invented_value and wrong_value keep their kinds: they serve bytes that were
// never there, which is worse than a loss and says so.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "faultfs/status.h"
#include "oracle/bounds.h"
#include "oracle/history.h"
#include "oracle/types.h"

namespace oracle {

enum class ViolationKind : uint8_t {
  kUnreadable,
  kInventedValue,
  kWrongValue,
  kTornBatch,
  kResurrectedDelete,
  kLostAcknowledged,
  kCheckpointMix,
  kHole,
  kUndetectedLoss,  // Beyond-contract faults only (see above).
  // Transactions (oracle/isolation.h): a read or a recovered value that
  // only an uncommitted transaction wrote; a commit that overwrote a write
  // committed after its snapshot; a read of a value committed after the
  // snapshot; a read of any other value not in the snapshot; a commit
  // refused with no conflicting writer; a commit part visible after a crash.
  kDirtyRead,
  kLostUpdate,
  kNonRepeatableRead,
  kStaleRead,
  kFalseConflict,
  kTornCommit,
  // Encryption at rest: one (data key, nonce) pair sealed two different
  // plaintexts, across the crash images and generations of one history.
  kNonceReuse,
};
// "unreadable", "invented_value", ... (the names above, for reports).
const char* violation_kind_name(ViolationKind kind);

// One differing row; nullopt means "absent".
struct DiffRow {
  std::string table;
  std::string key;
  std::optional<std::string> expected;  // At the closest allowed state.
  std::optional<std::string> recovered;
};

// The difference against the closest allowed state, sized for a human: exact
// counts, and the first rows in key order.
struct Diff {
  uint64_t missing_count = 0;  // Expected, absent from the recovered state.
  uint64_t extra_count = 0;    // Recovered, absent from the expected state.
  uint64_t wrong_count = 0;    // In both, with different values.
  std::vector<DiffRow> first_rows;
};

struct Verdict {
  bool ok = false;
  // ok: the highest matching p. Violation: the closest allowed p (compared to).
  uint64_t p = 0;
  std::optional<ViolationKind> kind;  // Set iff !ok.
  // ok with no state: the target reported a corruption error on a fault
  // beyond the contract (CheckOptions::beyond_contract); the history cannot
  // go on.
  bool error_detected = false;
  Bounds bounds;
  // The write the kind is about, when one is (torn_batch's torn write); 0.
  uint64_t write_seq = 0;
  Diff diff;
  std::string evidence;  // One line: the keys and writes that decided the kind.

  std::string to_string() const;  // A few lines for logs and reports.
};

struct TransactionRecord;  // oracle/isolation.h

struct CheckOptions {
  // The fault went beyond the contract (policies `corrupt`, `lost-file`): a
  // kCorruption error is a correct detection, and a state that lacks data is
  // undetected_loss (rules above). Bounds must come from
  // beyond_contract_bounds().
  bool beyond_contract = false;
  size_t diff_rows_max = 5;  // DiffRow entries kept.
  // Hash candidates confirmed through SQLite before falling back to the exact
  // in-memory walk; only a 64-bit hash collision makes the first one fail.
  size_t confirmations_max = 4;
  // Which writes were transaction commits and which values only uncommitted
  // transactions wrote: a violation then names the isolation anomaly
  // (dirty_read, torn_commit; refine_for_transactions). Null: none.
  const TransactionRecord* transactions = nullptr;
};

// The bounds a fault beyond the contract is judged by: those of a power loss,
// with lo lowered to what was durable before the fault as the workload saw
// it: the coverage of the last completed flush() or close() and, in Full
// mode, the last acknowledged write (each was synced before it returned).
[[nodiscard]] Bounds beyond_contract_bounds(const HistorySummary& summary, Durability durability);
// The lo of beyond_contract_bounds() alone (for bounds taken at an earlier
// point of the history).
[[nodiscard]] uint64_t durable_before_fault(const HistorySummary& summary, Durability durability);

namespace detail {
struct LoadedCache;
}  // namespace detail

class Checker {
 public:
  explicit Checker(History& history) : history_(history) {}

  // Judges `recovered` (need not be sorted). A non-ok Result is the oracle's
  // own failure (its SQLite log), never the target's.
  [[nodiscard]] faultfs::Result<Verdict> check(const Bounds& bounds, State recovered,
                                               const CheckOptions& options = {});
  // Judges a target that could not be opened or read back.
  [[nodiscard]] Verdict check_unreadable(const Bounds& bounds, const faultfs::Status& error,
                                         const CheckOptions& options = {}) const;
  // The state at `p` as SQLite computes it from the log (for reports).
  [[nodiscard]] faultfs::Result<State> state_at(uint64_t p);

 private:
  History& history_;
  // The log as last loaded, kept while the connection has not changed it.
  std::shared_ptr<detail::LoadedCache> loaded_;
};

}  // namespace oracle
