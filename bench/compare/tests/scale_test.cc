// bench/run --scale-keys: the key-count parser, the on-the-fly fill order,
// both phases on a tiny database of every scale engine, and the table's
// per-key arithmetic and goal verdicts.
#include "scale.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <vector>

#include "test_dirs.h"
#include "workload_data.h"

namespace bench {
namespace {

TEST(ParseKeyCount, AcceptsKAndMSuffixesAsPowersOfTen) {
  EXPECT_EQ(parse_key_count("20M").value(), 20'000'000u);
  EXPECT_EQ(parse_key_count("500k").value(), 500'000u);
  EXPECT_EQ(parse_key_count("1234").value(), 1234u);
}

TEST(ParseKeyCount, RejectsZeroGarbageAndMoreThanAnIndexHolds) {
  for (const char* bad : {"", "0", "M", "20G", "2.5M", "-3", "5000M", "12x"}) {
    EXPECT_FALSE(parse_key_count(bad).is_ok()) << bad;
  }
}

TEST(IndexPermutation, VisitsEveryIndexExactlyOnce) {
  for (const uint64_t count : {1u, 2u, 3u, 1000u, 1024u, 1025u, 65'537u}) {
    const IndexPermutation order(count, 11);
    std::vector<bool> seen(count, false);
    for (uint64_t i = 0; i < count; ++i) {
      const uint64_t index = order.at(i);
      ASSERT_LT(index, count);
      ASSERT_FALSE(seen[index]) << "count " << count << ": " << index << " twice";
      seen[index] = true;
    }
  }
}

TEST(IndexPermutation, IsNotTheIdentity) {
  const IndexPermutation order(1000, 11);
  uint64_t in_place = 0;
  for (uint64_t i = 0; i < 1000; ++i) in_place += order.at(i) == i ? 1 : 0;
  EXPECT_LT(in_place, 50u);  // A random order, not key order.
}

double figure(const Measurements& ms, const std::string& workload) {
  for (const Measurement& m : ms) {
    if (m.workload == workload) return m.value;
  }
  ADD_FAILURE() << "no " << workload;
  return 0;
}

class EachScaleEngine : public ::testing::TestWithParam<std::string_view> {};

TEST_P(EachScaleEngine, FillThenReadReportsEveryFigure) {
  const std::string dir = testing::fresh_dir(std::string(GetParam()) + "_scale");
  ScaleSizes sizes;
  sizes.keys = 3000;
  sizes.reads = 2000;
  sizes.seeks = 200;
  auto filled = run_scale_phase("fill", GetParam(), dir, sizes);
  ASSERT_TRUE(filled.is_ok()) << filled.status().to_string();
  EXPECT_GT(figure(*filled, "scale_fill"), 0);
  EXPECT_GT(figure(*filled, "scale_fill_peak_rss_bytes"), 1 << 20);
  // The read phase checks every get and every seek's row count.
  auto read = run_scale_phase("read", GetParam(), dir, sizes);
  ASSERT_TRUE(read.is_ok()) << read.status().to_string();
  for (const char* w : {"scale_baseline_rss_bytes", "scale_open_s", "scale_readrandom",
                        "scale_first_seek_s", "scale_seekrandom_next100"}) {
    EXPECT_GT(figure(*read, w), 0) << w;
  }
  // 3,000 rows of 116 bytes: the files hold at least that much.
  EXPECT_GE(figure(*read, "scale_disk_bytes"), 3000.0 * 116);
  std::filesystem::remove_all(dir);
  EXPECT_FALSE(run_scale_phase("read", GetParam(), dir, sizes).is_ok());  // Nothing filled.
}

INSTANTIATE_TEST_SUITE_P(Scale, EachScaleEngine, ::testing::ValuesIn(kScaleEngineNames),
                         [](const auto& param_info) { return std::string(param_info.param); });

TEST(ScaleMarkdown, PerKeyFiguresUseTheLargerPeakAndGoalsCompareWithRocksdb) {
  const Summary s = summarize({{"dbx", "scale_fill_peak_rss_bytes", 500},
                               {"dbx", "scale_read_peak_rss_bytes", 300},
                               {"rocksdb", "scale_fill_peak_rss_bytes", 100},
                               {"rocksdb", "scale_read_peak_rss_bytes", 200},
                               {"dbx", "scale_disk_bytes", 1200},
                               {"dbx", "scale_readrandom", 900},
                               {"rocksdb", "scale_readrandom", 1000},
                               {"leveldb", "scale_readrandom", 5000}});
  const std::string md = scale_markdown(s, 10, "m", "d", "c");
  EXPECT_NE(md.find("| memory per key (larger peak RSS / N) | B | 50.0 | 20.0 | — | 2.50 |"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("| disk per key (du / N) | B | 120.0 | — | — | — |"), std::string::npos) << md;
  EXPECT_NE(md.find("| memory per key ≤ 2.00 × rocksdb | 50.0 | 20.0 | 2.50 | **no** |"),
            std::string::npos)
      << md;
  // Against RocksDB, not the fastest engine (LevelDB here).
  EXPECT_NE(md.find("| readrandom ≥ 1.00 × rocksdb | 900 | 1,000 | 0.90 | **no** |"),
            std::string::npos)
      << md;
}

}  // namespace
}  // namespace bench
