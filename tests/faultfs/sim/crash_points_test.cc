// Crash points (hook, halt), counters, crash-choice replay and drawing, and
// COW crash images.
#include <gtest/gtest.h>

#include <chrono>

#include "sim_test_util.h"

namespace faultfs {
namespace {

using testing::Image;
using testing::options;

// A small workload: create, write, sync, dir sync, rename.
Status workload(FileSystem& fs) {
  auto file = fs.open("wal", OpenMode::kCreate);
  if (!file.is_ok()) return file.status();
  Status s = (*file)->append("r1");
  if (s.is_ok()) s = (*file)->sync();
  if (s.is_ok()) s = fs.sync_dir(".");
  if (s.is_ok()) s = (*file)->append("r2");
  if (s.is_ok()) s = (*file)->sync();
  if (s.is_ok()) s = fs.rename("wal", "wal.old");
  if (!s.is_ok()) return s;
  return (*file)->close();
}

TEST(CrashPoints, HookSeesEveryMutationAndPersistencePointInOrder) {
  SimFs fs;
  std::vector<std::string> seen;
  std::vector<size_t> pending_at_sync;
  fs.set_op_hook([&](const OpEvent& e) {
    seen.push_back(std::string(e.op) + ":" + std::to_string(e.mutations) + "/" +
                   std::to_string(e.persistence_points));
    if (e.kind != OpKind::kMutation) pending_at_sync.push_back(fs.pending_changes());
  });
  FAULTFS_ASSERT_OK(workload(fs));
  const std::vector<std::string> expected = {
      "open:1/0", "append:2/0", "sync:2/1", "sync_dir:2/2", "append:3/2", "sync:3/3", "rename:4/3"};
  EXPECT_EQ(seen, expected);
  EXPECT_EQ(pending_at_sync, (std::vector<size_t>{1, 0, 0}));
  const SimFsStats stats = fs.stats();
  EXPECT_EQ(stats.mutations, 4u);
  EXPECT_EQ(stats.syncs, 2u);
  EXPECT_EQ(stats.dir_syncs, 1u);
  EXPECT_EQ(stats.bytes_written, 4u);
}

TEST(CrashPoints, HookCanTakeACrashImageAtEachPersistencePoint) {
  SimFs fs;
  std::vector<Image> images;
  fs.set_op_hook([&](const OpEvent& e) {
    if (e.kind == OpKind::kMutation) return;
    std::mt19937_64 rng(1);
    images.push_back(fs.crash(options(CrashPolicy::kDrop), rng)->live_files());
  });
  FAULTFS_ASSERT_OK(workload(fs));
  const std::vector<Image> expected = {{}, {{"wal", "r1"}}, {{"wal", "r1r2"}}};
  EXPECT_EQ(images, expected);
}

TEST(CrashPoints, HaltAfterNthMutationFailsEveryLaterMutationButReads) {
  SimFs fs;
  fs.halt_after_mutations(2);
  const Status s = workload(fs);
  EXPECT_EQ(s.code(), ErrorCode::kIoError);
  EXPECT_NE(s.message().find("halted"), std::string::npos);
  EXPECT_TRUE(fs.halted());
  EXPECT_EQ(fs.stats().mutations, 2u);
  EXPECT_EQ(fs.stats().syncs, 0u);  // The sync after the 2nd mutation was refused.
  EXPECT_EQ(fs.mkdir("d").code(), ErrorCode::kIoError);
  EXPECT_EQ(testing::must(read_file(fs, "wal")), "r1");
  std::mt19937_64 rng(1);
  EXPECT_EQ(fs.crash(options(CrashPolicy::kDrop), rng)->live_files(), Image{});
  fs.clear_halt();
  FAULTFS_EXPECT_OK(fs.mkdir("d"));
}

TEST(CrashPoints, HaltAfterNthPersistencePointStopsRightAfterIt) {
  SimFs fs;
  fs.halt_after_persistence_points(2);
  EXPECT_EQ(workload(fs).code(), ErrorCode::kIoError);
  EXPECT_EQ(fs.stats().syncs + fs.stats().dir_syncs, 2u);
  EXPECT_EQ(fs.stats().mutations, 2u);  // The append after the dir sync was refused.
  std::mt19937_64 rng(1);
  EXPECT_EQ(fs.crash(options(CrashPolicy::kReorder), rng)->live_files(), (Image{{"wal", "r1"}}));
}

TEST(CrashPoints, SerializedChoiceReplaysTheSameImage) {
  SimFs fs;
  FAULTFS_ASSERT_OK(testing::put_file(fs, "f", std::string(2000, 'a'), true, true));
  auto file = fs.open("f", OpenMode::kReadWrite);
  FAULTFS_ASSERT_OK(file);
  FAULTFS_ASSERT_OK((*file)->write_at(100, std::string(1500, 'b')));
  FAULTFS_ASSERT_OK((*file)->append("tail"));
  FAULTFS_ASSERT_OK(testing::put_file(fs, "g", "gg", false, false));
  std::mt19937_64 rng(42);
  for (CrashPolicy policy : {CrashPolicy::kDrop, CrashPolicy::kPrefix, CrashPolicy::kReorder,
                             CrashPolicy::kTorn, CrashPolicy::kCorrupt}) {
    for (FsModel mode : {FsModel::kPosix, FsModel::kExt4Ordered}) {
      for (int i = 0; i < 20; ++i) {
        CrashChoice choice;
        const CrashOptions o = options(policy, mode);
        auto image = fs.crash(o, rng, &choice);
        auto parsed = CrashChoice::parse(choice.serialize());
        FAULTFS_ASSERT_OK(parsed);
        EXPECT_EQ(*parsed, choice) << choice.serialize();
        auto replayed = fs.crash_with(o, *parsed);
        FAULTFS_ASSERT_OK(replayed);
        EXPECT_EQ((*replayed)->describe(), image->describe()) << choice.serialize();
      }
    }
  }
}

// draw_crash_choice() is crash() without the image: from the same rng state
// it draws the same choice and leaves the rng where crash() does, and
// crash_with() then builds the very image crash() built. The sim runner
// relies on this to build an image only for a choice it has not drawn yet.
TEST(CrashPoints, DrawingAChoiceDrawsWhatACrashDrawsAndItsImageIsTheCrashImage) {
  SimFs fs;
  fs.keep_earlier_images(8);
  FAULTFS_ASSERT_OK(fs.set_lost_file_scope("db"));
  FAULTFS_ASSERT_OK(fs.create_dirs_durable("db"));
  FAULTFS_ASSERT_OK(testing::put_file(fs, "db/f", std::string(2000, 'a'), true, true));
  auto file = fs.open("db/f", OpenMode::kReadWrite);
  FAULTFS_ASSERT_OK(file);
  FAULTFS_ASSERT_OK((*file)->write_at(100, std::string(1500, 'b')));
  FAULTFS_ASSERT_OK((*file)->sync());
  FAULTFS_ASSERT_OK((*file)->append("tail"));
  FAULTFS_ASSERT_OK(testing::put_file(fs, "db/g", "gg", false, false));
  for (CrashPolicy policy : {CrashPolicy::kDrop, CrashPolicy::kPrefix, CrashPolicy::kReorder,
                             CrashPolicy::kTorn, CrashPolicy::kCorrupt, CrashPolicy::kLostFile}) {
    for (FsModel mode : {FsModel::kPosix, FsModel::kExt4Ordered}) {
      const CrashOptions o = options(policy, mode);
      std::mt19937_64 crash_rng(7);
      std::mt19937_64 draw_rng(7);
      for (int i = 0; i < 20; ++i) {
        CrashChoice crashed;
        auto image = fs.crash(o, crash_rng, &crashed);
        const CrashChoice drawn = fs.draw_crash_choice(o, draw_rng);
        EXPECT_EQ(drawn, crashed) << drawn.serialize() << " vs " << crashed.serialize();
        auto built = fs.crash_with(o, drawn);
        FAULTFS_ASSERT_OK(built);
        EXPECT_EQ((*built)->describe(), image->describe()) << drawn.serialize();
      }
      EXPECT_EQ(draw_rng(), crash_rng()) << crash_policy_name(policy);
    }
  }
}

// The choice text names the model ("fs="); the field older builds wrote
// ("dir=") still reads for "strict", as posix, and never for the retired
// "lenient", whose message names the replacement.
TEST(CrashPoints, ChoiceTextNamesTheModelAndReadsOnlyTheStrictOlderField) {
  CrashChoice choice;
  choice.options = options(CrashPolicy::kReorder, FsModel::kExt4Ordered);
  choice.applied = {4, 2};
  EXPECT_EQ(choice.serialize(), "v1;policy=reorder;fs=ext4-ordered;sector=512;applied=4,2");
  auto back = CrashChoice::parse(choice.serialize());
  FAULTFS_ASSERT_OK(back);
  EXPECT_EQ(*back, choice);
  auto older = CrashChoice::parse("v1;policy=drop;dir=strict;sector=512;applied=");
  FAULTFS_ASSERT_OK(older);
  EXPECT_EQ(older->options.fs_model, FsModel::kPosix);
  auto lenient = CrashChoice::parse("v1;policy=drop;dir=lenient;sector=512;applied=");
  ASSERT_FALSE(lenient.is_ok());
  EXPECT_NE(lenient.status().message().find("ext4-ordered"), std::string::npos);
  EXPECT_FALSE(CrashChoice::parse("v1;policy=drop;fs=lenient;sector=512;applied=").is_ok());
  EXPECT_FALSE(
      CrashChoice::parse("v1;policy=drop;fs=posix;dir=strict;sector=512;applied=").is_ok());
  EXPECT_EQ(parse_fs_model("posix").value(), FsModel::kPosix);
  EXPECT_EQ(parse_fs_model("ext4-ordered").value(), FsModel::kExt4Ordered);
}

TEST(CrashPoints, ReplayRejectsChoicesThePolicyForbids) {
  auto fs = std::make_unique<SimFs>();
  FAULTFS_ASSERT_OK(testing::put_file(*fs, "f", "", true, true));
  auto file = fs->open("f", OpenMode::kReadWrite);
  FAULTFS_ASSERT_OK(file);
  FAULTFS_ASSERT_OK((*file)->append("a"));
  FAULTFS_ASSERT_OK((*file)->append("b"));
  const std::string described = fs->describe();
  // Ids of the two appends, as describe() lists them ("w<id>@...").
  const size_t w1 = described.find(" w");
  const uint64_t id1 = std::stoull(described.substr(w1 + 2));
  const uint64_t id2 = std::stoull(described.substr(described.find(" w", w1 + 1) + 2));
  CrashChoice choice;
  choice.options = options(CrashPolicy::kPrefix);
  choice.applied = {id2};  // A hole: not a prefix.
  EXPECT_EQ(fs->crash_with(choice.options, choice).status().code(), ErrorCode::kInvalidArgument);
  choice.applied = {id1, id2};
  FAULTFS_EXPECT_OK(fs->crash_with(choice.options, choice));
  choice.applied = {id1, 999};
  EXPECT_EQ(fs->crash_with(choice.options, choice).status().code(), ErrorCode::kInvalidArgument);
  choice.options = options(CrashPolicy::kDrop);
  choice.applied = {id1};
  EXPECT_EQ(fs->crash_with(choice.options, choice).status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(fs->crash_with(options(CrashPolicy::kReorder), choice).status().code(),
            ErrorCode::kInvalidArgument);  // Options differ from the choice's.
  EXPECT_EQ(CrashChoice::parse("v1;policy=drop").status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(CrashChoice::parse("v2;policy=drop;dir=strict;sector=512;applied=").status().code(),
            ErrorCode::kInvalidArgument);
}

TEST(CrashPoints, CrashImageOfALargeFileSharesItsPagesAndIsFast) {
  SimFs fs;
  auto file = fs.open("big", OpenMode::kCreate);
  FAULTFS_ASSERT_OK(file);
  const std::string chunk(1 << 20, 'x');
  for (int i = 0; i < 16; ++i) FAULTFS_ASSERT_OK((*file)->append(chunk));
  FAULTFS_ASSERT_OK((*file)->sync());
  FAULTFS_ASSERT_OK(fs.sync_dir("."));
  FAULTFS_ASSERT_OK((*file)->write_at(5, "y"));
  std::mt19937_64 rng(1);
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 200; ++i) {
    auto image = fs.crash(options(CrashPolicy::kReorder), rng);
    ASSERT_EQ(testing::must(image->file_size("big")), uint64_t{16} << 20);
  }
  const auto elapsed = std::chrono::steady_clock::now() - start;
  // Copying 16 MiB 200 times would take seconds; sharing pages takes microseconds each.
  EXPECT_LT(elapsed, std::chrono::milliseconds(500));
}

}  // namespace
}  // namespace faultfs
