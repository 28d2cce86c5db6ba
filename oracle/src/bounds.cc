#include "oracle/bounds.h"

#include <algorithm>
#include <cassert>

namespace oracle {

Bounds compute_bounds(const HistorySummary& summary, Durability durability, CrashKind kind) {
  Bounds b;
  b.durability = durability;
  b.crash = kind;
  b.hi = summary.last_issued;
  switch (durability) {
    case Durability::kFull:
      b.lo = summary.last_acked;
      break;
    case Durability::kLazy:
      b.lo = kind == CrashKind::kProcessKill
                 ? summary.last_acked
                 : std::max(summary.synced_through, summary.aged_through);
      break;
    case Durability::kNone:
      b.lo = summary.flushed_through;
      break;
  }
  // Every acknowledged write was issued. A sync coverage can exceed hi only
  // when a recovery settled on a discarded sequence number (same state), so
  // clamping changes no state in the range.
  assert(summary.last_acked <= summary.last_issued);
  b.lo = std::min(b.lo, b.hi);
  b.checkpoint_from = std::min(summary.checkpoint_from, b.hi);
  b.checkpoint_to = std::min(summary.checkpoint_to, b.hi);
  if (b.checkpoint_to < b.checkpoint_from) b.checkpoint_from = b.checkpoint_to;
  assert(b.lo <= b.hi);
  return b;
}

std::string Bounds::to_string() const {
  std::string out = "[lo=" + std::to_string(lo) + ", hi=" + std::to_string(hi) + "] " +
                    durability_name(durability) + "/" + crash_kind_name(crash);
  if (checkpoint_to > checkpoint_from) {
    out += " checkpoint (" + std::to_string(checkpoint_from) + ", " +
           std::to_string(checkpoint_to) + "]";
  }
  return out;
}

}  // namespace oracle
