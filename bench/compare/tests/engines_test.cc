// Every adapter against a tiny version of every suite: each suite checks what
// it reads (every key found with the value written, the scan's row count, the
// last write surviving SIGKILL), so a broken adapter fails here, not in a
// ten-minute bench/run.
//
// The recovery cases run first (gtest keeps declaration order): they fork, and
// a child is safest forked before other engines have started their threads.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "kv_engine.h"
#include "physical_limits.h"
#include "stopwatch.h"
#include "test_dirs.h"
#include "workloads.h"

namespace bench {
namespace {

std::string fresh_dir(const std::string& name) { return testing::fresh_dir(name); }

WorkloadSizes tiny() {
  WorkloadSizes sizes;
  sizes.fillseq_sync_writes = 20;
  sizes.fillrandom_sync_writes = 40;
  sizes.fill_writes = 2000;
  sizes.readrandom_reads = 2000;
  sizes.seekrandom_seeks = 200;
  sizes.recovery_writes = 2500;  // Not a multiple of SQLite's 1,000-row commits.
  return sizes;
}

double value_of(const Measurements& ms, const std::string& workload) {
  for (const Measurement& m : ms) {
    if (m.workload == workload) return m.value;
  }
  ADD_FAILURE() << "no " << workload;
  return 0;
}

class EachEngine : public ::testing::TestWithParam<std::string_view> {};

TEST_P(EachEngine, RecoveryFindsTheLastWriteOfAKilledWriter) {
  const std::string dir = fresh_dir(std::string(GetParam()) + "_recovery");
  auto measured = run_recovery(GetParam(), dir, tiny());
  ASSERT_TRUE(measured.is_ok()) << measured.status().to_string();
  EXPECT_GT(value_of(*measured, "recovery_s"), 0);
  EXPECT_GT(value_of(*measured, "recovery_wal_mb_s"), 0);  // The log was found and measured.
  std::filesystem::remove_all(dir);
}

TEST_P(EachEngine, LazySuiteReadsBackEveryKeyAndScansThemAll) {
  const std::string dir = fresh_dir(std::string(GetParam()) + "_lazy");
  auto measured = run_suite("lazy", GetParam(), dir, tiny());
  ASSERT_TRUE(measured.is_ok()) << measured.status().to_string();
  ASSERT_EQ(measured->size(), 5u);
  for (const char* w : {"fillrandom_lazy", "open_s", "readrandom", "seekrandom_next100", "scan"}) {
    EXPECT_GT(value_of(*measured, w), 0) << w;
  }
  std::filesystem::remove_all(dir);
}

TEST_P(EachEngine, AnExpiredTimeCapStillReadsAndScansExactlyWhatWasWritten) {
  const std::string dir = fresh_dir(std::string(GetParam()) + "_capped");
  WorkloadSizes sizes = tiny();
  sizes.fill_time_max_s = 0;  // Stops at the first poll.
  sizes.read_time_max_s = 0;
  sizes.seek_time_max_s = 0;
  auto measured = run_suite("lazy", GetParam(), dir, sizes);
  ASSERT_TRUE(measured.is_ok()) << measured.status().to_string();  // The scan's count matched.
  EXPECT_DOUBLE_EQ(value_of(*measured, "fillrandom_lazy_capped_writes"), Deadline::kPollEvery);
  EXPECT_DOUBLE_EQ(value_of(*measured, "readrandom_capped_reads"), Deadline::kPollEvery);
  // The seeks over a capped fill's gaps still met every predicted row count.
  EXPECT_DOUBLE_EQ(value_of(*measured, "seekrandom_next100_capped_seeks"), Deadline::kPollEvery);
  std::filesystem::remove_all(dir);
}

TEST_P(EachEngine, SyncSuitesRunSingleAndMultiThreaded) {
  for (const char* suite : {"fillseq_sync", "fillrandom_sync_4t"}) {
    const std::string dir = fresh_dir(std::string(GetParam()) + "_" + suite);
    auto measured = run_suite(suite, GetParam(), dir, tiny());
    ASSERT_TRUE(measured.is_ok()) << suite << ": " << measured.status().to_string();
    EXPECT_GT(value_of(*measured, suite), 0);
    std::filesystem::remove_all(dir);
  }
}

TEST_P(EachEngine, ARunRefusesADirectoryThatAlreadyExists) {
  const std::string dir = fresh_dir(std::string(GetParam()) + "_exists");
  std::filesystem::create_directories(dir);
  EXPECT_FALSE(run_suite("fillseq_sync", GetParam(), dir, tiny()).is_ok());
  std::filesystem::remove_all(dir);
}

INSTANTIATE_TEST_SUITE_P(Compare, EachEngine, ::testing::ValuesIn(kEngineNames),
                         [](const auto& param_info) { return std::string(param_info.param); });
// Not a name gtest accepts with its dash: "DbxEncrypted".
INSTANTIATE_TEST_SUITE_P(Encrypted, EachEngine, ::testing::Values(kDbxEncryptedName),
                         [](const auto&) { return std::string("DbxEncrypted"); });

// The encrypted variant really writes an encrypted database (its key file,
// engine/doc/encryption.md) and no plain one.
TEST(DbxEncrypted, WritesAKeyFileThatPlainDbxDoesNot) {
  for (const std::string_view engine : {std::string_view("dbx"), kDbxEncryptedName}) {
    const std::string dir = fresh_dir(std::string(engine) + "_keyfile");
    auto opened = make_engine(engine);
    ASSERT_TRUE(opened.is_ok()) << opened.status().to_string();
    ASSERT_TRUE((*opened)->open(dir, EngineOptions{}).is_ok());
    ASSERT_TRUE((*opened)->put("k", "v").is_ok());
    ASSERT_TRUE((*opened)->close().is_ok());
    EXPECT_EQ(std::filesystem::exists(dir + "/keys"), engine == kDbxEncryptedName) << engine;
    std::filesystem::remove_all(dir);
  }
}

TEST(FillrandomNone, RunsOnDbxAndIsRefusedByPeersWithoutANoLogLevel) {
  const std::string dbx_dir = fresh_dir("dbx_none");
  auto measured = run_suite("fillrandom_none", "dbx", dbx_dir, tiny());
  ASSERT_TRUE(measured.is_ok()) << measured.status().to_string();
  EXPECT_GT(value_of(*measured, "fillrandom_none"), 0);
  std::filesystem::remove_all(dbx_dir);
  const std::string sqlite_dir = fresh_dir("sqlite_none");
  EXPECT_FALSE(run_suite("fillrandom_none", "sqlite", sqlite_dir, tiny()).is_ok());
  std::filesystem::remove_all(sqlite_dir);
}

TEST(Suites, AnUnknownSuiteOrEngineIsAnErrorNotAnEmptyResult) {
  EXPECT_FALSE(run_suite("fillbogus", "dbx", fresh_dir("bogus"), tiny()).is_ok());
  EXPECT_FALSE(make_engine("berkeleydb").is_ok());
}

TEST(Limits, ProbesReportPositiveRatesAndCleanUp) {
  const std::string dir = fresh_dir("limits");
  LimitSizes sizes = LimitSizes::scaled(0.001);
  auto measured = run_limits(dir, sizes);
  ASSERT_TRUE(measured.is_ok()) << measured.status().to_string();
  ASSERT_EQ(measured->size(), 6u);
  for (const Measurement& m : *measured) {
    EXPECT_EQ(m.engine, "limits");
    EXPECT_GT(m.value, 0) << m.workload;
  }
  EXPECT_FALSE(std::filesystem::exists(dir));
}

}  // namespace
}  // namespace bench
