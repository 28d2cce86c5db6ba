// Exit code 2 (usage or set-up error, one clear line) for every way a
// command line or an artifact can be wrong; never a crash.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "cli_run.h"

namespace torture::testing {
namespace {

void expect_usage_error(const CliResult& r, const std::string& needle) {
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_EQ(count_lines(r.err), 1u) << r.err;
  EXPECT_NE(r.err.find(needle), std::string::npos) << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;
}

TEST(TortureCli, ListTargetsNamesDbxFirstThenEveryDouble) {
  TempDir t;
  const CliResult r = run_torture("list-targets", t);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("dbx\t", 0), 0u) << r.out;
  for (const char* name :
       {"mini-kv", "no-sync-full", "ack-before-record-done", "wal-cut-early", "no-dir-sync",
        "torn-tail-replayed", "delete-not-logged", "failed-sync-retried"}) {
    EXPECT_NE(r.out.find(std::string("\n") + name + "\t"), std::string::npos) << name;
  }
}

TEST(TortureCli, UnknownFlagExitsTwoWithOneLine) {
  TempDir t;
  expect_usage_error(run_torture("run --no-such-flag", t), "--no-such-flag");
}

TEST(TortureCli, NoSubcommandExitsTwo) {
  TempDir t;
  EXPECT_EQ(run_torture("", t).code, 2);
}

TEST(TortureCli, UnknownTargetExitsTwo) {
  TempDir t;
  expect_usage_error(run_torture("run --target nope --workloads 1 --report " + (t / "r"), t),
                     "unknown target 'nope'");
}

TEST(TortureCli, UnknownPolicyDurabilityModeAndFsModelExitTwo) {
  TempDir t;
  expect_usage_error(run_torture("run --policy drop,melt", t), "melt");
  expect_usage_error(run_torture("run --durability eventual", t), "eventual");
  expect_usage_error(run_torture("run --mode vm", t), "vm");
  expect_usage_error(run_torture("run --fs-model loose", t), "--fs-model");
  // The retired flag and model are refused, naming what replaces them.
  expect_usage_error(run_torture("run --dir-mode strict", t), "--fs-model posix|ext4-ordered");
  expect_usage_error(run_torture("run --fs-model lenient", t), "use ext4-ordered");
  expect_usage_error(run_torture("run --io-errors maybe", t), "io-errors");
}

TEST(TortureCli, MalformedShardExitsTwo) {
  TempDir t;
  expect_usage_error(run_torture("run --shard 2/2", t), "--shard");
  expect_usage_error(run_torture("run --shard 1of2", t), "--shard");
  expect_usage_error(run_torture("run --shard 0/0", t), "--shard");
}

TEST(TortureCli, TimeAndWorkloadsTogetherExitTwo) {
  TempDir t;
  expect_usage_error(run_torture("run --time 1 --workloads 1", t), "--workloads");
}

TEST(TortureCli, OutOfRangeNumbersExitTwo) {
  TempDir t;
  expect_usage_error(run_torture("run --ops 0", t), "--ops");
  expect_usage_error(run_torture("run --jobs 0", t), "--jobs");
  expect_usage_error(run_torture("run --time -3", t), "--time");
}

TEST(TortureCli, UnwritableReportDirExitsTwo) {
  TempDir t;
  std::ofstream(t / "file") << "not a directory";
  const CliResult r =
      run_torture("run --target mini-kv --mode sim --workloads 1 --ops 5 --quiet --report " +
                      (t / "file") + "/r",
                  t);
  expect_usage_error(r, "report dir");
}

TEST(TortureCli, ReplayOfMissingFolderExitsTwo) {
  TempDir t;
  expect_usage_error(run_torture("replay " + (t / "absent"), t), "malformed artifact");
}

TEST(TortureCli, ReplayOfCorruptArtifactsExitsTwoNeverCrashes) {
  TempDir t;
  const std::string dir = t / "a";
  std::filesystem::create_directories(dir);
  const char* bodies[] = {
      "",
      "{",
      "[]",
      "{\"format\":\"dbx-torture-artifact\",\"version\":1}",
      "{\"format\":\"dbx-torture-artifact\",\"version\":99}",
      "{\"format\":\"something-else\",\"version\":1}",
  };
  for (const char* body : bodies) {
    std::ofstream(dir + "/artifact.json", std::ios::trunc) << body;
    expect_usage_error(run_torture("replay " + dir, t), "malformed artifact");
    expect_usage_error(run_torture("shrink " + dir, t), "malformed artifact");
  }
}

TEST(TortureCli, MergeOfMissingReportExitsTwo) {
  TempDir t;
  expect_usage_error(run_torture("merge " + (t / "absent") + " --report " + (t / "out"), t),
                     "summary.json");
}

}  // namespace
}  // namespace torture::testing
