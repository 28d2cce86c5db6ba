// The sqlite3 shell under `dbx-torture exec`: rows inserted one invocation
// each in WAL mode, every acknowledged id demanded after each crash. With
// synchronous=FULL SQLite keeps its promise; with synchronous=OFF it makes
// none, and the run must say so.
#include <gtest/gtest.h>

#include <filesystem>

#include "exec_test_util.h"

namespace torture::testing {
namespace {

constexpr const char* kSqlite = "/usr/bin/sqlite3";

std::string sqlite_args(const std::string& report, const std::string& synchronous) {
  const std::string scripts = DBX_EXEC_SCRIPTS_DIR;
  return "exec --seed 3 --jobs 2 --images-max 2 --report " + report + " --check '" + scripts +
         "/sqlite_check.sh {dir} {acks}' -- " + scripts + "/sqlite_insert_loop.sh 5 " + synchronous;
}

TEST(ExecSqlite, WalWithFullSyncKeepsEveryAcknowledgedRow) {
  if (!std::filesystem::exists(kSqlite)) GTEST_SKIP() << kSqlite << " is not installed";
  TempDir dir;
  const auto r = run_timed(sqlite_args(dir / "report", "FULL"), dir);
  EXPECT_EQ(r.result.code, 0) << r.result.out << r.result.err;
  EXPECT_NE(r.result.out.find("5 acknowledgements"), std::string::npos) << r.result.out;
  EXPECT_LT(r.seconds, 60.0);
}

TEST(ExecSqlite, WalWithSynchronousOffIsCaught) {
  if (!std::filesystem::exists(kSqlite)) GTEST_SKIP() << kSqlite << " is not installed";
  TempDir dir;
  const auto r = run_timed(sqlite_args(dir / "report", "OFF"), dir);
  EXPECT_EQ(r.result.code, 1) << r.result.out << r.result.err;
  EXPECT_LT(r.seconds, 60.0);
}

}  // namespace
}  // namespace torture::testing
