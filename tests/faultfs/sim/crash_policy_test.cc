// Each crash policy pinned on small hand-built states against its full set
// of expected images.
#include <gtest/gtest.h>

#include "sim_test_util.h"

namespace faultfs {
namespace {

using testing::Image;
using testing::options;

std::string zeros(size_t n) { return std::string(n, '\0'); }

// A durable empty file "f" followed by three un-synced appends.
std::unique_ptr<SimFs> three_appends() {
  auto fs = std::make_unique<SimFs>();
  EXPECT_TRUE(testing::put_file(*fs, "f", "", true, true).is_ok());
  auto file = fs->open("f", OpenMode::kReadWrite);
  EXPECT_TRUE(file.is_ok());
  for (const char* chunk : {"aaa", "bbb", "ccc"}) EXPECT_TRUE((*file)->append(chunk).is_ok());
  EXPECT_EQ(fs->pending_changes(), 3u);
  return fs;
}

TEST(CrashPolicy, DropOfThreeUnsyncedAppendsGivesOnlyTheDurableImage) {
  auto fs = three_appends();
  const std::set<Image> expected = {{{"f", ""}}};
  EXPECT_EQ(testing::enumerated_images(*fs, options(CrashPolicy::kDrop)), expected);
  EXPECT_EQ(testing::sampled_images(*fs, options(CrashPolicy::kDrop), 20), expected);
}

TEST(CrashPolicy, PrefixOfThreeUnsyncedAppendsGivesFourImages) {
  auto fs = three_appends();
  const std::set<Image> expected = {
      {{"f", ""}}, {{"f", "aaa"}}, {{"f", "aaabbb"}}, {{"f", "aaabbbccc"}}};
  EXPECT_EQ(testing::enumerated_images(*fs, options(CrashPolicy::kPrefix)), expected);
  EXPECT_EQ(testing::sampled_images(*fs, options(CrashPolicy::kPrefix), 200), expected);
}

TEST(CrashPolicy, ReorderOfThreeUnsyncedAppendsGivesEightImagesWithZeroHoles) {
  auto fs = three_appends();
  const std::set<Image> expected = {
      {{"f", ""}},
      {{"f", "aaa"}},
      {{"f", zeros(3) + "bbb"}},
      {{"f", zeros(6) + "ccc"}},
      {{"f", "aaabbb"}},
      {{"f", "aaa" + zeros(3) + "ccc"}},
      {{"f", zeros(3) + "bbbccc"}},
      {{"f", "aaabbbccc"}},
  };
  EXPECT_EQ(testing::enumerated_images(*fs, options(CrashPolicy::kReorder)), expected);
  EXPECT_EQ(testing::sampled_images(*fs, options(CrashPolicy::kReorder), 400), expected);
}

TEST(CrashPolicy, ReorderOfTwoOverlappingWritesKeepsEitherOrderAsLastWriter) {
  SimFs fs;
  ASSERT_TRUE(testing::put_file(fs, "f", "....", true, true).is_ok());
  auto file = fs.open("f", OpenMode::kReadWrite);
  FAULTFS_ASSERT_OK(file);
  FAULTFS_ASSERT_OK((*file)->write_at(0, "xx"));
  FAULTFS_ASSERT_OK((*file)->write_at(1, "yy"));
  // Applied out of order the older write may land last: "xx.." over "yyy" gives "xxy.".
  const std::set<Image> expected = {
      {{"f", "...."}}, {{"f", "xx.."}}, {{"f", ".yy."}}, {{"f", "xyy."}}, {{"f", "xxy."}}};
  EXPECT_EQ(testing::enumerated_images(fs, options(CrashPolicy::kReorder)), expected);
}

TEST(CrashPolicy, PrefixKeepsTruncateOrderedAfterEarlierWrites) {
  SimFs fs;
  ASSERT_TRUE(testing::put_file(fs, "f", "0123456789", true, true).is_ok());
  auto file = fs.open("f", OpenMode::kReadWrite);
  FAULTFS_ASSERT_OK(file);
  FAULTFS_ASSERT_OK((*file)->truncate(4));
  FAULTFS_ASSERT_OK((*file)->append("ab"));
  const std::set<Image> prefix = {{{"f", "0123456789"}}, {{"f", "0123"}}, {{"f", "0123ab"}}};
  EXPECT_EQ(testing::enumerated_images(fs, options(CrashPolicy::kPrefix)), prefix);
  // Reordered, the append may land first and the truncate leave "0123", or
  // the append alone survive over the old bytes.
  const std::set<Image> reorder = {
      {{"f", "0123456789"}}, {{"f", "0123"}}, {{"f", "0123ab"}}, {{"f", "0123ab6789"}}};
  EXPECT_EQ(testing::enumerated_images(fs, options(CrashPolicy::kReorder)), reorder);
}

// Classifies a 512-byte sector of a torn image.
char sector_class(std::string_view sector, char old_byte, char new_byte) {
  if (sector == std::string(512, new_byte)) return 'N';
  if (sector == std::string(512, old_byte)) return 'O';
  if (sector == std::string(512, '\0')) return 'Z';
  return 'G';
}

TEST(CrashPolicy, TornOverwriteOfTwoSectorsGivesAllSixteenSectorFates) {
  SimFs fs;
  ASSERT_TRUE(testing::put_file(fs, "f", std::string(1024, 'a'), true, true).is_ok());
  auto file = fs.open("f", OpenMode::kReadWrite);
  FAULTFS_ASSERT_OK(file);
  FAULTFS_ASSERT_OK((*file)->write_at(0, std::string(1024, 'b')));
  std::set<std::string> fates;
  const auto images = testing::enumerated_images(fs, options(CrashPolicy::kTorn));
  for (const Image& image : images) {
    const std::string& bytes = image.at("f");
    ASSERT_EQ(bytes.size(), 1024u);
    fates.insert({sector_class(std::string_view(bytes).substr(0, 512), 'a', 'b'),
                  sector_class(std::string_view(bytes).substr(512), 'a', 'b')});
  }
  EXPECT_EQ(images.size(), 16u);
  std::set<std::string> expected;
  for (char x : std::string("NOZG")) {
    for (char y : std::string("NOZG")) expected.insert({x, y});
  }
  EXPECT_EQ(fates, expected);
}

TEST(CrashPolicy, TornAppendOfTwoSectorsGivesThirteenImagesAcrossBothSizeRules) {
  SimFs fs;
  ASSERT_TRUE(testing::put_file(fs, "f", "", true, true).is_ok());
  auto file = fs.open("f", OpenMode::kReadWrite);
  FAULTFS_ASSERT_OK(file);
  FAULTFS_ASSERT_OK((*file)->append(std::string(1024, 'b')));
  std::map<size_t, int> by_size;
  for (const Image& image : testing::enumerated_images(fs, options(CrashPolicy::kTorn))) {
    by_size[image.at("f").size()]++;
  }
  // Size 0: nothing persisted. 512: first sector new, zero or garbage with the
  // size following the data. 1024: each sector new, zero (old bytes past the
  // old end are zeros too) or garbage.
  const std::map<size_t, int> expected = {{0, 1}, {512, 3}, {1024, 9}};
  EXPECT_EQ(by_size, expected);
}

TEST(CrashPolicy, TornSamplesStayWithinTheEnumeratedSet) {
  SimFs fs;
  ASSERT_TRUE(testing::put_file(fs, "f", std::string(1024, 'a'), true, true).is_ok());
  auto file = fs.open("f", OpenMode::kReadWrite);
  FAULTFS_ASSERT_OK(file);
  FAULTFS_ASSERT_OK((*file)->write_at(256, std::string(512, 'b')));
  const auto all = testing::enumerated_images(fs, options(CrashPolicy::kTorn));
  std::mt19937_64 rng(3);
  for (int i = 0; i < 200; ++i) {
    CrashChoice choice;
    auto image = fs.crash(options(CrashPolicy::kTorn), rng, &choice)->live_files();
    // Garbage differs per seed, so compare the non-garbage images only.
    if (!choice.torn || choice.torn->fates.find('G') == std::string::npos) {
      EXPECT_EQ(all.count(image), 1u) << choice.serialize();
    }
  }
}

TEST(CrashPolicy, CorruptOfATwoByteFileGivesSixteenBitFlipsAndOneLostSector) {
  SimFs fs;
  ASSERT_TRUE(testing::put_file(fs, "f", "ab", true, true).is_ok());
  const auto images = testing::enumerated_images(fs, options(CrashPolicy::kCorrupt));
  std::set<Image> expected;
  for (int byte = 0; byte < 2; ++byte) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string bytes = "ab";
      bytes[byte] = static_cast<char>(bytes[byte] ^ (1 << bit));
      expected.insert({{"f", bytes}});
    }
  }
  expected.insert({{"f", zeros(2)}});
  EXPECT_EQ(images, expected);
}

