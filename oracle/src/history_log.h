// Internals shared by history.cc (recording) and history_summary.cc (reading
// the log back): the write states, event names and the sync tracker.
#pragma once

#include <algorithm>
#include <cassert>
#include <cstdint>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "faultfs/status.h"
#include "oracle/history.h"
#include "sqlite_db.h"

namespace oracle::detail {

// writes.state values. Only kPending, kAcked and kFailedMaybeApplied writes are
// live: their ops are part of the states the checker compares against.
enum WriteState : int {
  kPending = 0,
  kAcked = 1,
  kFailedMaybeApplied = 2,
  kVoid = 3,       // Failed, and the target guarantees nothing was stored.
  kDiscarded = 4,  // After a write a recovery settled below: in no later state.
};

std::string_view begin_event(SyncKind kind);
std::string_view end_event(SyncKind kind);

// (table, key) as one string: the table's length first, so pairs never collide.
inline std::string composite_name(std::string_view table, std::string_view key) {
  std::string out = std::to_string(table.size());
  out.push_back(':');
  out.append(table);
  out.append(key);
  return out;
}

// The sync id an end event's detail names; 0 when empty (the sync begun last).
[[nodiscard]] faultfs::Result<uint64_t> parse_sync_id(std::string_view detail);

// The first column of the first row of `text`, 0 when there is none or NULL.
[[nodiscard]] faultfs::Result<uint64_t> query_u64(sql::Db& db, const char* text);

// Sets the summary's last issued and last acknowledged sequence from the log's
// writes: the highest not discarded, and the highest acknowledged.
[[nodiscard]] faultfs::Status load_issued_and_acked(sql::Db& db, HistorySummary* summary);

// Applies the events that move the sync-derived figures, live or from the log.
// Keeps each begun sync's coverage until its own end arrives. Syncs of one
// kind overlap when several driver threads flush at once, so an end names the
// begin it closes (its sync id, the begin's ordinal in the log): crediting the
// coverage of whichever sync began last would let the end of an earlier flush
// vouch for writes acknowledged after it began.
struct SyncTracker {
  struct InFlight {
    uint64_t id = 0;
    uint64_t coverage = 0;
  };
  static constexpr size_t kInFlightMax = 4096;  // Driver threads are at most 64.

  std::vector<InFlight> open[3];
  uint64_t begun = 0;  // Sync ids are 1, 2, 3... in begin order.

  // Returns the new sync's id.
  uint64_t begin(HistorySummary* s, SyncKind kind, uint64_t covered) {
    const auto i = static_cast<size_t>(kind);
    assert(open[i].size() < kInFlightMax);
    begun++;
    open[i].push_back(InFlight{begun, covered});
    if (kind == SyncKind::kFlush) {
      s->checkpoint_from = s->flushed_through;
      s->checkpoint_to = covered;
      s->flush_in_progress = true;
    }
    return begun;
  }
  // The coverage of sync `id` of `kind` if it is open; `id` 0 names the one
  // begun last (a log written before ends named their begin).
  std::optional<uint64_t> coverage_of(SyncKind kind, uint64_t id) const {
    const auto& flying = open[static_cast<size_t>(kind)];
    if (flying.empty()) return std::nullopt;
    if (id == 0) return flying.back().coverage;
    for (const InFlight& f : flying) {
      if (f.id == id) return f.coverage;
    }
    return std::nullopt;
  }
  void end(HistorySummary* s, SyncKind kind, bool ok, uint64_t id) {
    auto& flying = open[static_cast<size_t>(kind)];
    auto it = flying.end();
    if (id == 0 && !flying.empty()) it = std::prev(flying.end());
    for (auto f = flying.begin(); id != 0 && f != flying.end(); ++f) {
      if (f->id == id) it = f;
    }
    if (it == flying.end()) return;  // An end with no begin moves nothing.
    const uint64_t coverage = it->coverage;
    flying.erase(it);
    if (kind == SyncKind::kFlush) s->flush_in_progress = !flying.empty();
    if (!ok) return;
    s->synced_through = std::max(s->synced_through, coverage);
    if (kind != SyncKind::kSync) s->flushed_through = std::max(s->flushed_through, coverage);
  }
  void crash(HistorySummary* s) {
    for (auto& flying : open) flying.clear();
    s->flush_in_progress = false;
    s->crashes++;
  }
  void recovered(HistorySummary* s, uint64_t p) {
    // Only reachable below p after a violation the harness chose to accept.
    s->synced_through = std::min(s->synced_through, p);
    s->flushed_through = std::min(s->flushed_through, p);
    s->checkpoint_from = std::min(s->checkpoint_from, p);
    s->checkpoint_to = std::min(s->checkpoint_to, p);
    s->aged_through = std::min(s->aged_through, p);
  }
};

}  // namespace oracle::detail
