// The JSON form's version: a crash step's seed travels with the step
// (version 2), older files read with the seeds they implied (version 1), and
// a newer file is refused rather than misread.
#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <string>

#include "torture/workload.h"

namespace torture {
namespace {

using nlohmann::json;

// A generated workload with at least one crash step after its first step.
Workload workload_with_crash_steps() {
  for (uint64_t seed = 1; seed < 100; ++seed) {
    Workload w = generate_workload(seed, WorkloadShape{100, false});
    const auto crash = std::find_if(w.steps.begin() + 1, w.steps.end(),
                                    [](const Step& s) { return s.kind == StepKind::kCrash; });
    if (crash != w.steps.end()) return w;
  }
  ADD_FAILURE() << "no seed below 100 draws a crash step";
  return {};
}

TEST(WorkloadVersion, ACrashStepKeepsItsSeedWhenTheStepsBeforeItAreDropped) {
  Workload w = workload_with_crash_steps();
  const auto crash = std::find_if(w.steps.begin() + 1, w.steps.end(),
                                  [](const Step& s) { return s.kind == StepKind::kCrash; });
  ASSERT_NE(crash, w.steps.end());
  const uint64_t seed_before = crash->crash_seed;
  EXPECT_NE(seed_before, 0u);
  w.steps.erase(w.steps.begin(), crash);  // What a shrink candidate does.
  auto back = workload_from_json(workload_to_json(w));
  ASSERT_TRUE(back.is_ok()) << back.status().to_string();
  ASSERT_EQ(back->steps.front().kind, StepKind::kCrash);
  EXPECT_EQ(back->steps.front().crash_seed, seed_before);
}

TEST(WorkloadVersion, DistinctCrashStepsDrawDistinctSeeds) {
  const Workload w = generate_workload(7, WorkloadShape{2000, false});
  std::vector<uint64_t> seeds;
  for (const Step& s : w.steps) {
    if (s.kind == StepKind::kCrash) {
      seeds.push_back(s.crash_seed);
    } else {
      EXPECT_EQ(s.crash_seed, 0u);
    }
  }
  ASSERT_GT(seeds.size(), 10u);
  std::sort(seeds.begin(), seeds.end());
  EXPECT_EQ(std::adjacent_find(seeds.begin(), seeds.end()), seeds.end());
}

// The file as dbx-torture wrote it before crash steps carried a seed.
std::string as_version_1(const Workload& w, bool with_version_field) {
  json j = json::parse(workload_to_json(w));
  if (with_version_field) {
    j["version"] = 1;
  } else {
    j.erase("version");
  }
  for (json& step : j["steps"]) step.erase("draw");
  return j.dump();
}

TEST(WorkloadVersion, AVersion1FileReadsWithTheSeedsItsStepIndicesImplied) {
  const Workload w = workload_with_crash_steps();
  for (bool with_version_field : {true, false}) {
    auto back = workload_from_json(as_version_1(w, with_version_field));
    ASSERT_TRUE(back.is_ok()) << back.status().to_string();
    EXPECT_EQ(back.value(), w) << "version field present: " << with_version_field;
  }
}

TEST(WorkloadVersion, AVersion2CrashStepWithoutItsDrawIsCorruption) {
  json j = json::parse(workload_to_json(workload_with_crash_steps()));
  for (json& step : j["steps"]) step.erase("draw");
  auto back = workload_from_json(j.dump());
  ASSERT_FALSE(back.is_ok());
  EXPECT_EQ(back.status().code(), faultfs::ErrorCode::kCorruption);
  EXPECT_NE(back.status().to_string().find("draw"), std::string::npos) << back.status().to_string();
}

TEST(WorkloadVersion, ANewerVersionIsRefusedNamingTheVersion) {
  for (int version : {0, 4, 99}) {
    json j = json::parse(workload_to_json(workload_with_crash_steps()));
    j["version"] = version;
    auto back = workload_from_json(j.dump());
    ASSERT_FALSE(back.is_ok()) << version;
    EXPECT_EQ(back.status().code(), faultfs::ErrorCode::kCorruption);
    EXPECT_NE(back.status().to_string().find("version " + std::to_string(version)),
              std::string::npos)
        << back.status().to_string();
  }
}

}  // namespace
}  // namespace torture
