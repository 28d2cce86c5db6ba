// The measured read loops shared by the lazy suite (workloads.cc) and the
// scale runs (scale.cc): point gets checked against what was written, and
// seeks that read the next rows, their count checked against the written set.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "faultfs/status.h"
#include "kv_engine.h"
#include "stopwatch.h"
#include "workload_data.h"

namespace bench {

// Rows a seekrandom seek reads after its landing point.
inline constexpr uint64_t kSeekNextRows = 100;

// Which key indexes a database holds, so a seek's row count can be predicted:
// either every index below a bound (the scale runs write them all) or an
// explicit set (a time-capped fill wrote a random subset).
class WrittenKeys {
 public:
  static WrittenKeys dense(uint64_t count);
  static WrittenKeys subset(std::span<const uint32_t> indexes);  // Any order, no repeats.

  // How many written keys are >= Key(index), or > it when `strictly_after`.
  uint64_t rows_from(uint64_t index, bool strictly_after) const;

 private:
  WrittenKeys(uint64_t dense_count, std::vector<uint32_t> sorted)
      : dense_count_(dense_count), sorted_(std::move(sorted)) {}

  uint64_t dense_count_;          // Used when sorted_ is empty.
  std::vector<uint32_t> sorted_;  // Ascending.
};

// Reads key `index` and checks it holds exactly what was written.
[[nodiscard]] faultfs::Status check_get(KvEngine& engine, const ValueSource& values, uint32_t index,
                                        std::string* scratch);

// seekrandom_next100: `seeks` seeks to random points of the key space
// [Key(0), Key(key_space)), half of them exact keys and half just past one (a
// key that is never written), each reading the next kSeekNextRows rows. Every
// seek's row count and bytes are checked against `written`. Returns the seeks
// done (fewer when `deadline` expired).
[[nodiscard]] faultfs::Result<uint64_t> seekrandom_next(KvEngine& engine, uint64_t key_space,
                                                        const WrittenKeys& written, uint64_t seeks,
                                                        uint64_t seed, const Deadline& deadline);

}  // namespace bench
