// `dbx-torture exec` on the saver program (exec_saver.cc): the write-then-
// rename idiom is caught without fsyncs and passes with them, a finding
// replays to the same verdict, what the recorder cannot see or the rebuild
// cannot model stops the run loudly, and none of it needs root.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "exec_test_util.h"

namespace torture::testing {
namespace {

TEST(ExecSaver, UnsyncedWriteAndRenameIsCaughtWithin30Seconds) {
  TempDir dir;
  const auto r =
      run_timed(saver_args(dir / "report", "unsafe", 3, "--junit " + dir / "junit.xml"), dir);
  EXPECT_EQ(r.result.code, 1) << r.result.out << r.result.err;
  EXPECT_LT(r.seconds, 30.0);
  EXPECT_NE(r.result.out.find("violation check_failed"), std::string::npos) << r.result.out;
  EXPECT_TRUE(std::filesystem::exists(dir / "report/failures/exec-0001/exec.json"));
  const std::string junit = slurp(dir / "junit.xml");
  EXPECT_NE(junit.find("exec.drop.posix"), std::string::npos) << junit;
  EXPECT_NE(junit.find("<failure"), std::string::npos) << junit;
  EXPECT_TRUE(std::filesystem::exists(dir / "report/index.html"));
}

TEST(ExecSaver, FsyncRenameAndDirectoryFsyncPass) {
  TempDir dir;
  const auto r =
      run_timed(saver_args(dir / "report", "safe", 3, "--junit " + dir / "junit.xml"), dir);
  EXPECT_EQ(r.result.code, 0) << r.result.out << r.result.err;
  // Judged, not vacuous: every save has two syncs, each a crash point.
  EXPECT_NE(r.result.out.find("7 crash points"), std::string::npos) << r.result.out;
  EXPECT_NE(slurp(dir / "junit.xml").find("exec.torn.ext4-ordered"), std::string::npos);
}

TEST(ExecSaver, TimeLimitStopsJudgingEarly) {
  TempDir dir;
  const auto r = run_timed(saver_args(dir / "report", "safe", 40, "--time 1 --images-max 64"), dir);
  EXPECT_EQ(r.result.code, 0) << r.result.out << r.result.err;
  EXPECT_NE(r.result.out.find("(--time reached)"), std::string::npos) << r.result.out;
  EXPECT_LT(r.seconds, 20.0);
}

TEST(ExecSaver, AcknowledgementsAreStampedWithTheirTracePosition) {
  TempDir dir;
  ASSERT_EQ(run_torture(saver_args(dir / "report", "unsafe", 3, "--policies drop"), dir).code, 1);
  // Each save is open (create), write, rename: three records, then its ack.
  EXPECT_EQ(slurp(dir / "report/failures/exec-0001/acks.log"), "3\t1\n6\t2\n9\t3\n");
}

TEST(ExecSaver, ReplayOfAFindingReproducesItsVerdict) {
  TempDir dir;
  ASSERT_EQ(run_torture(saver_args(dir / "report", "unsafe", 2), dir).code, 1);
  const std::string finding = dir / "report/failures/exec-0001";
  const CliResult replayed = run_torture("exec --replay " + finding, dir);
  EXPECT_EQ(replayed.code, 1) << replayed.out << replayed.err;
  EXPECT_NE(replayed.out.find("reproduced: check_failed"), std::string::npos) << replayed.out;
  EXPECT_EQ(run_torture("replay " + finding, dir).code, 1);
  // The replay really runs a check: an accepting one passes the same image.
  EXPECT_EQ(run_torture("exec --replay " + finding + " --check true", dir).code, 0);
}

TEST(ExecSaver, ABinaryCheckOutputStillMakesAReport) {
  TempDir dir;
  const CliResult r = run_torture(
      "exec --policies drop --fs-model posix --report " + dir / "report" +
          " --check \"printf '\\377\\001'; false\" -- " + DBX_EXEC_SAVER_BIN + " unsafe 1",
      dir);
  EXPECT_EQ(r.code, 1) << r.out << r.err;
  const std::string summary = slurp(dir / "report/summary.json");
  EXPECT_NE(summary.find("output: ??"), std::string::npos) << summary;
}

TEST(ExecSaver, StdioWriteInsideTheRootIsRefusedLoudly) {
  TempDir dir;
  const CliResult r = run_torture(saver_args(dir / "report", "stdio", 1), dir);
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("stdio writes inside the root are not traced"), std::string::npos) << r.err;
}

TEST(ExecSaver, RmdirIsRecordedAndRebuilt) {
  TempDir dir;
  const CliResult r = run_torture(saver_args(dir / "report", "rmdir", 1), dir);
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_EQ(r.err.find("not yet supported"), std::string::npos) << r.err;
  // The rebuilt end state equals the real folder: no difference is warned of.
  EXPECT_EQ(r.err.find("differ"), std::string::npos) << r.err;
}

TEST(ExecSaver, RunsAsAnUnprivilegedUser) {
  TempDir dir;
  std::string args = saver_args(dir / "report", "unsafe", 2);
  if (::geteuid() == 0) {
    // As root, the whole run drops to nobody: no capability is needed.
    const std::string as_nobody = "setpriv --reuid=65534 --regid=65534 --clear-groups ";
    const std::string reach = as_nobody + "sh -c 'test -x " + DBX_TORTURE_BIN + " && test -x " +
                              DBX_EXEC_SAVER_BIN + " && rmdir \"$(mktemp -d)\"' 2>/dev/null";
    if (std::system(reach.c_str()) != 0) {
      GTEST_SKIP() << "nobody cannot reach the build tree or a temporary folder here";
    }
    std::filesystem::permissions(dir.path(), std::filesystem::perms::all);
    args = "exec --help >/dev/null && " + as_nobody + DBX_TORTURE_BIN + " " + args;
  }
  const CliResult r = run_torture(args, dir);
  EXPECT_EQ(r.code, 1) << r.out << r.err;
  EXPECT_TRUE(std::filesystem::exists(dir / "report/failures/exec-0001/image"));
}

}  // namespace
}  // namespace torture::testing
