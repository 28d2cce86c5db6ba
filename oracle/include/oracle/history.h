// oracle::History: the log of everything a workload did to a target, kept in
// SQLite so that it outlives a killed child process and can be queried as the
// reference model.
//
// What is logged, and when (the soundness of every bound rests on this order):
//  - record_pending() BEFORE a write is issued: a write the engine may have
//    persisted is always in the log, so a recovered value is never mistaken for
//    an invention. A process that may be killed must make the pending record
//    visible first (Options::commit_pending, or commit()).
//  - record_ack() AFTER the write returned success; record_failed() after it
//    returned an error. An ack lost to a kill only lowers the lower bound.
//  - record_sync_begin()/record_sync_end() around a sync, flush or close: the
//    sync covers the writes acknowledged when it began.
//  - set_clock(now) as the driver's clock moves; record_ack() stamps the ack
//    with it (or with the time the driver passes). With set_lazy_window(w),
//    every write acknowledged more than w before the clock is "aged": Lazy's
//    power-loss promise requires it (oracle/bounds.h).
//  - record_crash() when the target died, record_open() when it was opened, and
//    record_recovered(p) once the checker accepted the recovered state at p:
//    writes after p are discarded for good (they are in no later state).
//
// Sequence numbers are the log's own (1, 2, ...), never reused, one per write;
// a batch is one write: the order writes were issued in. An acknowledgement
// may also carry the target's own sequence number for the write (its commit
// order when several threads write at once). Not thread-safe: concurrent
// drivers serialize their calls.
//
// Logging is batched: records accumulate in one SQLite transaction that is
// committed every Options::records_per_txn_max records, at every crash, open
// and recovery, and on commit(). The log runs in WAL mode with
// synchronous=NORMAL: a commit reaches the OS (it survives a killed process),
// not the disk (the oracle does not need to survive a power loss of its host).
//
// Tables (for reports that query the log directly):
//   writes(seq, state, op_count, error, engine_seq, issued_ns, acked_ns)
//                                         state: 0 pending, 1 acked, 2 failed
//                                         but maybe applied, 3 void, 4 discarded;
//                                         engine_seq: the target's number (0:
//                                         unknown); *_ns: the driver's clock
//   keys(key_id, tbl, key)                every (table, key) ever written; ids
//                                         dense from 1
//   ops(op_id, seq, key_id, value, live)  value NULL = delete; live = 0 once
//                                         its write is void or discarded
//   events(event_id, kind, seq, ok, detail)  flush_begin/_end (seq = coverage;
//                                         a begin's detail = the highest target
//                                         seq acknowledged, an end's = the id
//                                         of its begin, the begin's ordinal
//                                         among all sync begins, or empty for
//                                         the one begun last),
//                                         sync_*, close_*, open, process_kill,
//                                         power_loss (detail = crash choice),
//                                         recovered (seq = p), clock and
//                                         lazy_window (seq = nanoseconds)
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "faultfs/status.h"
#include "oracle/types.h"

namespace oracle {

namespace sql {
class Db;
class Statement;
}  // namespace sql
namespace detail {
struct SyncTracker;
}  // namespace detail

// What kind of operation made earlier writes durable.
enum class SyncKind : uint8_t {
  kSync,   // An explicit WAL sync (Lazy); makes no checkpoint.
  kFlush,  // A checkpoint: durable in every mode once it completes.
  kClose,  // A clean close: syncs (Lazy, Full) or checkpoints (None).
};
const char* sync_kind_name(SyncKind kind);  // "sync", "flush", "close".

// The figures the bounds are computed from. All are sequence numbers; 0 means
// "nothing" (the empty state is the state at 0).
struct HistorySummary {
  uint64_t last_issued = 0;      // Highest write recorded pending and not discarded.
  uint64_t last_acked = 0;       // Highest acknowledged write not discarded.
  uint64_t synced_through = 0;   // Coverage of the last completed sync, flush or close.
  uint64_t flushed_through = 0;  // Coverage of the last completed flush or close.
  // The last flush begun covers (checkpoint_from, checkpoint_to]: the writes
  // acknowledged after the previous completed flush and before it began.
  uint64_t checkpoint_from = 0;
  uint64_t checkpoint_to = 0;
  bool flush_in_progress = false;  // Begun and neither ended nor cut by a crash.
  uint64_t opens = 0;              // record_open() calls so far.
  uint64_t crashes = 0;            // record_crash() calls so far.
  // The driver's clock (set_clock) and Lazy's promise window
  // (set_lazy_window; 0: no promise in time). aged_through: the highest
  // write acknowledged more than lazy_window_ns before clock_ns.
  int64_t clock_ns = 0;
  int64_t lazy_window_ns = 0;
  uint64_t aged_through = 0;

