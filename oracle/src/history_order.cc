// History::rebuild_in_commit_order: the log of concurrent writers, renumbered
// in the order the target committed the writes (see oracle/history.h).
#include <algorithm>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "faultfs/status_macros.h"
#include "history_log.h"
#include "oracle/history.h"
#include "sqlite_db.h"

namespace oracle {

using faultfs::ErrorCode;
using faultfs::Result;
using faultfs::Status;

namespace {

struct LoggedWrite {
  uint64_t seq = 0;  // Issue order.
  int state = detail::kPending;
  uint64_t engine_seq = 0;
  int64_t issued_ns = 0;
  int64_t acked_ns = 0;
  std::string error;
  Write ops;
  uint64_t order_key = 0;  // Its place in commit order (a target sequence number).
};

Result<std::vector<LoggedWrite>> load_writes(sql::Db& db) {
  std::vector<LoggedWrite> out;
  ASSIGN_OR_RETURN(
      auto w,
      db.prepare(
          "SELECT seq, state, engine_seq, issued_ns, acked_ns, error FROM writes ORDER BY seq"));
  for (;;) {
    ASSIGN_OR_RETURN(auto row, w->step());
    if (!row) break;
    sql::Statement& q = *w;
    LoggedWrite lw;
    lw.seq = static_cast<uint64_t>(q.column_int(0));
    lw.state = static_cast<int>(q.column_int(1));
    lw.engine_seq = static_cast<uint64_t>(q.column_int(2));
    lw.issued_ns = q.column_int(3);
    lw.acked_ns = q.column_int(4);
    if (!q.column_is_null(5)) lw.error = std::string(q.column_blob(5));
    if (lw.state == detail::kDiscarded) {
      return Status(ErrorCode::kInvalidArgument, "cannot reorder a log that recovered");
    }
    if (lw.seq != out.size() + 1) return Status(ErrorCode::kCorruption, "history seqs not dense");
    out.push_back(std::move(lw));
  }
  ASSIGN_OR_RETURN(
      auto o,
      db.prepare(
          "SELECT o.seq, k.tbl, k.key, o.value FROM ops AS o JOIN keys AS k ON k.key_id = o.key_id"
          " ORDER BY o.op_id"));
  for (;;) {
    ASSIGN_OR_RETURN(auto row, o->step());
    if (!row) break;
    sql::Statement& q = *o;
    const auto seq = static_cast<uint64_t>(q.column_int(0));
    if (seq == 0 || seq > out.size()) return Status(ErrorCode::kCorruption, "op of no write");
    out[seq - 1].ops.push_back(q.column_is_null(3)
                                   ? Op::del(q.column_blob(1), q.column_blob(2))
                                   : Op::put(q.column_blob(1), q.column_blob(2), q.column_blob(3)));
  }
  return out;
}

bool live(const LoggedWrite& w) { return w.state != detail::kVoid; }

// The in-flight writes (pending, or failed but maybe applied), in issue order.
std::vector<LoggedWrite*> in_flight(std::vector<LoggedWrite>* writes) {
  std::vector<LoggedWrite*> out;
  for (LoggedWrite& w : *writes) {
    if (w.state != detail::kAcked && live(w)) out.push_back(&w);
  }
  return out;
}

// Sets every write's order_key, the in-flight ones taking the free numbers
// in the order of their `permutation`-th arrangement (0: issue order).
// Returns false (issue order kept) when some acknowledged write carries no
// target sequence number.
bool assign_commit_order(std::vector<LoggedWrite>* writes, uint32_t permutation) {
  std::vector<uint64_t> taken;
  for (LoggedWrite& w : *writes) {
    if (w.state != detail::kAcked) continue;
    if (w.engine_seq == 0) {
      for (LoggedWrite& x : *writes) x.order_key = x.seq;
      return false;
    }
    w.order_key = w.engine_seq;
    taken.push_back(w.engine_seq);
  }
  std::sort(taken.begin(), taken.end());
  std::vector<LoggedWrite*> flying = in_flight(writes);
  // Pointers into one vector compare in issue order.
  for (uint32_t i = 0; i < permutation; ++i) std::next_permutation(flying.begin(), flying.end());
  const uint64_t top = taken.empty() ? 0 : taken.back();
  uint64_t next_gap = 1;
  uint64_t after_top = top;
  size_t t = 0;
  for (LoggedWrite* w : flying) {
    // The lowest number no acknowledged write holds, else one after them all.
    while (t < taken.size() && taken[t] <= next_gap) next_gap = std::max(next_gap, taken[t++] + 1);
    w->order_key = next_gap < top ? next_gap++ : ++after_top;
  }
  for (LoggedWrite& w : *writes) {
    if (!live(w)) w.order_key = ++after_top;  // In no state: anywhere.
  }
  return true;
}

// The first pair that breaks real-time order, described; "" when none.
std::string find_real_time_violation(const std::vector<LoggedWrite>& writes) {
  std::vector<const LoggedWrite*> acked;
  for (const LoggedWrite& w : writes) {
    if (w.state == detail::kAcked) acked.push_back(&w);
  }
  std::vector<const LoggedWrite*> by_issue = acked;
  std::sort(acked.begin(), acked.end(),
            [](const auto* a, const auto* b) { return a->acked_ns < b->acked_ns; });
  std::sort(by_issue.begin(), by_issue.end(),
            [](const auto* a, const auto* b) { return a->issued_ns < b->issued_ns; });
  const LoggedWrite* latest = nullptr;  // Highest target number acked so far.
  size_t a = 0;
  for (const LoggedWrite* b : by_issue) {
    while (a < acked.size() && acked[a]->acked_ns < b->issued_ns) {
      if (latest == nullptr || acked[a]->engine_seq > latest->engine_seq) latest = acked[a];
      ++a;
    }
    if (latest != nullptr && latest->engine_seq > b->engine_seq) {
      return "write " + std::to_string(latest->seq) + " (target seq " +
             std::to_string(latest->engine_seq) + ") was acknowledged at " +
             std::to_string(latest->acked_ns) + " ns, before write " + std::to_string(b->seq) +
             " was issued at " + std::to_string(b->issued_ns) +
             " ns, yet comes after it (target seq " + std::to_string(b->engine_seq) + ")";
    }
  }
  return "";
}

}  // namespace

Status History::copy_events_into(History& to,
                                 const std::function<uint64_t(uint64_t)>& position_of) {
  ASSIGN_OR_RETURN(auto events,
                   db_->prepare("SELECT kind, seq, ok, detail FROM events ORDER BY event_id"));
  sql::Statement& q = *events;
  std::map<uint64_t, uint64_t> rebuilt_id;  // This log's sync ids to `to`'s.
  uint64_t begun = 0;
  for (;;) {
    ASSIGN_OR_RETURN(auto row, q.step());
    if (!row) return Status::ok();
    const std::string kind(q.column_blob(0));
    const auto seq = static_cast<uint64_t>(q.column_int(1));
    const bool ok = q.column_int(2) != 0;
    const std::string detail_text(q.column_blob(3));
    Status s;
    bool matched = false;
    for (SyncKind k : {SyncKind::kSync, SyncKind::kFlush, SyncKind::kClose}) {
      if (kind == detail::begin_event(k)) {
        // The detail holds the highest target number acknowledged by then.
        const uint64_t engine = detail_text.empty() ? 0 : std::stoull(detail_text);
        auto id = to.begin_sync(k, position_of ? position_of(engine) : seq);
        if (id.is_ok()) rebuilt_id[++begun] = id.value();
        s = id.status();
        matched = true;
      } else if (kind == detail::end_event(k)) {
        // An end names its begin by ordinal; the rebuilt log numbers its own.
        ASSIGN_OR_RETURN(auto named, detail::parse_sync_id(detail_text));
        const auto it = rebuilt_id.find(named);
        const uint64_t id = named == 0               ? 0
                            : it != rebuilt_id.end() ? it->second
                                                     : UINT64_MAX;  // Names no begin.
        s = to.end_sync(k, ok, id);
        matched = true;
      }
    }
    if (matched) {
    } else if (kind == "open") {
      s = to.record_open();
    } else if (kind == "clock") {
      s = to.set_clock(static_cast<int64_t>(seq));
    } else if (kind == "lazy_window") {
      s = to.set_lazy_window(static_cast<int64_t>(seq));
    } else if (kind == crash_kind_name(CrashKind::kProcessKill)) {
      s = to.record_crash(CrashKind::kProcessKill, detail_text);
    } else if (kind == crash_kind_name(CrashKind::kPowerLoss)) {
      s = to.record_crash(CrashKind::kPowerLoss, detail_text);
    } else {
      return Status(ErrorCode::kInvalidArgument, "cannot reorder a log with event " + kind);
    }
    if (!s.is_ok()) return s;
  }
}

Result<History::CommitOrdered> History::rebuild_in_commit_order(const std::string& path,
                                                                uint32_t permutation) {
  RETURN_IF_ERROR(commit());
  ASSIGN_OR_RETURN(auto loaded, load_writes(*db_));
  std::vector<LoggedWrite>& writes = loaded;
  CommitOrdered out;
  const size_t flying = in_flight(&writes).size();
  for (size_t n = 2; n <= flying && out.arrangements < kArrangementsMax; ++n) {
    out.arrangements = std::min<uint64_t>(out.arrangements * n, kArrangementsMax);
  }
  const bool by_target = assign_commit_order(&writes, permutation);
  if (!by_target) out.arrangements = 1;
  if (by_target) out.real_time_violation = find_real_time_violation(writes);
  std::vector<const LoggedWrite*> order;
  for (const LoggedWrite& w : writes) order.push_back(&w);
  std::stable_sort(order.begin(), order.end(),
                   [](const auto* a, const auto* b) { return a->order_key < b->order_key; });
  ASSIGN_OR_RETURN(auto rebuilt, History::open(path, options_));
  History& h = *rebuilt;
  std::vector<uint64_t> live_keys;  // Ascending: position i + 1 holds live_keys[i].
  for (const LoggedWrite* w : order) {
    ASSIGN_OR_RETURN(auto seq, h.record_pending(w->ops, w->issued_ns));
    if (live(*w)) live_keys.push_back(w->order_key);
    Status s;
    if (w->state == detail::kAcked) {
      s = h.record_ack(seq, w->engine_seq, w->acked_ns);
    } else if (w->state != detail::kPending) {
      s = h.record_failed(seq, w->state == detail::kFailedMaybeApplied, w->error);
    }
    if (!s.is_ok()) return s;
  }
  // A coverage in target numbers is the position of the last write at or below it.
  const auto position_of = [&](uint64_t engine_seq) {
    return static_cast<uint64_t>(std::upper_bound(live_keys.begin(), live_keys.end(), engine_seq) -
                                 live_keys.begin());
  };
  RETURN_IF_ERROR(
      copy_events_into(h, by_target ? std::function<uint64_t(uint64_t)>(position_of) : nullptr));
  RETURN_IF_ERROR(h.commit());
  out.history = std::move(rebuilt);
  return out;
}

}  // namespace oracle
