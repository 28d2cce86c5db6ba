// kLostFile images: one path under the scope deleted, or restored from an
// earlier durable image, rebuilt exactly from the recorded choice.
#include <gtest/gtest.h>

#include "earlier_images.h"
#include "sim_test_util.h"

namespace faultfs {
namespace {

using testing::Image;
using testing::options;

// db/wal and db/wos/conf durable, other/x outside the scope.
void make_db(SimFs& fs) {
  ASSERT_TRUE(fs.set_lost_file_scope("db").is_ok());
  FAULTFS_ASSERT_OK(fs.create_dirs_durable("db/wos"));
  FAULTFS_ASSERT_OK(fs.create_dirs_durable("other"));
  FAULTFS_ASSERT_OK(testing::put_file(fs, "db/wal", "v1", true, true));
  FAULTFS_ASSERT_OK(testing::put_file(fs, "db/wos/conf", "c1", true, true));
  FAULTFS_ASSERT_OK(testing::put_file(fs, "other/x", "x", true, true));
}

TEST(LostFile, DeletesEachPathUnderTheScopeAndNothingElse) {
  SimFs fs;
  make_db(fs);
  const std::set<Image> images = testing::enumerated_images(fs, options(CrashPolicy::kLostFile));
  const std::set<Image> expected = {
      {{"db/wos/conf", "c1"}, {"other/x", "x"}},  // db/wal deleted.
      {{"db/wal", "v1"}, {"other/x", "x"}},       // db/wos or db/wos/conf deleted.
  };
  EXPECT_EQ(images, expected);
}

TEST(LostFile, RestoresAPathAsAnEarlierDurableImageHeldIt) {
  SimFs fs;
  fs.keep_earlier_images(8);
  make_db(fs);
  const uint64_t first = fs.stats().syncs + fs.stats().dir_syncs;
  FAULTFS_ASSERT_OK(testing::put_file(fs, "db/wal", "v2", true, false));
  FAULTFS_ASSERT_OK(testing::put_file(fs, "db/wos/conf", "c2", true, false));
  CrashChoice choice;
  choice.options = options(CrashPolicy::kLostFile);
  choice.lost = LostFile{LostFile::Kind::kRestore, "db/wos", first};
  auto parsed = CrashChoice::parse(choice.serialize());
  ASSERT_TRUE(parsed.is_ok()) << parsed.status().to_string();
  EXPECT_EQ(parsed.value(), choice);
  auto image = fs.crash_with(choice.options, parsed.value());
  ASSERT_TRUE(image.is_ok()) << image.status().to_string();
  const Image expected = {{"db/wal", "v2"}, {"db/wos/conf", "c1"}, {"other/x", "x"}};
  EXPECT_EQ((*image)->live_files(), expected);
  // The enumeration offers that restore, and the sampler reaches it.
  const std::set<Image> all = testing::enumerated_images(fs, options(CrashPolicy::kLostFile));
  EXPECT_EQ(all.count(expected), 1u);
  EXPECT_EQ(testing::sampled_images(fs, options(CrashPolicy::kLostFile), 200).count(expected), 1u);
}

TEST(LostFile, ChoicesThatDoNotFitAreRefused) {
  SimFs fs;
  fs.keep_earlier_images(8);
  make_db(fs);
  CrashChoice choice;
  choice.options = options(CrashPolicy::kLostFile);
  choice.lost = LostFile{LostFile::Kind::kDelete, "other/x", 0};  // Outside the scope.
  EXPECT_FALSE(fs.crash_with(choice.options, choice).is_ok());
  choice.lost = LostFile{LostFile::Kind::kDelete, "db/nope", 0};
  EXPECT_FALSE(fs.crash_with(choice.options, choice).is_ok());
  choice.lost = LostFile{LostFile::Kind::kRestore, "db/wal", 999};  // No such image.
  EXPECT_FALSE(fs.crash_with(choice.options, choice).is_ok());
  choice.options = options(CrashPolicy::kCorrupt);  // A lost file outside kLostFile.
  choice.lost = LostFile{LostFile::Kind::kDelete, "db/wal", 0};
  EXPECT_FALSE(fs.crash_with(choice.options, choice).is_ok());
  EXPECT_FALSE(CrashChoice::parse("v1;policy=lost-file;dir=strict;sector=512;applied=;"
                                  "lost=delete,db/../x")
                   .is_ok());
  EXPECT_FALSE(
      CrashChoice::parse("v1;policy=lost-file;dir=strict;sector=512;applied=;lost=restore,db/wal")
          .is_ok());
}

TEST(LostFile, TheSameOperationsKeepTheSameEarlierImages) {
  SimFs a, b;
  for (SimFs* fs : {&a, &b}) {
    fs->keep_earlier_images(4);
    make_db(*fs);
    for (int i = 0; i < 30; ++i) {
      FAULTFS_ASSERT_OK(testing::put_file(*fs, "db/wal", "v" + std::to_string(i), true, false));
    }
  }
  std::mt19937_64 rng(9);
  for (int i = 0; i < 50; ++i) {
    CrashChoice choice;
    auto image = a.crash(options(CrashPolicy::kLostFile), rng, &choice);
    auto again = b.crash_with(choice.options, choice);
    ASSERT_TRUE(again.is_ok()) << choice.serialize() << ": " << again.status().to_string();
    EXPECT_EQ(image->live_files(), (*again)->live_files()) << choice.serialize();
  }
}

TEST(LostFile, EarlierImagesAreThinnedButKeepTheFirstAndTheLast) {
  sim::State st;
  for (uint64_t point = 1; point <= 100; ++point) {
    // A change per point: a new directory entry.
    st.dirs.at(sim::kRootIno)->durable["f" + std::to_string(point)] = sim::kRootIno;
    sim::remember_durable_image(st, point, 6);
  }
  ASSERT_EQ(st.earlier.size(), 6u);
  EXPECT_EQ(st.earlier.front().point, 1u);
  EXPECT_EQ(st.earlier.back().point, 100u);
  // Spacing grows with age: the newest gap is the smallest.
  EXPECT_LT(st.earlier[5].point - st.earlier[4].point, st.earlier[2].point - st.earlier[1].point);
  // An unchanged durable state adds nothing.
  sim::remember_durable_image(st, 101, 6);
  EXPECT_EQ(st.earlier.back().point, 100u);
}

}  // namespace
}  // namespace faultfs
