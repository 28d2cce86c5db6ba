// SQLite through the faultfs VFS as campaign targets: synchronous=OFF judged
// as Full is caught within 30 s, and WAL with synchronous=FULL passes in the
// journal (ext4-like) directory model.
//
// Both runs stay within the contract (no corrupt or lost-file policy: SQLite
// keeps no page checksums and cannot tell a lost file from a new database,
// targets/sqlite/FINDINGS.md) and inject no I/O errors (after a failed WAL
// fsync SQLite's closing checkpoint trusts frames the failed writeback
// dropped: a finding of its own, in FINDINGS.md), so that each run judges
// what it names: durability on power loss.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "cli_run.h"

namespace torture::testing {
namespace {

using Json = nlohmann::json;

constexpr const char* kWithinContract = " --policy drop,prefix,reorder,torn --io-errors off";

// ext4's data=ordered journal: what SQLite is written for.
constexpr const char* kExt4Ordered = " --fs-model ext4-ordered";

Json read_summary(const std::string& report) {
  return Json::parse(slurp(report + "/summary.json"), nullptr, /*allow_exceptions=*/false);
}

TEST(TortureSqlite, SynchronousOffJudgedAsFullIsCaughtWithinThirtySeconds) {
  TempDir t;
  const std::string report = t / "report";
  const CliResult r =
      run_torture(std::string("run --target sqlite-wal-off --time 30 --seed 1 --jobs 2 --quiet "
                              "--max-violations 1") +
                      kWithinContract + " --report " + report,
                  t);
  EXPECT_EQ(r.code, 1) << r.out << r.err;
  const Json s = read_summary(report);
  ASSERT_TRUE(s.is_object()) << r.out << r.err;
  EXPECT_GT(s.at("violations").get<uint64_t>(), 0u);
  ASSERT_TRUE(s.at("first_violation_s").is_number()) << s.dump(1);
  EXPECT_LT(s.at("first_violation_s").get<double>(), 30.0);
  // Each cause is a power loss's (no I/O error was injected): a write
  // acknowledged as durable that the crash took back, whole or in part.
  for (const Json& cause : s.at("causes")) {
    EXPECT_NE(cause.at("policy").get<std::string>(), "io_error") << cause.dump();
  }
}

TEST(TortureSqlite, WalWithSynchronousFullPassesInTheJournalModel) {
  TempDir t;
  const std::string report = t / "report";
  const CliResult r =
      run_torture(std::string("run --target sqlite-wal-full --time 10 --seed 1 --jobs 2 --quiet") +
                      kExt4Ordered + std::string(kWithinContract) + " --report " + report,
                  t);
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  const Json s = read_summary(report);
  ASSERT_TRUE(s.is_object()) << r.out << r.err;
  EXPECT_EQ(s.at("violations").get<uint64_t>(), 0u) << s.at("causes").dump(1);
  EXPECT_GT(s.at("crash_states").get<uint64_t>(), 0u) << "judged nothing";
}

// A cycle no order of the in-flight writes explains (a corrupt image SQLite
// reads as data) is reported as that image's finding, never as the kill
// state that only the writers' issue order fails (a false "hole under kill":
// SQLite serializes its commits, and a process kill loses nothing).
TEST(TortureSqlite, AnUndetectedCorruptionIsNotReportedAsAHoleUnderKill) {
  TempDir t;
  const std::string report = t / "report";
  const CliResult r = run_torture(
      "run --target sqlite-wal-full --mode fork --threads 4 --policy corrupt --io-errors off "
      "--workloads 300 --seed 2 --jobs 2 --quiet --max-violations 10000 --report " +
          report,
      t);
  EXPECT_EQ(r.code, 1) << r.out << r.err;
  const Json s = read_summary(report);
  ASSERT_TRUE(s.is_object()) << r.out << r.err;
  ASSERT_FALSE(s.at("causes").empty());
  for (const Json& cause : s.at("causes")) {
    EXPECT_EQ(cause.at("policy").get<std::string>(), "corrupt") << cause.dump();
  }
}

}  // namespace
}  // namespace torture::testing
