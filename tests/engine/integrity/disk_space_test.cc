// WAL preallocation must never cost an insert on a nearly full disk, and a
// clean close leaves no preallocated space behind.
#include <gtest/gtest.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "integrity_util.h"
#include "support/temp_dir.h"

namespace dbx::testing {
namespace {

namespace fs = std::filesystem;

TEST(DiskSpaceTest, WalIsAtMost64KiBAfterCleanCloseOfFiveRows) {
  TempDir tmp;
  auto db = Database::open(tmp.db(), integrity_options());
  insert_rows(*db, 0, 5);
  db->close();
  EXPECT_LE(fs::file_size(tmp.db() + "/wal.log"), 64u * 1024);
  auto reopened = Database::open(tmp.db(), integrity_options());
  EXPECT_EQ(expect_prefix(*reopened, 5), 5u);
  reopened->close();
}

// A 2 MiB tmpfs, filled until 1 MiB is free.
class SmallDiskTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "mounting a tmpfs needs root";
    mount_point_ = tmp_.root() + "/small";
    fs::create_directory(mount_point_);
    ASSERT_EQ(::mount("tmpfs", mount_point_.c_str(), "tmpfs", 0, "size=2m"), 0)
        << "mount failed: " << std::strerror(errno);
    mounted_ = true;
    write_bytes(mount_point_ + "/filler", std::string(1u << 20, 'f'));
  }
  void TearDown() override {
    if (mounted_) ::umount(mount_point_.c_str());
  }

  TempDir tmp_;
  std::string mount_point_;
  bool mounted_ = false;
};

TEST_F(SmallDiskTest, FirstInsertSucceedsWithOneMiBFree) {
  const std::string dir = mount_point_ + "/db";
  {
    auto db = Database::open(dir, integrity_options());
    db->insert("t", row_key(0), "v" + row_key(0));
    db->flush();
    insert_rows(*db, 1, 20);
    db->close();
  }
  auto db = Database::open(dir, integrity_options());
  EXPECT_EQ(expect_prefix(*db, 20), 20u);
  db->close();
}

TEST_F(SmallDiskTest, FullModeInsertsSucceedWithOneMiBFree) {
  const std::string dir = mount_point_ + "/db";
  Options options = integrity_options();
  options.durability = Durability::kFull;
  {
    auto db = Database::open(dir, options);
    insert_rows(*db, 0, 50);
    db->close();
  }
  auto db = Database::open(dir, options);
  EXPECT_EQ(expect_prefix(*db, 50), 50u);
  db->close();
}

// Fills the file system at `dir` with a file until a write fails.
void fill_disk(const std::string& dir) {
  std::FILE* filler = std::fopen((dir + "/filler-full").c_str(), "wb");
  ASSERT_NE(filler, nullptr);
  const std::string block(4096, 'f');
  while (std::fwrite(block.data(), 1, block.size(), filler) == block.size() &&
         std::fflush(filler) == 0) {
  }
  std::fclose(filler);
}

TEST_F(SmallDiskTest, FlushRunsAfterDeletesOnAFullDisk) {
  fs::remove(mount_point_ + "/filler");
  const std::string dir = mount_point_ + "/db";
  const std::string value(600, 'v');
  auto db = Database::open(dir, integrity_options());
  for (uint64_t i = 0; i < 1400; ++i) db->insert("t", row_key(i), value);
  db->flush();
  fill_disk(mount_point_);
  for (uint64_t i = 0; i < 1000; ++i) db->remove("t", row_key(i));
  db->flush();
  db->close();
  auto reopened = Database::open(dir, integrity_options());
  EXPECT_EQ(reopened->count("t"), 400u);
  reopened->close();
}

}  // namespace
}  // namespace dbx::testing
