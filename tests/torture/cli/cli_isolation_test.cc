// The isolation judge end to end: DBX's transactions pass a campaign that
// interleaves them with plain writes, and each isolation double is caught
// with the anomaly it has, within 30 s, replays, and shrinks to at most 10
// operations of the same cause.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "cli_run.h"
#include "torture/artifact.h"

namespace torture::testing {
namespace {

using Json = nlohmann::json;

Json summary_of(const std::string& report) {
  return Json::parse(slurp(report + "/summary.json"), nullptr, /*allow_exceptions=*/false);
}

std::string first_artifact_of(const Json& summary, const std::string& report,
                              const std::string& kind) {
  for (const auto& v : summary["violations_list"]) {
    if (v["kind"] == kind) return report + "/" + v["artifact"].get<std::string>();
  }
  return "";
}

// `causes`: the distinct causes the campaign may stop at (the torn-commit
// double also loses updates, so its first cause may be that one).
void expect_caught_replayed_and_shrunk(const std::string& target, const std::string& kind,
                                       int causes = 1) {
  TempDir t;
  const std::string report = t / "report";
  const CliResult r =
      run_torture("run --target " + target + " --mode sim --time 30 --max-violations " +
                      std::to_string(causes) +
                      " --seed 1"
                      " --jobs 2 --quiet --report " +
                      report,
                  t);
  ASSERT_EQ(r.code, 1) << r.out << r.err;
  const Json s = summary_of(report);
  ASSERT_TRUE(s.is_object());
  const std::string found = first_artifact_of(s, report, kind);
  ASSERT_FALSE(found.empty()) << "no " << kind << " finding: " << r.out;
  const CliResult replay = run_torture("replay " + found, t);
  EXPECT_EQ(replay.code, 1) << replay.out << replay.err;
  EXPECT_NE(replay.out.find(kind), std::string::npos) << replay.out;
  const std::string shrunk_dir = t / "shrunk";
  const CliResult shrink = run_torture("shrink " + found + " --time 60 --out " + shrunk_dir, t);
  ASSERT_EQ(shrink.code, 0) << shrink.out << shrink.err;
  auto shrunk = read_artifact(shrunk_dir);
  ASSERT_TRUE(shrunk.is_ok()) << shrunk.status().message();
  EXPECT_EQ(shrunk->kind, kind);
  EXPECT_LE(workload_ops(shrunk->workload), 10u) << workload_to_json(shrunk->workload);
  EXPECT_EQ(run_torture("replay " + shrunk_dir, t).code, 1);
}

TEST(TortureIsolation, DbxTransactionsInterleavedWithPlainWritesPassBothModes) {
  for (const char* mode : {"sim", "fork"}) {
    TempDir t;
    const std::string report = t / "report";
    const CliResult r = run_torture(std::string("run --target dbx --mode ") + mode +
                                        " --time 8 --seed 5 --jobs 2 --quiet --report " + report,
                                    t);
    EXPECT_EQ(r.code, 0) << mode << r.out << r.err;
    const Json s = summary_of(report);
    ASSERT_TRUE(s.is_object()) << mode;
    EXPECT_GT(s["workloads"].get<uint64_t>(), 0u) << mode;
    if (std::string(mode) != "sim") continue;
    // Transactions did run, and met: a pass of a campaign without them says
    // nothing about isolation.
    const Json& features = s["reach"]["workload_features"];
    for (const char* outcome : {"txn_committed", "txn_conflicted", "txn_rolled_back"}) {
      ASSERT_TRUE(features.contains(outcome)) << outcome;
      EXPECT_GT(features[outcome].get<uint64_t>(), 0u) << outcome;
    }
  }
}

TEST(TortureIsolation, AGetThatSeesAnotherTransactionsUncommittedWriteIsADirtyRead) {
  expect_caught_replayed_and_shrunk("txn-dirty-read", "dirty_read");
}

TEST(TortureIsolation, ACommitWithoutAConflictCheckIsALostUpdate) {
  expect_caught_replayed_and_shrunk("txn-lost-update", "lost_update");
}

TEST(TortureIsolation, AGetOfTheLatestCommitInsteadOfTheSnapshotIsANonRepeatableRead) {
  expect_caught_replayed_and_shrunk("txn-read-latest", "non_repeatable_read");
}

TEST(TortureIsolation, ACommitWrittenOneOperationAtATimeIsATornCommit) {
  expect_caught_replayed_and_shrunk("txn-torn-commit", "torn_commit", 4);
}

// Fork mode: the threads' transactions run concurrently, and the judge works
// from the child's log alone; its finding replays from the saved log.
TEST(TortureIsolation, ForkModeCatchesEachLiveAnomalyAndReplaysItFromTheSavedLog) {
  for (const auto& [target, kind] :
       {std::pair<const char*, const char*>{"txn-lost-update", "lost_update"},
        {"txn-read-latest", "non_repeatable_read"},
        {"txn-dirty-read", "dirty_read"}}) {
    TempDir t;
    const std::string report = t / "report";
    const CliResult r = run_torture(std::string("run --target ") + target +
                                        " --mode fork --time 30 --max-violations 1 --seed 1"
                                        " --jobs 2 --quiet --report " +
                                        report,
                                    t);
    ASSERT_EQ(r.code, 1) << target << r.out << r.err;
    const std::string found = first_artifact_of(summary_of(report), report, kind);
    ASSERT_FALSE(found.empty()) << "no " << kind << " finding: " << r.out;
    const CliResult replay = run_torture("replay " + found, t);
    EXPECT_EQ(replay.code, 1) << replay.out << replay.err;
    EXPECT_NE(replay.out.find(kind), std::string::npos) << replay.out;
  }
}

}  // namespace
}  // namespace torture::testing
