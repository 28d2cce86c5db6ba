// oracle::Bounds: the prefixes a recovered state may equal, from the contract
// and the history. Every figure is something the workload itself observed:
// an acknowledgement, a flush() or close() that returned, or the driver's
// clock at an acknowledgement and at the crash. Never the target's own syncs
// or state: a target that does not sync cannot lower its own bound.
//
//   durability | process kill (SIGKILL)      | power loss
//   -----------+-----------------------------+-----------------------------------
//   Full       | lo = last acknowledged      | lo = last acknowledged
//   Lazy       | lo = last acknowledged      | lo = the highest of: the last write
//              |   (each write reached the   |   acknowledged before the last
//              |   OS before it returned)    |   completed flush() or close(),
//              |                             |   and the last write acknowledged
//              |                             |   more than the lazy window before
//              |                             |   the crash (aged_through)
//   None       | lo = last completed flush() | lo = last completed flush()
//              |   (or close())              |   (or close())
//
//   hi = last write issued (acknowledged or not, failed-maybe-applied included).
//
// The lazy window is sync_interval plus the harness's slack (history.h,
// set_lazy_window): Lazy promises that the background sync makes every write
// durable within sync_interval; the slack is what the harness allows for the
// sync thread being scheduled late (real clock) or, in the simulation, zero:
// the harness runs background work at every instant it lets writes happen,
// and a crash inside that work is dated at the instant before it.
//
// A batch is one sequence number, so the range is over whole batches.
#pragma once

#include <cstdint>
#include <string>

#include "oracle/history.h"
#include "oracle/types.h"

namespace oracle {

struct Bounds {
  uint64_t lo = 0;  // Every write <= lo must be in the recovered state.
  uint64_t hi = 0;  // No write > hi may be (none was issued). lo <= hi.
  // The last checkpoint begun covers (checkpoint_from, checkpoint_to]; used to
  // tell a mixed checkpoint from other holes. Empty when from == to.
  uint64_t checkpoint_from = 0;
  uint64_t checkpoint_to = 0;
  Durability durability = Durability::kLazy;
  CrashKind crash = CrashKind::kPowerLoss;

  std::string to_string() const;  // "[lo=3, hi=7] lazy/power_loss checkpoint (1, 3]"
  bool operator==(const Bounds&) const = default;
};

// The bounds for a crash of `kind` at the point the summary describes.
// A clean close followed by an open is judged with either kind: the close
// made everything acknowledged durable, so lo = last acknowledged in every mode.
[[nodiscard]] Bounds compute_bounds(const HistorySummary& summary, Durability durability,
                                    CrashKind kind);

}  // namespace oracle
