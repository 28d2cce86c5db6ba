// Internals shared by history.cc (recording) and history_replay.cc (reading
// the log back): the write states, event names and the sync tracker.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>

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

// The first column of the first row of `text`, 0 when there is none or NULL.
[[nodiscard]] faultfs::Result<uint64_t> query_u64(sql::Db& db, const char* text);

// Replays the events that move the sync-derived figures, live or from the log.
// Keeps the per-kind coverage of a begun sync until its end arrives.
struct SyncTracker {
  uint64_t coverage[3] = {0, 0, 0};
  bool open[3] = {false, false, false};

  void begin(HistorySummary* s, SyncKind kind, uint64_t covered) {
    const auto i = static_cast<size_t>(kind);
    coverage[i] = covered;
    open[i] = true;
    if (kind == SyncKind::kFlush) {
      s->checkpoint_from = s->flushed_through;
      s->checkpoint_to = covered;
      s->flush_in_progress = true;
    }
  }
  void end(HistorySummary* s, SyncKind kind, bool ok) {
    const auto i = static_cast<size_t>(kind);
    if (!open[i]) return;  // An end with no begin moves nothing.
    open[i] = false;
    if (kind == SyncKind::kFlush) s->flush_in_progress = false;
    if (!ok) return;
    s->synced_through = std::max(s->synced_through, coverage[i]);
    if (kind != SyncKind::kSync) s->flushed_through = std::max(s->flushed_through, coverage[i]);
  }
  void crash(HistorySummary* s) {
    for (bool& o : open) o = false;
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