  bool operator==(const HistorySummary&) const = default;
};

class History {
 public:
  struct Options {
    // Records per SQLite transaction; bounds the work a crash of the log's own
    // process can lose and the cost of a commit.
    size_t records_per_txn_max = 4096;
    // Commit inside record_pending() so that a pending write is visible to a
    // parent process before the (killable) child issues it.
    bool commit_pending = false;
    // Only this connection opens the file until it closes: SQLite takes its
    // lock once and keeps the WAL index on the heap instead of a mapped
    // -shm file (a log opened, filled and judged in one process: each map,
    // unmap and per-transaction lock cost a fork-mode kill cycle time).
    bool exclusive = false;
  };

  // Opens the log at `path`, continuing it if it exists; ":memory:" keeps a
  // private log in memory (tests, benchmarks).
  [[nodiscard]] static faultfs::Result<std::unique_ptr<History>> open(const std::string& path);
  [[nodiscard]] static faultfs::Result<std::unique_ptr<History>> open(const std::string& path,
                                                                      const Options& options);
  ~History();  // Commits what is pending; an error there is lost: commit() first.
  History(const History&) = delete;
  History& operator=(const History&) = delete;

  // Logs `write` (non-empty) as issued, at the clock or at `issued_ns`;
  // returns its sequence number.
  [[nodiscard]] faultfs::Result<uint64_t> record_pending(const Write& write);
  [[nodiscard]] faultfs::Result<uint64_t> record_pending(const Write& write, int64_t issued_ns);
  // The write `seq` returned success, at the clock. One driver thread acks in
  // sequence order.
  [[nodiscard]] faultfs::Status record_ack(uint64_t seq);
  // The write `seq` returned success with the target's sequence number
  // `engine_seq` (0: unknown) at `acked_ns` on the driver's clock. Any order.
  [[nodiscard]] faultfs::Status record_ack(uint64_t seq, uint64_t engine_seq, int64_t acked_ns);
  // The write `seq` returned an error. `maybe_applied` is false only when the
  // target guarantees that nothing of it was stored (then it is in no state);
  // otherwise it stays a candidate, like a pending write.
  [[nodiscard]] faultfs::Status record_failed(uint64_t seq, bool maybe_applied,
                                              std::string_view error);
  // A sync, flush or close begins; it covers every write acknowledged so far.
  // The event's detail keeps the highest target sequence number acknowledged
  // so far: what it covers in commit order (rebuild_in_commit_order).
  [[nodiscard]] faultfs::Status record_sync_begin(SyncKind kind);
  // The same with the coverage given (a log rebuilt in commit order).
  [[nodiscard]] faultfs::Status record_sync_begin(SyncKind kind, uint64_t covered);
  // The one open sync of `kind` returned; only a successful one moves a bound.
  // kInvalidArgument when several of `kind` are open: use end_sync.
  [[nodiscard]] faultfs::Status record_sync_end(SyncKind kind, bool ok);
  // For drivers whose syncs overlap (several threads): begin_sync returns the
  // sync's id, and end_sync credits exactly that sync's coverage. (Crediting
  // the sync begun last would let an earlier flush's end vouch for writes
  // acknowledged after it began.)
  [[nodiscard]] faultfs::Result<uint64_t> begin_sync(SyncKind kind);
  [[nodiscard]] faultfs::Result<uint64_t> begin_sync(SyncKind kind, uint64_t covered);
  [[nodiscard]] faultfs::Status end_sync(SyncKind kind, bool ok, uint64_t sync_id);
  // The driver's clock reads `now_ns` (never less than before): writes
  // acknowledged more than the lazy window before it are aged.
  [[nodiscard]] faultfs::Status set_clock(int64_t now_ns);
  // Lazy's promise window: sync interval plus the harness's slack (> 0).
  [[nodiscard]] faultfs::Status set_lazy_window(int64_t window_ns);
  [[nodiscard]] faultfs::Status record_crash(CrashKind kind, std::string_view detail);
  [[nodiscard]] faultfs::Status record_open();
  // The state recovered after the last crash equals the state at `p`
  // (p <= last_issued): writes after p are discarded.
  [[nodiscard]] faultfs::Status record_recovered(uint64_t p);
  // Makes every record so far visible to other connections and processes.
  [[nodiscard]] faultfs::Status commit();

