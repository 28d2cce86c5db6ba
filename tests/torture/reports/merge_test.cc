// merge_summaries(): shards of one campaign add up; anything else is refused.
#include "reports/merge.h"

#include <gtest/gtest.h>

#include "report_fixtures.h"

namespace reports {
namespace {

using testing::passing_summary;
using testing::sample_violation;

// Shard `index` of a `count`-shard campaign, its counters scaled by `scale`.
Summary shard(uint32_t index, uint32_t count, uint64_t scale) {
  Summary s = passing_summary();
  s.config.shard = Shard{count, {index}};
  s.counters.workloads *= scale;
  s.counters.crash_states *= scale;
  for (auto& [name, n] : s.counters.crash_states_by_policy) n *= scale;
  for (auto& [name, n] : s.counters.crash_states_by_mode) n *= scale;
  for (auto& [name, n] : s.counters.crash_states_by_durability) n *= scale;
  for (auto& [key, n] : s.counters.crash_states_by_case) n *= scale;
  for (RatePoint& point : s.rate_series) point.crash_states *= scale;
  s.hostname = "host-" + std::to_string(index);
  s.started_unix_ms += index * 1000;
  s.finished_unix_ms += index * 2000;
  s.elapsed_s += index;
  return s;
}

TEST(Merge, SumsCountersAndKeepsTheCampaignConfig) {
  Summary a = shard(0, 2, 1);
  Summary b = shard(1, 2, 3);
  b.counters.crash_states_by_policy["process_kill"] = 7;
  Result<Summary> merged = merge_summaries({a, b});
  ASSERT_TRUE(merged.is_ok()) << merged.status().message();
  const Summary& m = merged.value();
  EXPECT_EQ(m.counters.workloads, a.counters.workloads + b.counters.workloads);
  EXPECT_EQ(m.counters.crash_states, a.counters.crash_states * 4);
  EXPECT_EQ(m.counters.crash_states_by_policy.at("torn"),
            a.counters.crash_states_by_policy.at("torn") * 4);
  EXPECT_EQ(m.counters.crash_states_by_policy.at("process_kill"), 7u);
  EXPECT_EQ(m.counters.crash_states_by_case.at(CaseKey{"lazy", "torn", "sim"}),
            a.counters.crash_states_by_case.at(CaseKey{"lazy", "torn", "sim"}) * 4);
  EXPECT_EQ(m.counters.io_errors_injected, 2 * a.counters.io_errors_injected);
  EXPECT_EQ(m.config.seed, a.config.seed);
  EXPECT_EQ(m.config.policies, a.config.policies);
  EXPECT_EQ(m.config.shard, (Shard{2, {0, 1}}));
  EXPECT_TRUE(m.config.shard.complete());
  EXPECT_EQ(m.config.jobs, a.config.jobs + b.config.jobs);
  EXPECT_EQ(m.elapsed_s, b.elapsed_s);  // Shards run in parallel: the longest one.
  EXPECT_EQ(m.started_unix_ms, a.started_unix_ms);
  EXPECT_EQ(m.finished_unix_ms, b.finished_unix_ms);
  EXPECT_EQ(m.hostname, "host-0, host-1");
  EXPECT_TRUE(validate(m).is_ok());
}

TEST(Merge, ConcatenatesViolationsInShardOrderWhateverTheArgumentOrder) {
  Summary a = shard(0, 3, 1);
  Summary b = shard(1, 3, 1);
  Summary c = shard(2, 3, 1);
  a.violations.push_back(sample_violation("s0-a", "lazy", "torn", "sim"));
  c.violations.push_back(sample_violation("s2-a", "full", "drop", "fork"));
  c.violations.push_back(sample_violation("s2-b", "full", "drop", "fork"));
  Result<Summary> forward = merge_summaries({a, b, c});
  Result<Summary> backward = merge_summaries({c, a, b});
  ASSERT_TRUE(forward.is_ok()) << forward.status().message();
  ASSERT_TRUE(backward.is_ok()) << backward.status().message();
  EXPECT_EQ(forward.value(), backward.value());
  ASSERT_EQ(forward.value().violations.size(), 3u);
  EXPECT_EQ(forward.value().violations[0].id, "s0-a");
  EXPECT_EQ(forward.value().violations[2].id, "s2-b");
}

TEST(Merge, RateSeriesIsTheSumOfTheShardsCumulativeCurves) {
  Summary a = shard(0, 2, 1);
  Summary b = shard(1, 2, 1);
  a.rate_series = {{1, 10}, {3, 30}};
  b.rate_series = {{2, 5}, {3, 6}, {4, 8}};
  Result<Summary> merged = merge_summaries({a, b});
  ASSERT_TRUE(merged.is_ok()) << merged.status().message();
  const std::vector<RatePoint> expected = {{1, 10}, {2, 15}, {3, 36}, {4, 38}};
  EXPECT_EQ(merged.value().rate_series, expected);
}

TEST(Merge, IncompleteShardSetMergesButIsMarkedIncomplete) {
  Result<Summary> merged = merge_summaries({shard(0, 4, 1), shard(3, 4, 1)});
  ASSERT_TRUE(merged.is_ok()) << merged.status().message();
  EXPECT_EQ(merged.value().config.shard, (Shard{4, {0, 3}}));
  EXPECT_FALSE(merged.value().config.shard.complete());
}

TEST(Merge, MergedSummaryMergesAgainWithTheRemainingShards) {
  Result<Summary> first = merge_summaries({shard(0, 3, 1), shard(2, 3, 1)});
  ASSERT_TRUE(first.is_ok()) << first.status().message();
  Result<Summary> all = merge_summaries({first.value(), shard(1, 3, 1)});
  ASSERT_TRUE(all.is_ok()) << all.status().message();
  Result<Summary> direct = merge_summaries({shard(0, 3, 1), shard(1, 3, 1), shard(2, 3, 1)});
  ASSERT_TRUE(direct.is_ok());
  EXPECT_EQ(all.value().counters, direct.value().counters);
  EXPECT_TRUE(all.value().config.shard.complete());
}

TEST(Merge, SingleSummaryMergesToItself) {
  Result<Summary> merged = merge_summaries({passing_summary()});
  ASSERT_TRUE(merged.is_ok()) << merged.status().message();
  EXPECT_EQ(merged.value(), passing_summary());
}

TEST(Merge, RejectsNothingToMerge) {
  Result<Summary> merged = merge_summaries({});
  ASSERT_FALSE(merged.is_ok());
  EXPECT_EQ(merged.status().message(), "merge: no summaries to merge");
}

TEST(Merge, RejectsTheSameShardTwice) {
  Result<Summary> merged = merge_summaries({shard(0, 2, 1), shard(1, 2, 1), shard(1, 2, 1)});
  ASSERT_FALSE(merged.is_ok());
  EXPECT_EQ(merged.status().message(), "merge: shard 1/2 appears twice (summaries 2 and 3)");
}

TEST(Merge, RejectsAMergedSummaryOverlappingAnotherShard) {
  Result<Summary> first = merge_summaries({shard(0, 3, 1), shard(1, 3, 1)});
  ASSERT_TRUE(first.is_ok());
  Result<Summary> again = merge_summaries({first.value(), shard(1, 3, 1)});
  ASSERT_FALSE(again.is_ok());
  EXPECT_NE(again.status().message().find("shard 1/3 appears twice"), std::string::npos);
}

TEST(Merge, RejectsShardsOfDifferentCampaignsNamingTheField) {
  struct Case {
    std::string expected;
    void (*change)(Summary*);
  };
  const std::vector<Case> cases = {
      {"seed 42 vs 43", [](Summary* s) { s->config.seed = 43; }},
      {"target dbx vs sqlite", [](Summary* s) { s->config.target = "sqlite"; }},
      {"shard count 2 vs 3",
       [](Summary* s) {
         s->config.shard = Shard{3, {1}};
       }},
      {"policies [drop,prefix,reorder,torn,corrupt] vs [drop]",
       [](Summary* s) {
         s->config.policies = {"drop"};
         s->fault_model = describe_fault_model("posix", {"drop"}, 512);
       }},
      {"modes [sim,fork] vs [sim]", [](Summary* s) { s->config.modes = {"sim"}; }},
      {"durability [none,lazy,full] vs [lazy]",
       [](Summary* s) { s->config.durability = {"lazy"}; }},
      {"fs_model posix vs ext4-ordered",
       [](Summary* s) {
         s->config.fs_model = "ext4-ordered";
         s->fault_model.fs_model = "ext4-ordered";
       }},
      {"ops 100 vs 10", [](Summary* s) { s->config.ops = 10; }},
      {"threads 2 vs 4", [](Summary* s) { s->config.threads = 4; }},
      {"io_errors on vs off", [](Summary* s) { s->config.io_errors = false; }},
      {"time_limit_s 60.000000 vs 30.000000", [](Summary* s) { s->config.time_limit_s = 30.0; }},
      {"workloads_limit none vs 9", [](Summary* s) { s->config.workloads_limit = 9; }},
      {"fault_model.sector_size_bytes 512 vs 4096",
       [](Summary* s) { s->fault_model.sector_size_bytes = 4096; }},
      {"engine_version 0.1.0 vs 0.2.0", [](Summary* s) { s->engine_version = "0.2.0"; }},
  };
  for (const Case& c : cases) {
    Summary other = shard(1, 2, 1);
    c.change(&other);
    ASSERT_TRUE(validate(other).is_ok()) << c.expected;
    Result<Summary> merged = merge_summaries({shard(0, 2, 1), other});
    ASSERT_FALSE(merged.is_ok()) << c.expected;
    EXPECT_EQ(merged.status().message(),
              "merge: shard 1/" + std::to_string(other.config.shard.count) +
                  " is from another campaign than shard 0/2: " + c.expected);
  }
}

TEST(Merge, DifferentJobCountsAreTheSameCampaign) {
  Summary a = shard(0, 2, 1);
  Summary b = shard(1, 2, 1);
  b.config.jobs = 16;
  Result<Summary> merged = merge_summaries({a, b});
  ASSERT_TRUE(merged.is_ok()) << merged.status().message();
  EXPECT_EQ(merged.value().config.jobs, a.config.jobs + 16);
}

TEST(Merge, RejectsAViolationIdThatTwoShardsShare) {
  Summary a = shard(0, 2, 1);
  Summary b = shard(1, 2, 1);
  a.violations.push_back(sample_violation("v1", "lazy", "torn", "sim"));
  b.violations.push_back(sample_violation("v1", "lazy", "torn", "sim"));
  Result<Summary> merged = merge_summaries({a, b});
  ASSERT_FALSE(merged.is_ok());
  EXPECT_EQ(merged.status().message(),
            "merge: violation id \"v1\" appears in two shards; ids must be unique in a campaign");
}

TEST(Merge, RejectsCounterOverflow) {
  Summary a = shard(0, 2, 1);
  Summary b = shard(1, 2, 1);
  a.counters.io_errors_injected = UINT64_MAX;
  Result<Summary> merged = merge_summaries({a, b});
  ASSERT_FALSE(merged.is_ok());
  EXPECT_EQ(merged.status().message(), "merge: a counter overflows 64 bits");
}

TEST(Merge, RejectsAMalformedInput) {
  Summary bad = shard(1, 2, 1);
  bad.config.modes.clear();
  Result<Summary> merged = merge_summaries({shard(0, 2, 1), bad});
  ASSERT_FALSE(merged.is_ok());
  EXPECT_EQ(merged.status().message(),
            "merge: summary 2 is malformed: modes: must list at least one name");
}

TEST(Merge, ThinsAMergedRateSeriesToTheLimitKeepingTheFinalCount) {
  std::vector<Summary> shards;
  for (uint32_t i = 0; i < 3; i++) {
    Summary s = shard(i, 3, 1);
    s.rate_series.clear();
    for (size_t k = 1; k <= kRatePointsMax; k++) {
      s.rate_series.push_back({static_cast<double>(k) + i / 3.0, k});
    }
    s.counters.crash_states = kRatePointsMax;
    shards.push_back(s);
  }
  Result<Summary> merged = merge_summaries(shards);
  ASSERT_TRUE(merged.is_ok()) << merged.status().message();
  ASSERT_EQ(merged.value().rate_series.size(), kRatePointsMax);
  EXPECT_EQ(merged.value().rate_series.back().crash_states, 3 * kRatePointsMax);
}

}  // namespace
}  // namespace reports
