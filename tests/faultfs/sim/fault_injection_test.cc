// libfiu error points through FaultInjectionFs, over SimFs and over the real
// file system, and the failed-sync (writeback error) semantics of SimFs.
#include "faultfs/fault_injection.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "sim_test_util.h"

namespace faultfs {
namespace {

class FaultInjection : public ::testing::Test {
 protected:
  void TearDown() override { disable_all_faults(); }
};

TEST_F(FaultInjection, EveryOperationHasAPointThatFiresAndIsCounted) {
  SimFs sim;
  FAULTFS_ASSERT_OK(testing::put_file(sim, "f", "abc", true, true));
  FaultInjectionFs fs(sim);
  auto file = fs.open("f", OpenMode::kReadWrite);
  FAULTFS_ASSERT_OK(file);
  File& f = **file;
  char buf[4];
  struct Case {
    FaultOp op;
    std::function<Status()> call;
  };
  const std::vector<Case> cases = {
      {FaultOp::kOpen, [&] { return fs.open("f", OpenMode::kRead).status(); }},
      {FaultOp::kReadAt, [&] { return f.read_at(0, std::span<char>(buf, 4)).status(); }},
      {FaultOp::kAppend, [&] { return f.append("x"); }},
      {FaultOp::kWriteAt, [&] { return f.write_at(0, "x"); }},
      {FaultOp::kSync, [&] { return f.sync(); }},
      {FaultOp::kTruncate, [&] { return f.truncate(1); }},
      {FaultOp::kSize, [&] { return f.size().status(); }},
      {FaultOp::kRename, [&] { return fs.rename("f", "g"); }},
      {FaultOp::kRemove, [&] { return fs.remove("f"); }},
      {FaultOp::kMkdir, [&] { return fs.mkdir("d"); }},
      {FaultOp::kRmdir, [&] { return fs.rmdir("d"); }},
      {FaultOp::kList, [&] { return fs.list(".").status(); }},
      {FaultOp::kSyncDir, [&] { return fs.sync_dir("."); }},
      {FaultOp::kLock, [&] { return fs.lock("LOCK").status(); }},
      {FaultOp::kFileSize, [&] { return fs.file_size("f").status(); }},
      {FaultOp::kExists, [&] { return fs.exists("f").status(); }},
  };
  for (const Case& c : cases) {
    FAULTFS_ASSERT_OK(enable_fault(c.op, FaultKind::kIoError));
    const Status s = c.call();
    EXPECT_EQ(s.code(), ErrorCode::kIoError) << fault_point_name(c.op);
    EXPECT_EQ(fs.injected(c.op), 1u) << fault_point_name(c.op);
    disable_fault(c.op);
  }
  EXPECT_EQ(fs.injected_total(), cases.size());
  // Nothing reached SimFs: the file and the namespace are unchanged.
  EXPECT_EQ(sim.live_files(), (testing::Image{{"f", "abc"}}));
  FAULTFS_ASSERT_OK(enable_fault(FaultOp::kClose, FaultKind::kIoError));
  EXPECT_EQ(f.close().code(), ErrorCode::kIoError);
  EXPECT_EQ(fs.injected(FaultOp::kClose), 1u);
  EXPECT_EQ(fs.injected_total(), cases.size() + 1);
}

TEST_F(FaultInjection, NoSpaceKindAndOneShotPoints) {
  SimFs sim;
  FaultInjectionFs fs(sim);
  FAULTFS_ASSERT_OK(enable_fault(FaultOp::kMkdir, FaultKind::kNoSpace, /*once=*/true));
  EXPECT_EQ(fs.mkdir("d").code(), ErrorCode::kNoSpace);
  FAULTFS_EXPECT_OK(fs.mkdir("d"));
  EXPECT_EQ(fs.injected(FaultOp::kMkdir), 1u);
  fs.reset_injected();
  EXPECT_EQ(fs.injected_total(), 0u);
}

TEST_F(FaultInjection, ShortWriteStoresTheFailinfoPrefix) {
  SimFs sim;
  FaultInjectionFs fs(sim);
  auto file = fs.open("f", OpenMode::kCreate);
  FAULTFS_ASSERT_OK(file);
  FAULTFS_ASSERT_OK(enable_fault(FaultOp::kAppend, FaultKind::kShortWrite, true, 3));
  EXPECT_EQ((*file)->append("abcdef").code(), ErrorCode::kShortWrite);
  FAULTFS_ASSERT_OK(enable_fault(FaultOp::kWriteAt, FaultKind::kShortWrite, true));
  EXPECT_EQ((*file)->write_at(10, "wxyz").code(), ErrorCode::kShortWrite);  // Half: "wx".
  EXPECT_EQ(sim.live_files().at("f"), std::string("abc\0\0\0\0\0\0\0wx", 12));
}

TEST_F(FaultInjection, RandomPointsFireWithTheirProbability) {
  SimFs sim;
  FaultInjectionFs fs(sim);
  FAULTFS_ASSERT_OK(enable_fault_random(FaultOp::kExists, FaultKind::kIoError, 1.0));
  for (int i = 0; i < 10; ++i) EXPECT_FALSE(fs.exists("x").is_ok());
  FAULTFS_ASSERT_OK(enable_fault_random(FaultOp::kExists, FaultKind::kIoError, 0.0));
  for (int i = 0; i < 10; ++i) EXPECT_TRUE(fs.exists("x").is_ok());
  EXPECT_EQ(fs.injected(FaultOp::kExists), 10u);
  EXPECT_EQ(enable_fault_random(FaultOp::kExists, FaultKind::kIoError, 1.5).code(),
            ErrorCode::kInvalidArgument);
}

TEST_F(FaultInjection, InjectedAppendFailureLeavesARealFileUntouched) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("faultfs-fi-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "f").string();
  FaultInjectionFs fs(posix_file_system());
  FAULTFS_ASSERT_OK(testing::put_file(fs, path, "real", true, false));
  auto file = fs.open(path, OpenMode::kReadWrite);
  FAULTFS_ASSERT_OK(file);
  FAULTFS_ASSERT_OK(enable_fault(FaultOp::kAppend, FaultKind::kIoError));
  EXPECT_EQ((*file)->append("more").code(), ErrorCode::kIoError);
  FAULTFS_ASSERT_OK(enable_fault(FaultOp::kSync, FaultKind::kNoSpace));
  EXPECT_EQ((*file)->sync().code(), ErrorCode::kNoSpace);
  disable_all_faults();
  FAULTFS_ASSERT_OK((*file)->close());
  EXPECT_EQ(testing::must(read_file(posix_file_system(), path)), "real");
  EXPECT_EQ(fs.injected_total(), 2u);
  std::filesystem::remove_all(dir);
}

// Linux after a writeback error: the dirty data is dropped, the error is
// reported once, and a later sync succeeds with the data gone.
TEST_F(FaultInjection, FailedSyncOverSimFsDropsUnsyncedDataAndReportsOnce) {
  SimFs sim;
  FaultInjectionFs fs(sim);
  FAULTFS_ASSERT_OK(testing::put_file(fs, "f", "durable", true, true));
  auto file = fs.open("f", OpenMode::kReadWrite);
  FAULTFS_ASSERT_OK(file);
  FAULTFS_ASSERT_OK((*file)->append("-lost"));
  FAULTFS_ASSERT_OK(enable_fault(FaultOp::kSync, FaultKind::kIoError, /*once=*/true));
  EXPECT_EQ((*file)->sync().code(), ErrorCode::kIoError);
  EXPECT_EQ(fs.injected(FaultOp::kSync), 1u);
  EXPECT_EQ(sim.live_files().at("f"), "durable");
  EXPECT_EQ(sim.pending_changes(), 0u);
  EXPECT_EQ(sim.stats().failed_syncs, 1u);
  FAULTFS_EXPECT_OK((*file)->sync());
  FAULTFS_ASSERT_OK((*file)->append("-kept"));
  FAULTFS_ASSERT_OK((*file)->sync());
  std::mt19937_64 rng(1);
  EXPECT_EQ(sim.crash(testing::options(CrashPolicy::kDrop), rng)->live_files().at("f"),
            "durable-kept");
}

TEST(FailedSync, AsynchronousWritebackErrorIsReportedByTheNextSyncOnly) {
  SimFs fs;
  FAULTFS_ASSERT_OK(testing::put_file(fs, "f", "ok", true, true));
  auto file = fs.open("f", OpenMode::kReadWrite);
  FAULTFS_ASSERT_OK(file);
  FAULTFS_ASSERT_OK((*file)->append("gone"));
  FAULTFS_ASSERT_OK(fs.fail_writeback("f", ErrorCode::kNoSpace));
  EXPECT_EQ(testing::must(read_file(fs, "f")), "ok");
  EXPECT_EQ((*file)->sync().code(), ErrorCode::kNoSpace);
  FAULTFS_EXPECT_OK((*file)->sync());
  EXPECT_EQ(fs.stats().failed_syncs, 1u);
  EXPECT_EQ(fs.fail_writeback("missing", ErrorCode::kIoError).code(), ErrorCode::kNotFound);
}

#ifdef FAULTFS_FIU_PROBE
int run(const std::string& command) {
  // Under AddressSanitizer the fiu-run preload library comes before the ASan
  // runtime and libfiu keeps its point names for good: tell ASan both are fine.
  const std::string env = "ASAN_OPTIONS=verify_asan_link_order=0:detect_leaks=0 ";
  const int rc = std::system((env + command).c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

// The probe syncs one file through FaultInjectionFs over SimFs and exits 0 on
// success, 3 on EIO, 4 on ENOSPC.
TEST(FiuEnvironment, FiuRunAndFiuEnableVariableControlThePoints) {
  const std::string probe = FAULTFS_FIU_PROBE;
  EXPECT_EQ(run("env -u FIU_ENABLE " + probe), 0);
  EXPECT_EQ(run("fiu-run -f '' -c 'enable name=faultfs/sync' " + probe), 3);
  EXPECT_EQ(run("fiu-run -f '' -c 'enable name=faultfs/*,failnum=2' " + probe), 4);
  EXPECT_EQ(run("FIU_ENABLE='enable name=faultfs/sync,failnum=2' " + probe), 4);
}
#endif

}  // namespace
}  // namespace faultfs
