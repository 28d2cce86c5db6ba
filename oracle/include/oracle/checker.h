// oracle::Checker: judges one recovered state against the history and bounds.
//
// Verdict: ok(p) when the recovered state equals the state at some p in
// [lo, hi] (the highest such p is reported); otherwise a violation with one
// kind and a diff against the closest allowed state (the p in [lo, hi] with the
// fewest differing keys, the highest on ties).
//
// How a match is found (linear in the ops up to hi): the ops are replayed in
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
#pragma once

#include <cstddef>
#include <cstdint>
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
  // ok with no state: the target reported an error (Corruption) on a crash
  // that CheckOptions::unreadable_allowed admits; the history cannot go on.
  bool error_detected = false;
  Bounds bounds;
  Diff diff;
  std::string evidence;  // One line: the keys and writes that decided the kind.

  std::string to_string() const;  // A few lines for logs and reports.
};

struct CheckOptions {
  // The crash went beyond the contract (policy `corrupt`): an open or scan
  // that fails with an error is a correct detection, not a violation.
  bool unreadable_allowed = false;
  size_t diff_rows_max = 5;  // DiffRow entries kept.
  // Hash candidates confirmed through SQLite before falling back to the exact
  // replay; only a 64-bit hash collision makes the first one fail.
  size_t confirmations_max = 4;
};

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
};

}  // namespace oracle
