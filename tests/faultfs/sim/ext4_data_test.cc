// FsModel::kExt4Ordered's data rules: an append persists whole, in order per
// file (data=ordered: never a size that exposes zeros or garbage); a rename
// over an existing file and a close after a truncate to zero force the
// file's appends (auto_da_alloc); an overwrite within the size is not
// ordered by the journal. Each case is checked against kPosix, which allows
// what ext4 rules out (or the other way round), so the test can fail.
#include <gtest/gtest.h>

#include "sim_test_util.h"

namespace faultfs {
namespace {

using testing::Image;
using testing::options;

constexpr CrashPolicy kWithinContract[] = {CrashPolicy::kDrop, CrashPolicy::kPrefix,
                                           CrashPolicy::kReorder, CrashPolicy::kTorn};

// A durable 600-byte log with three un-synced appends, and an fsync of
// another file (a journal commit) in between.
std::string appended_log(SimFs& fs) {
  const std::string head(600, 'h');
  EXPECT_TRUE(testing::put_file(fs, "log", head, true, true).is_ok());
  EXPECT_TRUE(testing::put_file(fs, "other", "", true, true).is_ok());
  auto log = testing::must(fs.open("log", OpenMode::kReadWrite));
  auto other = testing::must(fs.open("other", OpenMode::kReadWrite));
  const std::string a(700, 'a'), b(700, 'b'), c(300, 'c');
  EXPECT_TRUE(log->append(a).is_ok());
  EXPECT_TRUE(other->append("x").is_ok());
  EXPECT_TRUE(other->sync().is_ok());
  EXPECT_TRUE(log->append(b).is_ok());
  EXPECT_TRUE(log->append(c).is_ok());
  return head + a + b + c;
}

TEST(Ext4Data, UnsyncedAppendsShowAnEarlierSizeWithItsDataNeverZerosOrGarbage) {
  SimFs fs;
  const std::string full = appended_log(fs);
  const std::set<size_t> sizes = {600, 1300, 2000, 2300};
  for (CrashPolicy policy : kWithinContract) {
    const auto images = testing::enumerated_images(fs, options(policy, FsModel::kExt4Ordered));
    EXPECT_GE(images.size(), policy == CrashPolicy::kDrop ? 1u : 4u) << crash_policy_name(policy);
    for (const Image& image : images) {
      const std::string& log = image.at("log");
      EXPECT_EQ(sizes.count(log.size()), 1u) << crash_policy_name(policy) << " " << log.size();
      EXPECT_EQ(full.compare(0, log.size(), log), 0) << crash_policy_name(policy);
    }
  }
  // Delayed allocation: the commit of other's fsync did not force log's
  // first append, issued before it (ext3, or ext4 with nodelalloc, would).
  EXPECT_EQ(testing::enumerated_images(fs, options(CrashPolicy::kDrop, FsModel::kExt4Ordered)),
            (std::set<Image>{{{"log", full.substr(0, 600)}, {"other", "x"}}}));
  // POSIX lets a later append persist without an earlier one (a gap of
  // zeros), or tear one with its size past its data.
  bool posix_gap = false;
  for (CrashPolicy policy : {CrashPolicy::kReorder, CrashPolicy::kTorn}) {
    for (const Image& image : testing::enumerated_images(fs, options(policy))) {
      const std::string& log = image.at("log");
      posix_gap = posix_gap || full.compare(0, log.size(), log) != 0;
    }
  }
  EXPECT_TRUE(posix_gap);
}

// auto_da_alloc: the replace-via-rename pattern without any fsync shows the
// old file or the new one, whole.
TEST(Ext4Data, RenameOverExistingFileWithoutFsyncShowsOldOrNewWhole) {
  SimFs fs;
  const std::string old_bytes(900, 'o'), new_bytes(1300, 'n');
  FAULTFS_ASSERT_OK(testing::put_file(fs, "CURRENT", old_bytes, true, true));
  FAULTFS_ASSERT_OK(testing::put_file(fs, "tmp", new_bytes, false, false));
  FAULTFS_ASSERT_OK(fs.rename("tmp", "CURRENT"));
  for (CrashPolicy policy : kWithinContract) {
    const CrashOptions o = options(policy, FsModel::kExt4Ordered);
    std::set<Image> images = testing::enumerated_images(fs, o);
    const std::set<Image> sampled = testing::sampled_images(fs, o, 100);
    images.insert(sampled.begin(), sampled.end());
    for (const Image& image : images) {
      const std::string& current = image.at("CURRENT");
      EXPECT_TRUE(current == old_bytes || current == new_bytes) << crash_policy_name(policy);
    }
  }
  // POSIX: the rename may persist before the data it names.
  const auto posix = testing::enumerated_images(fs, options(CrashPolicy::kReorder));
  EXPECT_EQ(posix.count({{"CURRENT", ""}}), 1u);
}

// auto_da_alloc, replace-via-truncate: a close after a truncate to zero
// allocates the new bytes, so a journal entry issued after the close
// persists only with them. Without the close nothing forces them.
TEST(Ext4Data, CloseAfterTruncateToZeroForcesTheNewBytesBeforeLaterEntries) {
  for (bool close_first : {true, false}) {
    SimFs fs;
    FAULTFS_ASSERT_OK(testing::put_file(fs, "conf", "old", true, true));
    auto conf = fs.open("conf", OpenMode::kCreateTruncate);
    FAULTFS_ASSERT_OK(conf);
    FAULTFS_ASSERT_OK((*conf)->append("new"));
    if (close_first) FAULTFS_ASSERT_OK((*conf)->close());
    auto marker = fs.open("marker", OpenMode::kCreate);
    FAULTFS_ASSERT_OK(marker);
    const auto images =
        testing::enumerated_images(fs, options(CrashPolicy::kReorder, FsModel::kExt4Ordered));
    const Image empty_with_marker = {{"conf", ""}, {"marker", ""}};
    EXPECT_EQ(images.count(empty_with_marker), close_first ? 0u : 1u) << close_first;
    EXPECT_EQ(images.count({{"conf", "new"}, {"marker", ""}}), 1u);
    EXPECT_EQ(images.count({{"conf", ""}}), 1u);  // The truncate alone: before the close.
  }
}

// Overwrites of allocated blocks are not journaled: a journal commit after
// one does not make it durable, and under kTorn it may persist in part.
TEST(Ext4Data, UnsyncedInPlaceOverwriteMayBeLostEvenAfterAJournalCommit) {
  SimFs fs;
  const std::string old_bytes(1024, 'o');
  FAULTFS_ASSERT_OK(testing::put_file(fs, "db", old_bytes, true, true));
  auto db = fs.open("db", OpenMode::kReadWrite);
  FAULTFS_ASSERT_OK(db);
  FAULTFS_ASSERT_OK((*db)->write_at(0, std::string(1024, 'n')));
  FAULTFS_ASSERT_OK(testing::put_file(fs, "other", "x", true, false));  // Commits the journal.
  const std::string mixed = std::string(512, 'n') + std::string(512, 'o');
  const auto drop =
      testing::enumerated_images(fs, options(CrashPolicy::kDrop, FsModel::kExt4Ordered));
  EXPECT_EQ(drop, (std::set<Image>{{{"db", old_bytes}, {"other", "x"}}}));
  const auto torn =
      testing::enumerated_images(fs, options(CrashPolicy::kTorn, FsModel::kExt4Ordered));
  EXPECT_EQ(torn.count({{"db", old_bytes}, {"other", "x"}}), 1u);
  EXPECT_EQ(torn.count({{"db", std::string(1024, 'n')}, {"other", "x"}}), 1u);
  EXPECT_EQ(torn.count({{"db", mixed}, {"other", "x"}}), 1u);
}

}  // namespace
}  // namespace faultfs
