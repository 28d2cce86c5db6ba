// The distinct causes a campaign found so far, counted across its workers:
// --max-violations stops the campaign after that many distinct causes, not
// after that many sightings of one bug.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

#include "reports/summary.h"

namespace torture {

// A hash of reports::cause_of(violation); 0 is never returned (free slot).
uint64_t cause_hash(const reports::Violation& violation);

// Lives in shared anonymous memory: lock-free, written by any process.
class CauseTable {
 public:
  static constexpr size_t kCausesMax = 4096;  // Beyond this, every cause counts as new.

  // True when `hash` was not in the table (the distinct count went up).
  bool note(uint64_t hash);
  uint64_t distinct() const { return distinct_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> hashes_[kCausesMax] = {};
  std::atomic<uint64_t> distinct_{0};
};

}  // namespace torture
