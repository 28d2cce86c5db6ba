#include "campaign_causes.h"

namespace torture {

namespace {

uint64_t mix(uint64_t h, const std::string& text) {
  for (const char c : text) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ull;
  }
  h ^= 0xff;  // Separator: ("ab","c") and ("a","bc") differ.
  return h * 1099511628211ull;
}

}  // namespace

uint64_t cause_hash(const reports::Violation& violation) {
  const reports::Cause cause = reports::cause_of(violation);
  uint64_t h = 1469598103934665603ull;
  for (const std::string* part : {&cause.kind, &cause.policy, &cause.crash_op, &cause.crash_file}) {
    h = mix(h, *part);
  }
  return h == 0 ? 1 : h;
}

bool CauseTable::note(uint64_t hash) {
  for (size_t probe = 0; probe < kCausesMax; ++probe) {
    std::atomic<uint64_t>& slot = hashes_[(hash + probe) % kCausesMax];
    uint64_t seen = slot.load(std::memory_order_acquire);
    if (seen == 0 && slot.compare_exchange_strong(seen, hash, std::memory_order_acq_rel)) {
      distinct_.fetch_add(1, std::memory_order_relaxed);
      return true;
    }
    if (seen == hash) return false;
  }
  distinct_.fetch_add(1, std::memory_order_relaxed);
  return true;
}

}  // namespace torture
