// Crash atomicity: apply() (append and compaction), creation, and the
// compaction switch's half-done images, each crashed by SimFs after every
// operation and reopened in every distinct image SimFs enumerates for that
// point (the lab's crash model, faultfs/doc/crash_model.md).
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "wos/wos_format.h"
#include "wos_test_util.h"

namespace dbx::wos::testing {
namespace {

using faultfs::SimFs;
using faultfs::SimFsStats;

struct Outcome {
  uint64_t crash_points = 0;  // Crash points tried.
  uint64_t images = 0;        // Crash images reopened.
  uint64_t old_states = 0;
  uint64_t new_states = 0;
  bool compacted = false;
};

// What a crash during one apply() may recover to.
struct Expected {
  State old_state;
  State new_state;
  uint64_t old_sequence = 0;
  uint64_t new_sequence = 0;
};

// Mutating ops and persistence points between two stats of one SimFs.
std::pair<uint64_t, uint64_t> work_between(const SimFsStats& before, const SimFsStats& after) {
  return {after.mutations - before.mutations,
          after.syncs + after.dir_syncs - before.syncs - before.dir_syncs};
}

// A store recovered from a crash must take further checkpoints and reopen
// to them.
void expect_further_checkpoints(SimFs& image, WosStore& reopened, const State& got,
                                uint64_t sequence, const std::string& at) {
  Delta more;
  more.put("after", "crash", "ok");
  EXPECT_TRUE(reopened.apply(more, sequence).is_ok()) << at;
  State expected = got;
  apply_model(&expected, more);
  auto again = WosStore::open(image, kWosDir);
  EXPECT_TRUE(again.is_ok()) << at << ": " << again.status().message();
  if (again.is_ok()) {
    EXPECT_EQ(dump(**again), expected) << at;
  }
}

// Reopens every crash image of `fs` and checks it holds exactly the old or
// the new state, the new one only if the apply was not acknowledged.
void check_images(const SimFs& fs, const Expected& expected, bool acknowledged,
                  const std::string& where, Outcome* outcome) {
  for (const CrashImage& image : crash_images(fs)) {
    const std::string at = where + ", image " + image.choice;
    auto reopened = WosStore::open(*image.fs, kWosDir);
    outcome->images += 1;
    EXPECT_TRUE(reopened.is_ok()) << at << ": " << reopened.status().message();
    if (!reopened.is_ok()) continue;
    const State got = dump(**reopened);
    const uint64_t got_sequence = (*reopened)->checkpoint_sequence();
    if (got == expected.new_state) {
      EXPECT_EQ(got_sequence, expected.new_sequence) << at;
      outcome->new_states += 1;
    } else {
      EXPECT_FALSE(acknowledged) << "an acknowledged apply was lost, " << at;
      EXPECT_EQ(got, expected.old_state) << "a mix of checkpoints, " << at;
      EXPECT_EQ(got_sequence, expected.old_sequence) << at;
      outcome->old_states += 1;
    }
    if (image.keeps_none || image.keeps_all) {
      expect_further_checkpoints(*image.fs, **reopened, got, expected.new_sequence + 1, at);
    }
  }
}

// Crashes `delta` at `sequence` on a copy of `base` after every mutating
// operation and every persistence point, and checks each crash image
// reopens to exactly the old or the new state (the new one only once
// apply() returned OK).
Outcome crash_apply_everywhere(const SimFs& base, const Delta& delta, uint64_t sequence) {
  Outcome outcome;
  Expected expected;
  expected.new_sequence = sequence;
  uint64_t old_generation = 0;
  std::vector<CrashPoint> points;
  std::pair<uint64_t, uint64_t> work;  // Of the uninterrupted apply.
  {
    auto fs = base.clone();
    auto store = open_ok(*fs);
    if (store == nullptr) return outcome;
    expected.old_state = dump(*store);
    expected.old_sequence = store->checkpoint_sequence();
    old_generation = store->generation();
    const SimFsStats before = fs->stats();
    expect_ok(store->apply(delta, sequence));
    points = crash_points(before, fs->stats());
    work = work_between(before, fs->stats());
  }
  expected.new_state = expected.old_state;
  apply_model(&expected.new_state, delta);
  EXPECT_NE(expected.old_state, expected.new_state)
      << "the delta must change something to be observable";

  for (const CrashPoint& point : points) {
    auto fs = base.clone();
    auto store = open_ok(*fs);
    if (store == nullptr) return outcome;
    const SimFsStats before = fs->stats();
    halt_at(*fs, point);
    const faultfs::Status status = store->apply(delta, sequence);
    const bool acknowledged = status.is_ok();
    const std::string where = point.describe();
    outcome.crash_points += 1;
    if (acknowledged) {
      // Nothing refused was swallowed: it did all the uninterrupted apply did.
      EXPECT_EQ(work_between(before, fs->stats()), work) << where;
      outcome.compacted = store->generation() == old_generation + 1;
    } else {
      EXPECT_TRUE(fs->halted()) << where << ": " << status.message();
      EXPECT_NE(point.after, CrashPoint::After::kNever) << "apply never completed";
      // On error memory is unchanged: reads still see the old checkpoint.
      EXPECT_EQ(store->checkpoint_sequence(), expected.old_sequence) << where;
      EXPECT_EQ(dump(*store), expected.old_state) << "after a crash " << where;
    }
    check_images(*fs, expected, acknowledged, where, &outcome);
  }
  EXPECT_GT(outcome.images, 1u);
  ::testing::Test::RecordProperty("crash_points", std::to_string(outcome.crash_points));
  ::testing::Test::RecordProperty("images", std::to_string(outcome.images));
  return outcome;
}

Delta small_delta() {
  Delta delta;
  delta.put("t", "a", "new a");
  delta.remove("t", "b");
  delta.put("u", "x", std::string("\0bin", 4));
  return delta;
}

std::unique_ptr<SimFs> store_with(const Delta& delta, uint64_t sequence) {
  auto fs = make_fs();
  auto store = open_ok(*fs);
  EXPECT_NE(store, nullptr);
  if (store != nullptr) expect_ok(store->apply(delta, sequence));
  return fs;
}

TEST(WosCrash, ApplyWithoutCompactionIsAtomicAtEveryOperation) {
  Delta base_delta;
  base_delta.put("t", "a", "old a");
  base_delta.put("t", "b", "old b");
  base_delta.put("t", "c", "old c");
  auto base = store_with(base_delta, 10);
  const Outcome outcome = crash_apply_everywhere(*base, small_delta(), 11);
  EXPECT_FALSE(outcome.compacted);
  EXPECT_GE(outcome.crash_points, 6u);
  EXPECT_GT(outcome.old_states, 0u);
  EXPECT_GT(outcome.new_states, 0u);
}

TEST(WosCrash, ApplyOverGarbageFromAnEarlierCrashIsAtomicAtEveryOperation) {
  Delta base_delta;
  base_delta.put("t", "a", "old a");
  base_delta.put("t", "b", "old b");
  auto base = store_with(base_delta, 10);
  // An earlier flush died after its append: bytes past the committed length.
  set_contents(*base, kDbPath, sim_bytes(*base, kDbPath) + std::string(100, '\x5a'));
  const Outcome outcome = crash_apply_everywhere(*base, small_delta(), 11);
  EXPECT_FALSE(outcome.compacted);
  EXPECT_GT(outcome.new_states, 0u);
}

TEST(WosCrash, ApplyWithCompactionIsAtomicAtEveryOperation) {
  // 8 values of 80 KiB: overwriting all but one and deleting that one takes
  // the file past 2x live and past the 1 MiB minimum, so apply compacts.
  Delta base_delta;
  for (int k = 0; k < 8; ++k)
    base_delta.put("t", "k" + std::to_string(k), std::string(80 << 10, 'o'));
  auto base = store_with(base_delta, 10);
  Delta delta;
  for (int k = 0; k < 7; ++k) delta.put("t", "k" + std::to_string(k), std::string(80 << 10, 'n'));
  delta.remove("t", "k7");
  delta.put("u", "fresh", "value");
  const Outcome outcome = crash_apply_everywhere(*base, delta, 11);
  EXPECT_TRUE(outcome.compacted);
  EXPECT_GT(outcome.old_states, 0u);
  EXPECT_GT(outcome.new_states, 0u);
}

TEST(WosCrash, CreationIsAtomicAtEveryOperation) {
  std::vector<CrashPoint> points;
  {
    auto fs = make_fs();
    const SimFsStats before = fs->stats();
    ASSERT_NE(open_ok(*fs), nullptr);
    points = crash_points(before, fs->stats());
  }
  uint64_t images = 0;
  for (const CrashPoint& point : points) {
    auto fs = make_fs();
    halt_at(*fs, point);
    auto store = WosStore::open(*fs, kWosDir);
    if (point.after == CrashPoint::After::kNever) {
      ASSERT_TRUE(store.is_ok()) << "creation never completed: " << store.status().message();
    }
    for (const CrashImage& image : crash_images(*fs)) {
      auto reopened = WosStore::open(*image.fs, kWosDir);
      images += 1;
      ASSERT_TRUE(reopened.is_ok())
          << point.describe() << ", image " << image.choice << ": " << reopened.status().message();
      EXPECT_TRUE((*reopened)->table_names().empty());
      EXPECT_EQ((*reopened)->checkpoint_sequence(), 0u);
    }
  }
  EXPECT_GT(images, 1u);
}

// The compaction switch's directory images, built by hand: conf and db each
// of the old (g) or new (g+1) generation, with or without leftovers.
class WosSwitch : public ::testing::Test {
 protected:
  void SetUp() override {
    Delta fill;
    for (int k = 0; k < 8; ++k) fill.put("t", "k" + std::to_string(k), std::string(80 << 10, 'o'));
    old_fs_ = store_with(fill, 10);
    {
      auto store = open_ok(*old_fs_);
      ASSERT_NE(store, nullptr);
      old_state_ = dump(*store);
    }
    new_fs_ = old_fs_->clone();
    auto store = open_ok(*new_fs_);
    ASSERT_NE(store, nullptr);
    Delta delta;
    for (int k = 0; k < 7; ++k) delta.put("t", "k" + std::to_string(k), std::string(80 << 10, 'n'));
    delta.remove("t", "k7");
    expect_ok(store->apply(delta, 11));
    ASSERT_EQ(store->generation(), 2u);
    new_state_ = dump(*store);
  }
  std::string old_file(const std::string& path) const { return sim_bytes(*old_fs_, path); }
  std::string new_file(const std::string& path) const { return sim_bytes(*new_fs_, path); }

