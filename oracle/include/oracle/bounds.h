// oracle::Bounds: the prefixes a recovered state may equal, from the contract
// (DESIGN.md, "The engine's contract") and the history.
//
//   durability | process kill (SIGKILL)      | power loss
//   -----------+-----------------------------+-----------------------------------
//   Full       | lo = last acknowledged      | lo = last acknowledged
//   Lazy       | lo = last acknowledged      | lo = last write acknowledged before
//              |   (each write reached the   |   the last completed sync, flush()
//              |   OS before it returned)    |   or close()
//   None       | lo = last completed flush() | lo = last completed flush()
//              |   (or close())              |   (or close())
//
//   hi = last write issued (acknowledged or not, failed-maybe-applied included).
//
// A batch is one sequence number, so the range is over whole batches. The
// bounds are only as tight as what the history saw: a background sync the
// driver did not observe does not raise lo (which keeps the check sound).
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
