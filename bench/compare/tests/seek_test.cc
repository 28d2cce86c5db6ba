// seek_and_next on every adapter: exactly min(count, rows at or after the key)
// rows, in key order, starting at the first key >= the target, whether the
// rows sit in the engine's main store or were written after its last flush.
// seekrandom_next100 only checks counts and bytes; this checks the keys.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "kv_engine.h"
#include "read_loops.h"
#include "test_dirs.h"
#include "workload_data.h"

namespace bench {
namespace {

constexpr uint64_t kRows = 150;  // Keys Key(0), Key(2), ..., Key(298).

// The engine's rows: the even indexes, half flushed to the main store and
// half (interleaved with them) written after, so a cursor must merge both.
void fill_even_keys(KvEngine& engine, std::vector<std::string>* sorted_keys) {
  const ValueSource values;
  for (const uint64_t parity : {0, 1}) {
    for (uint64_t i = parity; i < kRows; i += 2) {
      ASSERT_TRUE(engine.put(Key(2 * i).view(), values.value(2 * i)).is_ok());
    }
    if (parity == 0) {
      ASSERT_TRUE(engine.flush().is_ok());
    }
  }
  for (uint64_t i = 0; i < kRows; ++i) sorted_keys->emplace_back(Key(2 * i).view());
}

std::vector<std::string> expected_from(const std::vector<std::string>& sorted,
                                       const std::string& target, uint64_t count) {
  auto first = std::lower_bound(sorted.begin(), sorted.end(), target);
  const auto available = static_cast<uint64_t>(sorted.end() - first);
  return std::vector<std::string>(first, first + std::min(count, available));
}

class EachEngineSeek : public ::testing::TestWithParam<std::string_view> {};

TEST_P(EachEngineSeek, ReadsExactlyMinCountAndRowsAfterTheKeyInKeyOrder) {
  const std::string dir = testing::fresh_dir(std::string(GetParam()) + "_seek");
  auto engine = make_engine(GetParam());
  ASSERT_TRUE(engine.is_ok()) << engine.status().to_string();
  ASSERT_TRUE((*engine)->open(dir, EngineOptions{}).is_ok());
  std::vector<std::string> sorted;
  fill_even_keys(**engine, &sorted);
  const std::string past_50 = std::string(Key(50).view()) + '\0';  // Never written.
  // Before all, exact, between two keys, just past one, exactly 100 left,
  // 99 left, a few left, the last key, past the end.
  const std::vector<std::string> targets = {"",
                                            std::string(Key(0).view()),
                                            std::string(Key(101).view()),
                                            past_50,
                                            std::string(Key(100).view()),
                                            std::string(Key(102).view()),
                                            std::string(Key(291).view()),
                                            std::string(Key(298).view()),
                                            std::string(Key(299).view())};
  for (const std::string& target : targets) {
    for (const uint64_t count : {kSeekNextRows, uint64_t{7}}) {
      std::vector<std::string> keys;
      auto totals = (*engine)->seek_and_next(target, count, &keys);
      ASSERT_TRUE(totals.is_ok()) << totals.status().to_string();
      const std::vector<std::string> expected = expected_from(sorted, target, count);
      EXPECT_EQ(keys, expected) << "seek to '" << target << "', " << count << " rows";
      EXPECT_EQ(totals->rows, expected.size());
      EXPECT_EQ(totals->bytes, expected.size() * (kKeySizeBytes + kValueSizeBytes));
    }
  }
  ASSERT_TRUE((*engine)->close().is_ok());
  std::filesystem::remove_all(dir);
}

INSTANTIATE_TEST_SUITE_P(Compare, EachEngineSeek, ::testing::ValuesIn(kEngineNames),
                         [](const auto& param_info) { return std::string(param_info.param); });

// The expected counts of seekrandom_next100 come from here.
TEST(WrittenKeys, CountsRowsAtOrAfterAnIndexForDenseAndSubsetSets) {
  const WrittenKeys dense = WrittenKeys::dense(10);
  EXPECT_EQ(dense.rows_from(0, false), 10u);
  EXPECT_EQ(dense.rows_from(9, false), 1u);
  EXPECT_EQ(dense.rows_from(9, true), 0u);
  EXPECT_EQ(dense.rows_from(12, false), 0u);
  const std::vector<uint32_t> some = {7, 3, 20};
  const WrittenKeys subset = WrittenKeys::subset(some);
  EXPECT_EQ(subset.rows_from(3, false), 3u);
  EXPECT_EQ(subset.rows_from(3, true), 2u);
  EXPECT_EQ(subset.rows_from(8, false), 1u);
  EXPECT_EQ(subset.rows_from(20, true), 0u);
}

}  // namespace
}  // namespace bench
