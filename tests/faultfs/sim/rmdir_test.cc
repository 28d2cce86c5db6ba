// rmdir through the seam: its errors on SimFs and on the real file system,
// its crash behaviour (an un-synced rmdir may come back under kPosix; the
// ext4-ordered journal commits it with any later fsync), and its trace
// record, which rebuilds to the same state.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "faultfs/recorder.h"
#include "faultfs/trace.h"
#include "sim_test_util.h"

namespace faultfs {
namespace {

using testing::options;

// Which of the images `fs` may crash into under `o` still have `path`: the
// set of answers (true, false) over every enumerated image.
std::set<bool> exists_after_crash(const SimFs& fs, const CrashOptions& o) {
  std::mt19937_64 rng(3);
  std::set<bool> out;
  for (const CrashChoice& choice : fs.enumerate_crashes(o, 256, rng)) {
    auto image = testing::must(fs.crash_with(o, choice));
    out.insert(testing::must(image->exists("d")));
  }
  return out;
}

void expect_rmdir_errors(FileSystem& fs, const std::string& root) {
  const std::string dir = join_path(root, "d");
  FAULTFS_ASSERT_OK(fs.mkdir(dir));
  FAULTFS_ASSERT_OK(testing::put_file(fs, join_path(dir, "f"), "x", false, false));
  EXPECT_EQ(fs.rmdir(dir).code(), ErrorCode::kInvalidArgument);                  // Not empty.
  EXPECT_EQ(fs.rmdir(join_path(dir, "f")).code(), ErrorCode::kInvalidArgument);  // A file.
  EXPECT_EQ(fs.rmdir(join_path(root, "missing")).code(), ErrorCode::kNotFound);
  FAULTFS_ASSERT_OK(fs.remove(join_path(dir, "f")));
  FAULTFS_ASSERT_OK(fs.rmdir(dir));
  EXPECT_FALSE(testing::must(fs.exists(dir)));
  EXPECT_EQ(fs.rmdir(dir).code(), ErrorCode::kNotFound);
}

TEST(Rmdir, SimFsRefusesMissingNonEmptyAndFilesThenRemovesAnEmptyDirectory) {
  SimFs fs;
  expect_rmdir_errors(fs, "");
  EXPECT_EQ(fs.rmdir("").code(), ErrorCode::kInvalidArgument);  // The root.
  EXPECT_TRUE(testing::must(fs.list("")).empty());
}

TEST(Rmdir, PosixFileSystemRefusesMissingNonEmptyAndFilesThenRemovesAnEmptyDirectory) {
  const auto root =
      std::filesystem::temp_directory_path() / ("faultfs-rmdir-" + std::to_string(::getpid()));
  std::filesystem::remove_all(root);
  std::filesystem::create_directories(root);
  expect_rmdir_errors(posix_file_system(), root.string());
  std::filesystem::remove_all(root);
}

TEST(Rmdir, UnsyncedRmdirMayComeBackUnderPosixUntilTheParentIsSynced) {
  SimFs fs;
  FAULTFS_ASSERT_OK(fs.mkdir("d"));
  FAULTFS_ASSERT_OK(fs.sync_dir(""));
  FAULTFS_ASSERT_OK(fs.rmdir("d"));
  EXPECT_FALSE(testing::must(fs.exists("d")));
  EXPECT_EQ(exists_after_crash(fs, options(CrashPolicy::kDrop)), std::set<bool>{true});
  EXPECT_EQ(exists_after_crash(fs, options(CrashPolicy::kReorder)), (std::set<bool>{true, false}));
  auto synced = fs.clone();
  FAULTFS_ASSERT_OK(synced->sync_dir(""));
  EXPECT_EQ(exists_after_crash(*synced, options(CrashPolicy::kReorder)), std::set<bool>{false});
}

TEST(Rmdir, Ext4JournalCommitsAnEarlierRmdirWithAnyFsync) {
  SimFs fs;
  FAULTFS_ASSERT_OK(fs.mkdir("d"));
  FAULTFS_ASSERT_OK(fs.sync_dir(""));
  FAULTFS_ASSERT_OK(fs.rmdir("d"));
  FAULTFS_ASSERT_OK(testing::put_file(fs, "f", "x", true, false));
  EXPECT_EQ(exists_after_crash(fs, options(CrashPolicy::kReorder, FsModel::kExt4Ordered)),
            std::set<bool>{false});
  EXPECT_EQ(exists_after_crash(fs, options(CrashPolicy::kReorder)), (std::set<bool>{true, false}));
}

TEST(Rmdir, RecordedRmdirRebuildsFromItsTrace) {
  SimFs sim;
  const std::string trace_path = (std::filesystem::temp_directory_path() /
                                  ("faultfs-rmdir-trace-" + std::to_string(::getpid())))
                                     .string();
  auto rec = testing::must(Recorder::create(sim, trace_path));
  FAULTFS_ASSERT_OK(rec->mkdir("d"));
  FAULTFS_ASSERT_OK(rec->sync_dir(""));
  EXPECT_EQ(rec->rmdir("nope").code(), ErrorCode::kNotFound);  // Failed: not recorded.
  FAULTFS_ASSERT_OK(rec->rmdir("d"));
  const Trace trace = testing::must(read_trace(trace_path));
  ASSERT_EQ(trace.records.size(), 3u);
  EXPECT_EQ(trace.records[2].op, TraceOp::kRmdir);
  EXPECT_STREQ(trace_op_name(TraceOp::kRmdir), "rmdir");
  EXPECT_EQ(trace.records[2].path, "d");
  auto before = testing::must(rebuild_from_trace(trace, 2));
  EXPECT_TRUE(testing::must(before->exists("d")));
  auto after = testing::must(rebuild_from_trace(trace, 3));
  EXPECT_FALSE(testing::must(after->exists("d")));
  EXPECT_EQ(after->describe(), sim.describe());
  std::filesystem::remove(trace_path);
}

}  // namespace
}  // namespace faultfs
