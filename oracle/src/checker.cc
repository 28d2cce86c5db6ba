#include "oracle/checker.h"

#include <algorithm>
#include <cassert>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "classify.h"
#include "faultfs/status_macros.h"
#include "loaded_history.h"
#include "oracle/isolation.h"
#include "sqlite_db.h"

namespace oracle {

using faultfs::ErrorCode;
using faultfs::Result;
using faultfs::Status;

namespace {

// The state at p by SQLite alone: per key the live op with the highest op_id
// at or before p wins (SQLite takes bare columns from the max() row); a NULL
// value is a delete. Grouped by the integer key id, which sorts much faster
// than (table, key) BLOBs; rows come in no promised order.
constexpr const char* kWinnersAtSql =
    "SELECT key_id, value, max(op_id) FROM ops WHERE live = 1 AND seq <= ?1 GROUP BY key_id";

// The present rows of SQLite's state at p, as (key index, value).
using Winners = std::vector<std::pair<uint32_t, std::string>>;

Result<Winners> sqlite_winners_at(sql::Db& db, uint64_t p, size_t keys) {
  ASSIGN_OR_RETURN(auto stmt, db.cached(kWinnersAtSql));
  sql::Statement& q = *stmt;
  RETURN_IF_ERROR(q.bind_int(1, static_cast<int64_t>(p)));
  Winners out;
  for (;;) {
    ASSIGN_OR_RETURN(auto row, q.step());
    if (!row) break;
    if (q.column_is_null(1)) continue;
    const int64_t key_id = q.column_int(0);
    if (key_id < 1 || key_id > static_cast<int64_t>(keys)) {
      return Status(ErrorCode::kCorruption, "history op with an unknown key");
    }
    out.emplace_back(static_cast<uint32_t>(key_id - 1), std::string(q.column_blob(1)));
  }
  return out;
}

}  // namespace

namespace detail {

// The live ops through `hi` as the log held them at `revision`, and SQLite's
// answers of kWinnersAtSql for that same log (by p), so that many states
// judged against one crash point's log cost one load and one query per p.
struct LoadedCache {
  static constexpr size_t kWinnersMax = 64;  // Bounds the memory per checker.
  int64_t revision = -1;
  uint64_t hi = 0;
  LoadedHistory history;
  std::map<uint64_t, Winners> winners;
};

}  // namespace detail

namespace {

// Exact comparison of SQLite's state at p with the recovered state: every
// present row SQLite names must hold the recovered value byte for byte, and
// the recovered state must have no other row. SQLite's rows are those of the
// log at the cache's revision (load_through() checked it just before).
Result<bool> sqlite_state_equals(sql::Db& db, uint64_t p, detail::LoadedCache& cache,
                                 const detail::RecoveredIndex& rec, size_t recovered_rows) {
  if (!rec.unknown.empty()) return false;
  assert(db.revision() == cache.revision);
  auto it = cache.winners.find(p);
  if (it == cache.winners.end()) {
    ASSIGN_OR_RETURN(auto rows, sqlite_winners_at(db, p, cache.history.keys.size()));
    if (cache.winners.size() >= detail::LoadedCache::kWinnersMax) cache.winners.clear();
    it = cache.winners.emplace(p, std::move(rows)).first;
  }
  for (const auto& [k, value] : it->second) {
    const std::string* r = rec.value_of[k];
    if (r == nullptr || *r != value) return false;
  }
  return it->second.size() == recovered_rows;
}

// Hash candidates: for each run of prefixes in [lo, hi] with one state whose
// hash equals the recovered state's, the run's highest p. Ascending.
std::vector<uint64_t> hash_candidates(const detail::LoadedHistory& h,
                                      const detail::RecoveredIndex& rec, const Bounds& b) {
  std::vector<uint64_t> out;
  // A recovered key that no live write stored can match no prefix.
  if (!rec.unknown.empty()) return out;
  detail::Cursor c(h);
  uint64_t hash = 0;
  const auto apply = [&] {
    const detail::LoadedOp& op = h.ops[c.next()];
    const uint32_t old = c.apply_next();
    if (old != detail::kNoOp) hash -= h.ops[old].entry_hash;
    if (!op.is_delete) hash += op.entry_hash;
  };
  const auto run_to = [&] { return c.done() ? b.hi : std::min(b.hi, c.next_seq() - 1); };
  while (!c.done() && c.next_seq() <= b.lo) apply();
  if (hash == rec.hash) out.push_back(run_to());
  while (!c.done()) {
    const uint64_t seq = c.next_seq();
    while (!c.done() && c.next_seq() == seq) apply();
    if (hash == rec.hash) out.push_back(run_to());
  }
  return out;
}

// The log's live ops through `hi`: reloaded only when the connection has
// written or rolled back since the last load, or `hi` differs. Every crash
// image of one crash point is judged against the same log, and loading it
// per state was a tenth of the campaign.
Result<detail::LoadedCache*> load_through(sql::Db& db, uint64_t hi,
                                          std::shared_ptr<detail::LoadedCache>* cache) {
  if (*cache == nullptr) *cache = std::make_shared<detail::LoadedCache>();
  detail::LoadedCache& c = **cache;
  const int64_t revision = db.revision();
  if (c.revision != revision || c.hi != hi) {
    c.revision = -1;  // Not valid until the load succeeds.
    c.winners.clear();
    ASSIGN_OR_RETURN(c.history, detail::LoadedHistory::load(db, hi));
    c.revision = revision;
    c.hi = hi;
  }
  // Loading reads only: the copy is the log at the revision it was taken.
  assert(db.revision() == c.revision);
  return &c;
}

// Under a fault beyond the contract, a state that lacks data the bounds
// require, or that is no prefix, is a loss the engine did not report.
bool is_loss_kind(ViolationKind kind) {
  switch (kind) {
    case ViolationKind::kTornBatch:
    case ViolationKind::kResurrectedDelete:
    case ViolationKind::kLostAcknowledged:
    case ViolationKind::kCheckpointMix:
    case ViolationKind::kHole:
    case ViolationKind::kTornCommit:
      return true;
    case ViolationKind::kDirtyRead:
    case ViolationKind::kLostUpdate:
    case ViolationKind::kNonRepeatableRead:
    case ViolationKind::kStaleRead:
    case ViolationKind::kFalseConflict:
    case ViolationKind::kNonceReuse:
    case ViolationKind::kUnreadable:
    case ViolationKind::kInventedValue:
    case ViolationKind::kWrongValue:
    case ViolationKind::kUndetectedLoss:
      return false;
  }
  return false;
}

}  // namespace

// Only a completed flush() or close() counts. A Full acknowledgement makes a
// write durable, but the last one before a fault has no later record to prove
// it synced: damage to it reads exactly like a torn write of an unsynced
// record (any per-sector fate), so no engine that pays one sync per commit can
// tell the two apart. Counting it would judge every WAL engine by a standard
// none meets (faultfs/doc/crash_model.md, "The rules").
uint64_t durable_before_fault(const HistorySummary& summary, Durability durability) {
  (void)durability;
  return summary.flushed_through;
}

Bounds beyond_contract_bounds(const HistorySummary& summary, Durability durability) {
  Bounds b = compute_bounds(summary, durability, CrashKind::kPowerLoss);
  b.lo = std::min(durable_before_fault(summary, durability), b.hi);
  return b;
}

Result<Verdict> Checker::check(const Bounds& bounds, State recovered, const CheckOptions& options) {
  if (bounds.lo > bounds.hi) {
    return Status(ErrorCode::kInvalidArgument, "bounds with lo > hi: " + bounds.to_string());
  }
  if (!normalize_state(&recovered)) {
    // A scan that repeats a key is a broken read, whatever the crash policy.
    Verdict v;
    v.bounds = bounds;
    v.kind = ViolationKind::kUnreadable;
    v.evidence = "the scan returned a (table, key) twice";
    return v;
  }
  // Everything the checker reads was written by this connection, committed
  // or not, so the log need not be committed first.
  sql::Db& db = history_.db();
  ASSIGN_OR_RETURN(detail::LoadedCache * loaded, load_through(db, bounds.hi, &loaded_));
  const detail::LoadedHistory& h = loaded->history;
  const detail::RecoveredIndex rec = detail::RecoveredIndex::build(h, recovered);

  const std::vector<uint64_t> candidates = hash_candidates(h, rec, bounds);
  size_t confirmations = 0;
  for (auto it = candidates.rbegin(); it != candidates.rend(); ++it) {
    if (confirmations++ == options.confirmations_max) break;
    ASSIGN_OR_RETURN(auto equal, sqlite_state_equals(db, *it, *loaded, rec, recovered.size()));
    if (equal) {
      Verdict v;
      v.ok = true;
      v.p = *it;
      v.bounds = bounds;
      assert(v.p >= bounds.lo && v.p <= bounds.hi);
      return v;
    }
  }
  auto verdict = detail::classify(db, h, rec, bounds, options);
  if (!verdict.is_ok()) return verdict;
  Verdict& v = verdict.value();
  assert(!v.ok && v.kind.has_value());
  if (options.transactions != nullptr) {
    refine_for_transactions(*options.transactions, recovered, &v);
  }
  if (options.beyond_contract && is_loss_kind(*v.kind)) {
    v.evidence =
        std::string("no error reported, and the state is ") +
        (*v.kind == ViolationKind::kLostAcknowledged ? "a prefix below lo" : "no allowed prefix") +
        " (shape " + violation_kind_name(*v.kind) + "): " + v.evidence;
    v.kind = ViolationKind::kUndetectedLoss;
  }
  return verdict;
}

Verdict Checker::check_unreadable(const Bounds& bounds, const Status& error,
                                  const CheckOptions& options) const {
  assert(!error.is_ok());
  Verdict v;
  v.bounds = bounds;
  v.evidence = "target error: " + error.to_string();
  if (options.beyond_contract && error.code() == ErrorCode::kCorruption) {
    v.ok = true;
    v.error_detected = true;
    return v;
  }
  v.kind = ViolationKind::kUnreadable;
  return v;
}

Result<State> Checker::state_at(uint64_t p) {
  ASSIGN_OR_RETURN(auto stmt,
                   history_.db().prepare(
                       "SELECT k.tbl, k.key, w.value FROM"
                       " (SELECT key_id, value, max(op_id) FROM ops WHERE live = 1 AND seq <= ?1"
                       " GROUP BY key_id) AS w JOIN keys AS k ON k.key_id = w.key_id"
                       " WHERE w.value IS NOT NULL ORDER BY k.tbl, k.key"));
  sql::Statement& q = *stmt;
  RETURN_IF_ERROR(q.bind_int(1, static_cast<int64_t>(p)));
  State out;
  for (;;) {
    ASSIGN_OR_RETURN(auto row, q.step());
    if (!row) break;
    out.push_back(Entry{std::string(q.column_blob(0)), std::string(q.column_blob(1)),
                        std::string(q.column_blob(2))});
  }
  return out;
}

}  // namespace oracle
