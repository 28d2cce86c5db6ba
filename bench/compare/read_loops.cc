#include "read_loops.h"

#include <algorithm>
#include <array>
#include <cassert>
#include <cstring>
#include <utility>

namespace bench {

WrittenKeys WrittenKeys::dense(uint64_t count) {
  assert(count > 0);
  return WrittenKeys(count, {});
}

WrittenKeys WrittenKeys::subset(std::span<const uint32_t> indexes) {
  assert(!indexes.empty());
  std::vector<uint32_t> sorted(indexes.begin(), indexes.end());
  std::sort(sorted.begin(), sorted.end());
  assert(std::adjacent_find(sorted.begin(), sorted.end()) == sorted.end());
  return WrittenKeys(0, std::move(sorted));
}

uint64_t WrittenKeys::rows_from(uint64_t index, bool strictly_after) const {
  const uint64_t first = index + (strictly_after ? 1 : 0);  // Smallest index counted.
  if (sorted_.empty()) return first >= dense_count_ ? 0 : dense_count_ - first;
  const auto at = std::lower_bound(sorted_.begin(), sorted_.end(), first);
  return static_cast<uint64_t>(sorted_.end() - at);
}

faultfs::Status check_get(KvEngine& engine, const ValueSource& values, uint32_t index,
                          std::string* scratch) {
  const Key key(index);
  auto found = engine.get(key.view(), scratch);
  if (!found.is_ok()) return found.status();
  if (!*found) {
    return faultfs::Status(
        faultfs::ErrorCode::kNotFound,
        std::string(engine.name()) + ": key " + std::string(key.view()) + " written but not found");
  }
  if (*scratch != values.value(index)) {
    return faultfs::Status(faultfs::ErrorCode::kCorruption,
                           std::string(engine.name()) + ": key " + std::string(key.view()) +
                               " has a value that was never written");
  }
  return faultfs::Status::ok();
}

faultfs::Result<uint64_t> seekrandom_next(KvEngine& engine, uint64_t key_space,
                                          const WrittenKeys& written, uint64_t seeks, uint64_t seed,
                                          const Deadline& deadline) {
  const std::vector<uint32_t> picks = random_indexes(seeks, key_space, seed);
  uint64_t done = 0;
  for (const uint32_t pick : picks) {
    // Odd seeks aim just past Key(pick): a 17-byte key no fill writes, which
    // sorts after Key(pick) and before Key(pick + 1).
    const bool past = done % 2 == 1;
    std::array<char, kKeySizeBytes + 1> target{};  // No allocation inside the loop.
    std::memcpy(target.data(), Key(pick).view().data(), kKeySizeBytes);
    const std::string_view seek_key(target.data(), kKeySizeBytes + (past ? 1 : 0));
    auto totals = engine.seek_and_next(seek_key, kSeekNextRows, nullptr);
    if (!totals.is_ok()) return totals.status();
    const uint64_t expected = std::min(kSeekNextRows, written.rows_from(pick, past));
    if (totals->rows != expected || totals->bytes != expected * (kKeySizeBytes + kValueSizeBytes)) {
      return faultfs::Status(
          faultfs::ErrorCode::kCorruption,
          std::string(engine.name()) + ": seek to " + std::string(Key(pick).view()) + " read " +
              std::to_string(totals->rows) + " rows, " + std::to_string(expected) + " expected");
    }
    ++done;
    if (deadline.expired(done)) break;
  }
  return done;
}

}  // namespace bench
