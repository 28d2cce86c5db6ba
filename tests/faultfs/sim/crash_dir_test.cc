// Directory-entry crashes: lost creates, un-synced renames under POSIX,
// mkdir subtrees, and the ext4-ordered journal.
#include <gtest/gtest.h>

#include "sim_test_util.h"

namespace faultfs {
namespace {

using testing::Image;
using testing::options;

TEST(CrashDir, CreatedFileWithSyncedDataVanishesWithoutDirSync) {
  SimFs fs;
  FAULTFS_ASSERT_OK(testing::put_file(fs, "f", "data", /*sync_data=*/true, /*sync_parent=*/false));
  EXPECT_EQ(testing::enumerated_images(fs, options(CrashPolicy::kDrop)), std::set<Image>{Image{}});
  const std::set<Image> reorder = {{}, {{"f", "data"}}};
  EXPECT_EQ(testing::enumerated_images(fs, options(CrashPolicy::kReorder)), reorder);
}

TEST(CrashDir, DirSyncedEntryWithoutDataSyncSurvivesEmpty) {
  SimFs fs;
  auto file = fs.open("f", OpenMode::kCreate);
  FAULTFS_ASSERT_OK(file);
  FAULTFS_ASSERT_OK(fs.sync_dir("."));
  FAULTFS_ASSERT_OK((*file)->append("data"));
  const std::set<Image> expected = {{{"f", ""}}};
  EXPECT_EQ(testing::enumerated_images(fs, options(CrashPolicy::kDrop)), expected);
}

TEST(CrashDir, RemovedFileMayReappearUntilDirSync) {
  SimFs fs;
  FAULTFS_ASSERT_OK(testing::put_file(fs, "f", "old", true, true));
  FAULTFS_ASSERT_OK(fs.remove("f"));
  const std::set<Image> expected = {{{"f", "old"}}, {}};
  EXPECT_EQ(testing::enumerated_images(fs, options(CrashPolicy::kPrefix)), expected);
  FAULTFS_ASSERT_OK(fs.sync_dir(""));
  EXPECT_EQ(testing::enumerated_images(fs, options(CrashPolicy::kPrefix)),
            std::set<Image>{Image{}});
}

// Strict POSIX, one directory: a rename is one change of that directory's
// entries, so a crash keeps the old names or the new ones, never a mix.
TEST(CrashDir, UnsyncedSameDirRenameLeavesOldOrNewNeverBothOrNeither) {
  SimFs fs;
  FAULTFS_ASSERT_OK(testing::put_file(fs, "CURRENT", "v1", true, true));
  FAULTFS_ASSERT_OK(testing::put_file(fs, "tmp", "v2", true, true));
  FAULTFS_ASSERT_OK(fs.rename("tmp", "CURRENT"));
  const std::set<Image> expected = {{{"CURRENT", "v1"}, {"tmp", "v2"}}, {{"CURRENT", "v2"}}};
  EXPECT_EQ(testing::enumerated_images(fs, options(CrashPolicy::kReorder)), expected);
  EXPECT_EQ(testing::sampled_images(fs, options(CrashPolicy::kReorder), 100), expected);
}

// Strict POSIX, two directories: the link in the target and the unlink in
// the source persist independently, so a crash may leave old, new, both
// names (a hard-link-like pair) or neither name (the file is lost).
TEST(CrashDir, UnsyncedCrossDirRenameMayLeaveOldNewBothOrNeither) {
  SimFs fs;
  FAULTFS_ASSERT_OK(fs.mkdir("a"));
  FAULTFS_ASSERT_OK(fs.mkdir("b"));
  FAULTFS_ASSERT_OK(fs.sync_dir("."));
  FAULTFS_ASSERT_OK(testing::put_file(fs, "a/x", "data", true, true));
  FAULTFS_ASSERT_OK(fs.rename("a/x", "b/x"));
  const std::set<Image> all = {
      {{"a/x", "data"}}, {{"b/x", "data"}}, {{"a/x", "data"}, {"b/x", "data"}}, {}};
  EXPECT_EQ(testing::enumerated_images(fs, options(CrashPolicy::kReorder)), all);

  auto target_synced = fs.clone();
  FAULTFS_ASSERT_OK(target_synced->sync_dir("b"));
  const std::set<Image> link_durable = {{{"b/x", "data"}}, {{"a/x", "data"}, {"b/x", "data"}}};
  EXPECT_EQ(testing::enumerated_images(*target_synced, options(CrashPolicy::kReorder)),
            link_durable);

  auto source_synced = fs.clone();
  FAULTFS_ASSERT_OK(source_synced->sync_dir("a"));
  const std::set<Image> unlink_durable = {{{"b/x", "data"}}, {}};
  EXPECT_EQ(testing::enumerated_images(*source_synced, options(CrashPolicy::kReorder)),
            unlink_durable);

  FAULTFS_ASSERT_OK(target_synced->sync_dir("a"));
  EXPECT_EQ(testing::enumerated_images(*target_synced, options(CrashPolicy::kReorder)),
            (std::set<Image>{{{"b/x", "data"}}}));
}

TEST(CrashDir, UnsyncedMkdirTakesItsDirSyncedSubtreeWithIt) {
  SimFs fs;
  FAULTFS_ASSERT_OK(fs.mkdir("d"));
  FAULTFS_ASSERT_OK(testing::put_file(fs, "d/f", "data", true, true));  // sync_dir("d") only.
  EXPECT_EQ(testing::enumerated_images(fs, options(CrashPolicy::kDrop)), std::set<Image>{Image{}});
  FAULTFS_ASSERT_OK(fs.sync_dir("."));
  EXPECT_EQ(testing::enumerated_images(fs, options(CrashPolicy::kDrop)),
            (std::set<Image>{{{"d/f", "data"}}}));
}

TEST(CrashDir, PosixDirectoriesCrashIndependentlyButExt4KeepsAJournalPrefix) {
  SimFs fs;
  FAULTFS_ASSERT_OK(fs.mkdir("a"));
  FAULTFS_ASSERT_OK(fs.mkdir("b"));
  FAULTFS_ASSERT_OK(fs.sync_dir("."));
  auto x = fs.open("a/x", OpenMode::kCreate);
  FAULTFS_ASSERT_OK(x);
  auto y = fs.open("b/y", OpenMode::kCreate);
  FAULTFS_ASSERT_OK(y);
  const std::set<Image> posix = {{}, {{"a/x", ""}}, {{"b/y", ""}}, {{"a/x", ""}, {"b/y", ""}}};
  EXPECT_EQ(testing::enumerated_images(fs, options(CrashPolicy::kReorder)), posix);
  const std::set<Image> ext4 = {{}, {{"a/x", ""}}, {{"a/x", ""}, {"b/y", ""}}};
  EXPECT_EQ(testing::enumerated_images(fs, options(CrashPolicy::kReorder, FsModel::kExt4Ordered)),
            ext4);
}

TEST(CrashDir, Ext4DirSyncMakesEveryEarlierEntryChangeDurable) {
  SimFs fs;
  FAULTFS_ASSERT_OK(fs.mkdir("a"));
  FAULTFS_ASSERT_OK(fs.mkdir("b"));
  FAULTFS_ASSERT_OK(fs.sync_dir("."));
  FAULTFS_ASSERT_OK(testing::put_file(fs, "a/x", "", true, false));
  FAULTFS_ASSERT_OK(testing::put_file(fs, "b/y", "", true, true));  // sync_dir("b").
  const std::set<Image> both = {{{"a/x", ""}, {"b/y", ""}}};
  EXPECT_EQ(testing::enumerated_images(fs, options(CrashPolicy::kDrop, FsModel::kExt4Ordered)),
            both);
  const std::set<Image> strict = {{{"b/y", ""}}, {{"a/x", ""}, {"b/y", ""}}};
  EXPECT_EQ(testing::enumerated_images(fs, options(CrashPolicy::kReorder)), strict);
}

TEST(CrashDir, Ext4CrossDirRenameIsAtomic) {
  SimFs fs;
  FAULTFS_ASSERT_OK(fs.mkdir("a"));
  FAULTFS_ASSERT_OK(fs.mkdir("b"));
  FAULTFS_ASSERT_OK(fs.sync_dir("."));
  FAULTFS_ASSERT_OK(testing::put_file(fs, "a/x", "data", true, true));
  FAULTFS_ASSERT_OK(fs.rename("a/x", "b/x"));
  const std::set<Image> expected = {{{"a/x", "data"}}, {{"b/x", "data"}}};
  EXPECT_EQ(testing::enumerated_images(fs, options(CrashPolicy::kTorn, FsModel::kExt4Ordered)),
            expected);
  // Only the link half made durable: the journal covers the unlink too.
  FAULTFS_ASSERT_OK(fs.sync_dir("b"));
  EXPECT_EQ(testing::enumerated_images(fs, options(CrashPolicy::kDrop, FsModel::kExt4Ordered)),
            (std::set<Image>{{{"b/x", "data"}}}));
}

// ext4-ordered: a rename replacing a file, after the new data was synced,
// persists in order with later entry changes; POSIX may lose it while
// keeping a later create.
TEST(CrashDir, Ext4RenameOverSyncedFilePersistsInOrder) {
  SimFs fs;
  FAULTFS_ASSERT_OK(testing::put_file(fs, "CURRENT", "v1", true, true));
  FAULTFS_ASSERT_OK(testing::put_file(fs, "tmp", "v2", true, true));
  FAULTFS_ASSERT_OK(fs.rename("tmp", "CURRENT"));
  auto later = fs.open("later", OpenMode::kCreate);
  FAULTFS_ASSERT_OK(later);
  const Image stale_with_later = {{"CURRENT", "v1"}, {"tmp", "v2"}, {"later", ""}};
  EXPECT_EQ(testing::enumerated_images(fs, options(CrashPolicy::kReorder)).count(stale_with_later),
            1u);
  const std::set<Image> ext4 = {
      {{"CURRENT", "v1"}, {"tmp", "v2"}}, {{"CURRENT", "v2"}}, {{"CURRENT", "v2"}, {"later", ""}}};
  EXPECT_EQ(testing::enumerated_images(fs, options(CrashPolicy::kReorder, FsModel::kExt4Ordered)),
            ext4);
}

TEST(CrashDir, RecreatedNameKeepsOldAbsentOrNewUnderReorder) {
  SimFs fs;
  FAULTFS_ASSERT_OK(testing::put_file(fs, "f", "old", true, true));
  FAULTFS_ASSERT_OK(fs.remove("f"));
  FAULTFS_ASSERT_OK(testing::put_file(fs, "f", "new", true, false));
  const std::set<Image> expected = {{{"f", "old"}}, {}, {{"f", "new"}}};
  EXPECT_EQ(testing::enumerated_images(fs, options(CrashPolicy::kReorder)), expected);
}

}  // namespace
}  // namespace faultfs
