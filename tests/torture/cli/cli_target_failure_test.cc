// A target whose recovery aborts or never returns: each is a finding
// (target_crashed, target_hung) with an artifact that replays it, and the
// campaign goes on past it instead of dying or hanging with the target.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>

#include "cli_run.h"
#include "reports/report_files.h"

namespace torture::testing {
namespace {

reports::Summary campaign_against(const std::string& target, const std::string& extra,
                                  const TempDir& t, CliResult* r) {
  *r = run_torture("run --target " + target +
                       " --mode sim --time 6 --seed 1 --jobs 2 --max-violations 10000 --quiet "
                       "--report " +
                       (t / "report") + " " + extra,
                   t);
  auto summary = reports::read_report_dir(t / "report");
  EXPECT_TRUE(summary.is_ok()) << summary.status().message() << r->out << r->err;
  return summary.is_ok() ? summary.value() : reports::Summary();
}

size_t count_kind(const reports::Summary& s, const std::string& kind) {
  size_t n = 0;
  for (const reports::Violation& v : s.violations) n += v.kind == kind ? 1 : 0;
  return n;
}

TEST(TortureTargetFailures, AbortInRecoveryIsAFindingAndTheCampaignGoesOn) {
  TempDir t;
  CliResult r;
  const reports::Summary s = campaign_against("abort-in-recovery", "", t, &r);
  EXPECT_EQ(r.code, 1) << r.out << r.err;
  // More than one: the campaign carried on past the first abort.
  EXPECT_GE(count_kind(s, "target_crashed"), 2u) << r.out;
  EXPECT_EQ(count_kind(s, "target_crashed"), s.violations.size());
  EXPECT_GT(s.counters.crash_states, 0u);
  ASSERT_FALSE(s.violations.empty());
  const reports::Violation& v = s.violations.front();
  EXPECT_NE(v.detail.find("SIGABRT"), std::string::npos) << v.detail;
  // The double aborts on finding its checkpoint.tmp; a lost-file crash names
  // the lost path instead, so some finding (not always the first) names it.
  EXPECT_TRUE(std::any_of(s.violations.begin(), s.violations.end(), [](const auto& f) {
    return f.crash_file.find("checkpoint.tmp") != std::string::npos;
  })) << v.crash_file;
  const CliResult replay = run_torture("replay " + (t / "report") + "/" + v.artifact, t);
  EXPECT_EQ(replay.code, 1) << replay.out << replay.err;
  EXPECT_NE(replay.out.find("STILL FAILS: target_crashed"), std::string::npos) << replay.out;
}

TEST(TortureTargetFailures, ControlDoubleHasNoTargetCrash) {
  TempDir t;
  CliResult r;
  const reports::Summary s = campaign_against("mini-kv", "", t, &r);
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_TRUE(s.violations.empty());
}

TEST(TortureTargetFailures, HangInRecoveryIsAFindingAndTheCampaignGoesOn) {
  TempDir t;
  ::setenv("DBX_TORTURE_RECOVERY_TIMEOUT_S", "1", 1);
  CliResult r;
  const reports::Summary s = campaign_against("hang-in-recovery", "", t, &r);
  ::unsetenv("DBX_TORTURE_RECOVERY_TIMEOUT_S");
  EXPECT_EQ(r.code, 1) << r.out << r.err;
  EXPECT_GE(count_kind(s, "target_hung"), 2u) << r.out;
  EXPECT_EQ(count_kind(s, "target_hung"), s.violations.size());
  ASSERT_FALSE(s.violations.empty());
  ::setenv("DBX_TORTURE_RECOVERY_TIMEOUT_S", "1", 1);
  const CliResult replay =
      run_torture("replay " + (t / "report") + "/" + s.violations.front().artifact, t);
  ::unsetenv("DBX_TORTURE_RECOVERY_TIMEOUT_S");
  EXPECT_EQ(replay.code, 1) << replay.out << replay.err;
  EXPECT_NE(replay.out.find("STILL FAILS: target_hung"), std::string::npos) << replay.out;
}

}  // namespace
}  // namespace torture::testing