  // Concurrent writers (history_order.cc): the writes are logged in the order
  // they were issued, but the target applied them in the order of the
  // sequence numbers their acknowledgements carry. This writes, at `path`
  // (fresh; ":memory:" allowed), the same history with every write
  // renumbered in that commit order, which the checker and bounds read:
  //  - acknowledged writes by the target's sequence number;
  //  - writes in flight at the crash (pending, or failed but maybe applied)
  //    fill the gaps between those numbers (each took one number if the
  //    target appended it), the rest follow the last acknowledged write. In
  //    what order they took them is unknown: `permutation` picks one of the
  //    `arrangements` (0: the order they were issued in), and a state is
  //    allowed if some arrangement allows it;
  //  - each sync, flush or close covers the writes through the highest
  //    target sequence number acknowledged when it began.
  // With no target sequence numbers logged the order is the issue order.
  // It also checks real-time order: a write acknowledged before another was
  // issued must have the lower target sequence number; the first pair that
  // does not is described in `real_time_violation` (empty: none).
  struct CommitOrdered {
    std::unique_ptr<History> history;
    std::string real_time_violation;
    // Arrangements of the in-flight writes: min(k!, kArrangementsMax).
    uint64_t arrangements = 1;
  };
  // Bounds the search: N writer threads leave at most N writes in flight,
  // and 4! arrangements cover four writers exactly.
  static constexpr uint64_t kArrangementsMax = 24;
  [[nodiscard]] faultfs::Result<CommitOrdered> rebuild_in_commit_order(const std::string& path,
                                                                       uint32_t permutation = 0);

  // Point lookups in the model (history_lookup.cc), over live writes only:
  // the value (table, key) holds in the state at `p` (nullopt: absent), and
  // the highest write to it in (after, through] (0: none).
  [[nodiscard]] faultfs::Result<std::optional<std::string>> value_at(std::string_view table,
                                                                     std::string_view key,
                                                                     uint64_t p);
  [[nodiscard]] faultfs::Result<uint64_t> last_write_between(std::string_view table,
                                                             std::string_view key, uint64_t after,
                                                             uint64_t through);

  const HistorySummary& summary() const { return summary_; }
  // Recomputes the summary from the log alone (what a parent process that
  // re-opens a child's log sees); equals summary() after commit().
  [[nodiscard]] faultfs::Result<HistorySummary> load_summary();

  // The connection, for the checker (same connection: sees uncommitted rows).
  sql::Db& db() { return *db_; }

 private:
  History(std::unique_ptr<sql::Db> db, const Options& options);
  [[nodiscard]] faultfs::Status ensure_schema();
  [[nodiscard]] faultfs::Status prepare_statements();
  // Rebuilds the summary, and `tracker`'s open syncs, from the log's rows.
  [[nodiscard]] faultfs::Result<HistorySummary> summarize_log(detail::SyncTracker* tracker);
  [[nodiscard]] faultfs::Status begin_record();
  [[nodiscard]] faultfs::Status end_record(bool commit_now);
  [[nodiscard]] faultfs::Status insert_event(std::string_view kind, uint64_t seq, bool ok,
                                             std::string_view detail);
  [[nodiscard]] faultfs::Status set_write_state(uint64_t seq, int state);
  [[nodiscard]] faultfs::Status add_time_columns();
  // Reloads unaged_acks_ from the log (acked writes with their times).
  [[nodiscard]] faultfs::Status load_acks();
  // Moves the acks the clock has aged from unaged_acks_ into aged_through.
  void age_acks();
  // Logs this log's events into `to`, a sync's coverage mapped by
  // `position_of` from the target number its detail holds (null: unmapped).
  [[nodiscard]] faultfs::Status copy_events_into(
      History& to, const std::function<uint64_t(uint64_t)>& position_of);
  // The dense id (1, 2, ...) of (table, key) in the keys table, added if new.
  [[nodiscard]] faultfs::Result<int64_t> key_id_of(std::string_view table, std::string_view key);
  [[nodiscard]] faultfs::Status load_key_ids();

  std::unique_ptr<sql::Db> db_;
  Options options_;
  HistorySummary summary_;
  std::unique_ptr<detail::SyncTracker> tracker_;
  // Acknowledged writes not aged yet: ack time -> seq (aged_through moves
  // as the clock passes them).
  std::multimap<int64_t, uint64_t> unaged_acks_;
  uint64_t seq_next_ = 1;          // Never reused, even for discarded writes.
  uint64_t engine_acked_max_ = 0;  // Highest target sequence number acknowledged.
  bool in_txn_ = false;
  size_t records_in_txn_ = 0;
  std::unique_ptr<sql::Statement> insert_write_;
  std::unique_ptr<sql::Statement> insert_op_;
  std::unique_ptr<sql::Statement> insert_key_;
  // Every (table, key) ever logged → its key_id. The checker groups by the
  // integer id, which SQLite sorts far faster than two BLOBs.
  std::unordered_map<std::string, int64_t> key_ids_;
  std::unique_ptr<sql::Statement> update_write_;
  std::unique_ptr<sql::Statement> update_ack_;
  std::unique_ptr<sql::Statement> insert_event_;
};

}  // namespace oracle
