// The reach table: its rows survive summary.json and merge, and a path no
// crash state reached is named, in the JSON and on index.html, never hidden.
#include <gtest/gtest.h>

#include "report_fixtures.h"
#include "reports/html_report.h"
#include "reports/merge.h"
#include "reports/summary_json.h"

namespace reports {
namespace {

using testing::passing_summary;

Summary with_reach(uint64_t kill_count) {
  Summary s = passing_summary();
  s.counters.reach.kill_points = {{"dbx/wal/before_sync", kill_count}, {"dbx/wal/after_sync", 3}};
  s.counters.reach.recovery_outcomes = {{"torn_tail_dropped", 7}, {"second_generation", 2}};
  s.counters.reach.workload_features = {{"concurrent_writers", 4}};
  return s;
}

TEST(Reach, UnreachedNamesEveryZeroRowWithItsSection) {
  Summary s = with_reach(0);
  s.counters.reach.workload_features["crash_step"] = 0;
  EXPECT_EQ(unreached(s.counters.reach), (std::vector<std::string>{"kill_point dbx/wal/before_sync",
                                                                   "workload_feature crash_step"}));
  EXPECT_TRUE(unreached(with_reach(1).counters.reach).empty());
}

TEST(Reach, RoundTripsThroughSummaryJsonWithTheUnreachedList) {
  const Summary s = with_reach(0);
  const std::string text = summary_to_json(s);
  EXPECT_NE(text.find("\"unreached\""), std::string::npos);
  EXPECT_NE(text.find("kill_point dbx/wal/before_sync"), std::string::npos);
  auto read = summary_from_json(text);
  ASSERT_TRUE(read.is_ok()) << read.status().message();
  EXPECT_EQ(read.value().counters.reach, s.counters.reach);
}

TEST(Reach, AnOlderSummaryWithoutReachStillReads) {
  Summary s = passing_summary();
  auto read = summary_from_json(summary_to_json(s));
  ASSERT_TRUE(read.is_ok()) << read.status().message();
  EXPECT_TRUE(read.value().counters.reach.kill_points.empty());
}

TEST(Reach, MergeAddsRowsAndAZeroRowStaysListed) {
  Summary a = with_reach(0);
  Summary b = with_reach(0);
  a.config.shard = Shard{2, {0}};
  b.config.shard = Shard{2, {1}};
  auto merged = merge_summaries({a, b});
  ASSERT_TRUE(merged.is_ok()) << merged.status().message();
  EXPECT_EQ(merged.value().counters.reach.kill_points.at("dbx/wal/after_sync"), 6u);
  EXPECT_EQ(merged.value().counters.reach.kill_points.at("dbx/wal/before_sync"), 0u);
  EXPECT_EQ(merged.value().counters.reach.recovery_outcomes.at("torn_tail_dropped"), 14u);
}

TEST(Reach, IndexHtmlFlagsAZeroRowAndSaysWhenEveryPathWasReached) {
  const std::string flagged = render_html_report(with_reach(0));
  EXPECT_NE(flagged.find("id=\"reach\""), std::string::npos);
  EXPECT_NE(flagged.find("1 path(s) never reached"), std::string::npos);
  EXPECT_NE(
      flagged.find("<tr class=\"unreached\"><td>kill point</td><td><code>dbx/wal/before_sync"),
      std::string::npos);
  const std::string clean = render_html_report(with_reach(5));
  EXPECT_NE(clean.find("Every path listed below was reached"), std::string::npos);
  EXPECT_EQ(clean.find("never reached"), std::string::npos);
}

}  // namespace
}  // namespace reports
