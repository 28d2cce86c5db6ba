// SimFs as a FileSystem: what reads, sizes, entries and errors look like
// before any crash (the page-cache view), and copy-on-write clones.
#include <gtest/gtest.h>

#include <thread>

#include "page_tree.h"
#include "sim_test_util.h"

namespace faultfs {
namespace {

TEST(SimFsLive, ReadsSeeUnsyncedWritesAndGapsReadAsZeros) {
  SimFs fs;
  auto file = fs.open("f", OpenMode::kCreate);
  FAULTFS_ASSERT_OK(file);
  FAULTFS_ASSERT_OK((*file)->append("abc"));
  FAULTFS_ASSERT_OK((*file)->write_at(6, "xyz"));
  auto size = (*file)->size();
  FAULTFS_ASSERT_OK(size);
  EXPECT_EQ(*size, 9u);
  std::string buf(16, '?');
  auto n = (*file)->read_at(0, std::span<char>(buf.data(), buf.size()));
  FAULTFS_ASSERT_OK(n);
  EXPECT_EQ(*n, 9u);
  EXPECT_EQ(buf.substr(0, 9), std::string("abc\0\0\0xyz", 9));
  auto past_end = (*file)->read_at(100, std::span<char>(buf.data(), buf.size()));
  FAULTFS_ASSERT_OK(past_end);
  EXPECT_EQ(*past_end, 0u);
}

TEST(SimFsLive, TruncateThenExtendReadsZerosNotOldBytes) {
  SimFs fs;
  FAULTFS_ASSERT_OK(testing::put_file(fs, "f", std::string(10000, 'a'), false, false));
  auto file = fs.open("f", OpenMode::kReadWrite);
  FAULTFS_ASSERT_OK(file);
  FAULTFS_ASSERT_OK((*file)->truncate(5000));
  FAULTFS_ASSERT_OK((*file)->truncate(9000));
  auto bytes = read_file(fs, "f");
  FAULTFS_ASSERT_OK(bytes);
  EXPECT_EQ(*bytes, std::string(5000, 'a') + std::string(4000, '\0'));
}

TEST(SimFsLive, OpenModesAndMissingParentsReportTheRightErrors) {
  SimFs fs;
  EXPECT_EQ(fs.open("missing", OpenMode::kRead).status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(fs.open("no/dir/f", OpenMode::kCreate).status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(fs.open("../f", OpenMode::kCreate).status().code(), ErrorCode::kInvalidArgument);
  FAULTFS_ASSERT_OK(fs.mkdir("d"));
  EXPECT_EQ(fs.open("d", OpenMode::kRead).status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(fs.mkdir("d").code(), ErrorCode::kAlreadyExists);
  FAULTFS_ASSERT_OK(testing::put_file(fs, "d/f", "x", false, false));
  auto read_only = fs.open("d/f", OpenMode::kRead);
  FAULTFS_ASSERT_OK(read_only);
  EXPECT_EQ((*read_only)->append("y").code(), ErrorCode::kInvalidArgument);
  FAULTFS_ASSERT_OK((*read_only)->close());
  EXPECT_EQ((*read_only)->size().status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(fs.remove("d").code(), ErrorCode::kInvalidArgument);  // Directories: unlink(2) refuses.
  auto truncated = fs.open("d/f", OpenMode::kCreateTruncate);
  FAULTFS_ASSERT_OK(truncated);
  EXPECT_EQ(testing::must(fs.file_size("d/f")), 0u);
}

TEST(SimFsLive, RenameReplacesTargetAndListIsSorted) {
  SimFs fs;
  FAULTFS_ASSERT_OK(testing::put_file(fs, "b", "new", false, false));
  FAULTFS_ASSERT_OK(testing::put_file(fs, "c", "old", false, false));
  FAULTFS_ASSERT_OK(testing::put_file(fs, "a", "", false, false));
  FAULTFS_ASSERT_OK(fs.rename("b", "c"));
  auto names = fs.list("/");
  FAULTFS_ASSERT_OK(names);
  EXPECT_EQ(*names, (std::vector<std::string>{"a", "c"}));
  EXPECT_EQ(testing::must(read_file(fs, "c")), "new");
  EXPECT_FALSE(testing::must(fs.exists("b")));
  EXPECT_EQ(fs.rename("b", "d").code(), ErrorCode::kNotFound);
}

TEST(SimFsLive, HandleOfRemovedFileKeepsWorkingButTheFileIsGone) {
  SimFs fs;
  auto file = fs.open("f", OpenMode::kCreate);
  FAULTFS_ASSERT_OK(file);
  FAULTFS_ASSERT_OK(fs.sync_dir("."));
  FAULTFS_ASSERT_OK(fs.remove("f"));
  FAULTFS_ASSERT_OK(fs.sync_dir("."));
  FAULTFS_ASSERT_OK((*file)->append("ghost"));
  FAULTFS_ASSERT_OK((*file)->sync());
  EXPECT_EQ(testing::must((*file)->size()), 5u);
  EXPECT_TRUE(fs.live_files().empty());
  EXPECT_EQ(fs.pending_changes(), 0u);
}

TEST(SimFsLive, LockIsExclusiveUntilReleasedAndCreatesItsFile) {
  SimFs fs;
  auto held = fs.lock("LOCK");
  FAULTFS_ASSERT_OK(held);
  EXPECT_TRUE(testing::must(fs.exists("LOCK")));
  EXPECT_EQ(fs.lock("/LOCK").status().code(), ErrorCode::kBusy);
  held->reset();
  FAULTFS_EXPECT_OK(fs.lock("LOCK"));
}

TEST(SimFsLive, CloneIsIndependentAndSharesPagesUntilWritten) {
  SimFs fs;
  FAULTFS_ASSERT_OK(testing::put_file(fs, "f", std::string(100000, 'a'), true, true));
  auto copy = fs.clone();
  auto file = copy->open("f", OpenMode::kReadWrite);
  FAULTFS_ASSERT_OK(file);
  FAULTFS_ASSERT_OK((*file)->write_at(50000, "b"));
  EXPECT_EQ(fs.live_files().at("f"), std::string(100000, 'a'));
  EXPECT_EQ(copy->live_files().at("f")[50000], 'b');
  EXPECT_EQ(copy->pending_changes(), 1u);
  EXPECT_EQ(fs.pending_changes(), 0u);
}

TEST(PageTree, CopiesShareTheRootUntilOneIsWrittenAndBytesStayCorrect) {
  sim::PageTree tree;
  tree.write(0, std::string(3 * sim::PageTree::kPageBytes + 7, 'x'));
  sim::PageTree copy = tree;
  EXPECT_TRUE(copy.shares_root_with(tree));
  copy.write(sim::PageTree::kPageBytes + 1, "yy");
  EXPECT_FALSE(copy.shares_root_with(tree));
  EXPECT_EQ(tree.read_range(sim::PageTree::kPageBytes, 4), "xxxx");
  EXPECT_EQ(copy.read_range(sim::PageTree::kPageBytes, 4), "xyyx");
  copy.resize(10);
  copy.resize(5 * sim::PageTree::kPageBytes);
  EXPECT_EQ(copy.read_range(0, 12), std::string(10, 'x') + std::string(2, '\0'));
  EXPECT_EQ(tree.size(), 3 * sim::PageTree::kPageBytes + 7);
}

TEST(PageTree, SparseWriteFarAwayGrowsHeightAndReadsZerosInBetween) {
  sim::PageTree tree;
  const uint64_t far = uint64_t{1} << 30;
  tree.write(far, "z");
  EXPECT_EQ(tree.size(), far + 1);
  EXPECT_GE(tree.height(), 3u);
  EXPECT_EQ(tree.read_range(far - 2, 3), std::string("\0\0z", 3));
}

// Every SimFs method may be called from any thread; crash images taken
// while writers run are consistent snapshots (each file a synced prefix).
TEST(SimFsLive, ConcurrentWritersAndCrashesStayConsistent) {
  SimFs fs;
  constexpr int kWriters = 4;
  constexpr int kRecords = 200;
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&fs, w] {
      const std::string path = "w" + std::to_string(w);
      auto file = fs.open(path, OpenMode::kCreate);
      ASSERT_TRUE(file.is_ok());
      ASSERT_TRUE(fs.sync_dir(".").is_ok());
      for (int i = 0; i < kRecords; ++i) {
        ASSERT_TRUE((*file)->append(std::string(10, static_cast<char>('a' + i % 26))).is_ok());
        if (i % 7 == 0) {
          ASSERT_TRUE((*file)->sync().is_ok());
        }
      }
    });
  }
  std::mt19937_64 rng(9);
  for (int i = 0; i < 50; ++i) {
    auto image = fs.crash(testing::options(CrashPolicy::kPrefix), rng);
    for (const auto& [path, bytes] : image->live_files()) {
      ASSERT_EQ(bytes.size() % 10, 0u) << path;  // Whole appends only, in order.
      for (size_t r = 0; r < bytes.size() / 10; ++r) {
        ASSERT_EQ(bytes[r * 10], static_cast<char>('a' + r % 26)) << path;
      }
    }
  }
  for (std::thread& t : writers) t.join();
  const auto files = fs.live_files();
  ASSERT_EQ(files.size(), static_cast<size_t>(kWriters));
  for (const auto& [path, bytes] : files) EXPECT_EQ(bytes.size(), 10u * kRecords) << path;
}

}  // namespace
}  // namespace faultfs