  // A store directory holding exactly `files`.
  std::unique_ptr<SimFs> image(const std::map<std::string, std::string>& files) const {
    auto fs = make_fs();
    expect_ok(fs->mkdir(kWosDir));
    for (const auto& [name, bytes] : files) {
      auto file = fs->open(kWosDir + "/" + name, faultfs::OpenMode::kCreate);
      EXPECT_TRUE(file.is_ok());
      expect_ok((*file)->append(bytes));
      expect_ok((*file)->sync());
    }
    expect_ok(fs->sync_dir(kWosDir));
    expect_ok(fs->sync_dir("/db"));
    return fs;
  }

  std::unique_ptr<SimFs> old_fs_, new_fs_;
  State old_state_, new_state_;
};

TEST_F(WosSwitch, OldConfWithOldDbAndLeftoverTempsOpensTheOldState) {
  auto fs = image({{"conf", old_file(kConfPath)},
                   {"db", old_file(kDbPath)},
                   {"db.tmp", new_file(kDbPath)},
                   {"conf.tmp", new_file(kConfPath)}});
  auto store = open_ok(*fs);
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(dump(*store), old_state_);
  EXPECT_EQ(store->generation(), 1u);
  EXPECT_FALSE(fs->exists(kWosDir + "/db.tmp").value()) << "leftover db.tmp not removed";
  EXPECT_FALSE(fs->exists(kWosDir + "/conf.tmp").value());
}

TEST_F(WosSwitch, OldConfWithNewDbRollsForwardAndPublishesTheNewConf) {
  auto fs = image({{"conf", old_file(kConfPath)}, {"db", new_file(kDbPath)}});
  auto store = open_ok(*fs);
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(dump(*store), new_state_);
  EXPECT_EQ(store->checkpoint_sequence(), 11u);
  EXPECT_EQ(store->generation(), 2u);
  EXPECT_EQ(sim_bytes(*fs, kConfPath), new_file(kConfPath)) << "the switch was not finished";
}

TEST_F(WosSwitch, RollForwardInterruptedAtEveryOperationStillRollsForward) {
  auto base = image({{"conf", old_file(kConfPath)}, {"db", new_file(kDbPath)}});
  std::vector<CrashPoint> points;
  {
    auto fs = base->clone();
    ASSERT_NE(open_ok(*fs), nullptr);
    points = crash_points(SimFsStats{}, fs->stats());
  }
  uint64_t images = 0;
  for (const CrashPoint& point : points) {
    auto fs = base->clone();
    halt_at(*fs, point);
    auto first = WosStore::open(*fs, kWosDir);
    if (point.after == CrashPoint::After::kNever) {
      ASSERT_TRUE(first.is_ok()) << "roll-forward never completed: " << first.status().message();
    }
    for (const CrashImage& crashed : crash_images(*fs)) {
      auto store = open_ok(*crashed.fs);
      images += 1;
      ASSERT_NE(store, nullptr) << point.describe() << ", image " << crashed.choice;
      EXPECT_EQ(dump(*store), new_state_);
    }
  }
  EXPECT_GT(images, 1u);
}

TEST_F(WosSwitch, NewConfWithOldDbInstallsDbTmp) {
  auto fs = image(
      {{"conf", new_file(kConfPath)}, {"db", old_file(kDbPath)}, {"db.tmp", new_file(kDbPath)}});
  auto store = open_ok(*fs);
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(dump(*store), new_state_);
  EXPECT_EQ(sim_bytes(*fs, kDbPath), new_file(kDbPath));
}

TEST_F(WosSwitch, NewConfWithOldDbAndNoDbTmpIsCorruption) {
  auto fs = image({{"conf", new_file(kConfPath)}, {"db", old_file(kDbPath)}});
  auto store = WosStore::open(*fs, kWosDir);
  ASSERT_FALSE(store.is_ok());
  EXPECT_EQ(store.status().code(), faultfs::ErrorCode::kCorruption);
  EXPECT_NE(store.status().message().find(kConfPath), std::string::npos);
}

TEST_F(WosSwitch, NewConfWithNewDbOpensTheNewState) {
  auto fs = image({{"conf", new_file(kConfPath)}, {"db", new_file(kDbPath)}});
  auto store = open_ok(*fs);
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(dump(*store), new_state_);
}

TEST_F(WosSwitch, GenerationsTwoApartAreCorruption) {
  // Generation 3 db next to generation 1 conf: no protocol step makes this.
  std::string db = new_file(kDbPath);
  const std::string header = encode_db_header(DbHeader{3, 11, db.size()});
  db.replace(0, header.size(), header);
  auto fs = image({{"conf", old_file(kConfPath)}, {"db", db}});
  auto store = WosStore::open(*fs, kWosDir);
  ASSERT_FALSE(store.is_ok());
  EXPECT_EQ(store.status().code(), faultfs::ErrorCode::kCorruption);
}

TEST_F(WosSwitch, ConfPresentButDbMissingIsCorruption) {
  auto fs = image({{"conf", old_file(kConfPath)}});
  auto store = WosStore::open(*fs, kWosDir);
  ASSERT_FALSE(store.is_ok());
  EXPECT_EQ(store.status().code(), faultfs::ErrorCode::kCorruption);
}

TEST_F(WosSwitch, ConfMissingWhileDbHoldsEntriesIsCorruption) {
  auto fs = image({{"db", old_file(kDbPath)}});
  auto store = WosStore::open(*fs, kWosDir);
  ASSERT_FALSE(store.is_ok());
  EXPECT_EQ(store.status().code(), faultfs::ErrorCode::kCorruption);
}

}  // namespace
}  // namespace dbx::wos::testing