TEST(CrashPolicy, CorruptNeverLeavesAnImageWithDataUntouched) {
  SimFs fs;
  ASSERT_TRUE(testing::put_file(fs, "f", "hello", true, true).is_ok());
  std::mt19937_64 rng(11);
  for (int i = 0; i < 50; ++i) {
    CrashChoice choice;
    auto image = fs.crash(options(CrashPolicy::kCorrupt), rng, &choice);
    ASSERT_TRUE(choice.corruption.has_value());
    EXPECT_NE(image->live_files().at("f"), "hello") << choice.serialize();
  }
}

TEST(CrashPolicy, EnumerationBeyondTheBoundSamplesDistinctImages) {
  SimFs fs;
  ASSERT_TRUE(testing::put_file(fs, "f", "", true, true).is_ok());
  auto file = fs.open("f", OpenMode::kReadWrite);
  FAULTFS_ASSERT_OK(file);
  for (int i = 0; i < 12; ++i) FAULTFS_ASSERT_OK((*file)->append("x"));  // 4096 subsets.
  std::mt19937_64 rng(5);
  const auto choices = fs.enumerate_crashes(options(CrashPolicy::kReorder), 100, rng);
  EXPECT_EQ(choices.size(), 100u);
  std::set<Image> images;
  for (const CrashChoice& c : choices)
    images.insert(testing::must(fs.crash_with(c.options, c))->live_files());
  EXPECT_EQ(images.size(), 100u);
}

}  // namespace
}  // namespace faultfs
