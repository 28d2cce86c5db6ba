// FsModel::kExt4Ordered's journal: an fsync commits every earlier entry
// change (the file's own included), entry changes and truncates persist as
// one in-order prefix, and an fdatasync that journals nothing new commits
// nothing new. Each case is checked against kPosix, which allows what the
// journal rules out, so that the test fails if the model loses its journal.
#include <gtest/gtest.h>

#include "sim_test_util.h"

namespace faultfs {
namespace {

using testing::Image;
using testing::options;

constexpr CrashPolicy kWithinContract[] = {CrashPolicy::kDrop, CrashPolicy::kPrefix,
                                           CrashPolicy::kReorder, CrashPolicy::kTorn};

// Whether every image `images` holds has `path` with `bytes`.
bool all_hold(const std::set<Image>& images, const std::string& path, const std::string& bytes) {
  for (const Image& image : images) {
    auto it = image.find(path);
    if (it == image.end() || it->second != bytes) return false;
  }
  return !images.empty();
}

TEST(Ext4Journal, FsyncedNewFileSurvivesEveryCrashWithoutDirSync) {
  SimFs fs;
  FAULTFS_ASSERT_OK(fs.mkdir("d"));  // Not synced either: the journal holds it too.
  auto file = fs.open("d/f", OpenMode::kCreate);
  FAULTFS_ASSERT_OK(file);
  FAULTFS_ASSERT_OK((*file)->append("data"));
  FAULTFS_ASSERT_OK((*file)->sync());
  for (CrashPolicy policy : kWithinContract) {
    const CrashOptions o = options(policy, FsModel::kExt4Ordered);
    EXPECT_TRUE(all_hold(testing::enumerated_images(fs, o), "d/f", "data"))
        << crash_policy_name(policy);
    EXPECT_TRUE(all_hold(testing::sampled_images(fs, o, 50), "d/f", "data"))
        << crash_policy_name(policy);
  }
  // POSIX: the entry needs a sync_dir, so a crash may lose the file.
  EXPECT_EQ(testing::enumerated_images(fs, options(CrashPolicy::kDrop)), std::set<Image>{Image{}});
}

TEST(Ext4Journal, FsyncOfOneFileMakesAnEarlierRenameOfAnotherDurable) {
  SimFs fs;
  FAULTFS_ASSERT_OK(testing::put_file(fs, "b", "v1", true, true));
  FAULTFS_ASSERT_OK(testing::put_file(fs, "tmp", "v2", true, true));
  FAULTFS_ASSERT_OK(testing::put_file(fs, "a", "", true, true));
  FAULTFS_ASSERT_OK(fs.rename("tmp", "b"));
  auto a = fs.open("a", OpenMode::kReadWrite);
  FAULTFS_ASSERT_OK(a);
  FAULTFS_ASSERT_OK((*a)->append("x"));  // Allocated at the fsync: the running transaction.
  FAULTFS_ASSERT_OK((*a)->sync());
  const std::set<Image> committed = {{{"a", "x"}, {"b", "v2"}}};
  for (CrashPolicy policy : kWithinContract) {
    EXPECT_EQ(testing::enumerated_images(fs, options(policy, FsModel::kExt4Ordered)), committed)
        << crash_policy_name(policy);
  }
  const Image rename_lost = {{"a", "x"}, {"b", "v1"}, {"tmp", "v2"}};
  EXPECT_EQ(testing::enumerated_images(fs, options(CrashPolicy::kDrop)),
            std::set<Image>{rename_lost});
}

// jbd2: fdatasync waits only for the transaction holding the inode's last
// journaled change. An overwrite journals nothing, so a rename issued after
// that change may still be lost.
TEST(Ext4Journal, FdatasyncOfAnOverwriteCommitsNoLaterEntryChange) {
  SimFs fs;
  FAULTFS_ASSERT_OK(testing::put_file(fs, "a", "old", true, true));
  FAULTFS_ASSERT_OK(testing::put_file(fs, "tmp", "v2", true, true));
  FAULTFS_ASSERT_OK(fs.rename("tmp", "b"));
  auto a = fs.open("a", OpenMode::kReadWrite);
  FAULTFS_ASSERT_OK(a);
  FAULTFS_ASSERT_OK((*a)->write_at(0, "new"));
  FAULTFS_ASSERT_OK((*a)->sync());
  const std::set<Image> either = {{{"a", "new"}, {"tmp", "v2"}}, {{"a", "new"}, {"b", "v2"}}};
  EXPECT_EQ(testing::enumerated_images(fs, options(CrashPolicy::kReorder, FsModel::kExt4Ordered)),
            either);
}

TEST(Ext4Journal, EntryChangesOfDifferentDirectoriesPersistAsOnePrefix) {
  SimFs fs;
  FAULTFS_ASSERT_OK(fs.mkdir("a"));
  FAULTFS_ASSERT_OK(fs.mkdir("b"));
  FAULTFS_ASSERT_OK(fs.sync_dir("."));
  for (const char* path : {"a/1", "b/2", "a/3"}) {
    auto file = fs.open(path, OpenMode::kCreate);
    FAULTFS_ASSERT_OK(file);
  }
  const std::set<Image> prefixes = {
      {}, {{"a/1", ""}}, {{"a/1", ""}, {"b/2", ""}}, {{"a/1", ""}, {"b/2", ""}, {"a/3", ""}}};
  EXPECT_EQ(testing::enumerated_images(fs, options(CrashPolicy::kTorn, FsModel::kExt4Ordered)),
            prefixes);
  // POSIX lets directory b's create persist without a's first one.
  EXPECT_EQ(testing::enumerated_images(fs, options(CrashPolicy::kReorder)).count({{"b/2", ""}}),
            1u);
}

// A truncate is journaled: it persists in order with entry changes, so a
// kept later create implies the truncate.
TEST(Ext4Journal, TruncateIsOrderedWithLaterEntryChanges) {
  SimFs fs;
  FAULTFS_ASSERT_OK(testing::put_file(fs, "log", "0123456789", true, true));
  auto log = fs.open("log", OpenMode::kReadWrite);
  FAULTFS_ASSERT_OK(log);
  FAULTFS_ASSERT_OK((*log)->truncate(4));
  auto marker = fs.open("marker", OpenMode::kCreate);
  FAULTFS_ASSERT_OK(marker);
  const std::set<Image> ext4 = {
      {{"log", "0123456789"}}, {{"log", "0123"}}, {{"log", "0123"}, {"marker", ""}}};
  EXPECT_EQ(testing::enumerated_images(fs, options(CrashPolicy::kReorder, FsModel::kExt4Ordered)),
            ext4);
  const Image unordered = {{"log", "0123456789"}, {"marker", ""}};
  EXPECT_EQ(testing::enumerated_images(fs, options(CrashPolicy::kReorder)).count(unordered), 1u);
}

}  // namespace
}  // namespace faultfs
