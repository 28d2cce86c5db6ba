// Crash atomicity: apply() (append and compaction), creation, and the
// compaction switch's half-done images, each crashed at every mutating
// operation and reopened under every choice of surviving un-synced changes.
#include <gtest/gtest.h>

#include <random>

#include "wos/wos_format.h"
#include "wos_test_util.h"

namespace dbx::wos::testing {
namespace {

// Every subset when there are few choices, else a seeded sample plus both
// extremes (nothing kept, everything kept).
std::vector<uint64_t> masks_for(size_t choices) {
  EXPECT_LT(choices, 63u);
  std::vector<uint64_t> masks;
  if (choices <= 10) {
    for (uint64_t m = 0; m < (uint64_t{1} << choices); ++m) masks.push_back(m);
    return masks;
  }
  const uint64_t all = (uint64_t{1} << choices) - 1;
  masks = {0, all};
  std::mt19937_64 rng(choices);
  for (int i = 0; i < 256; ++i) masks.push_back(rng() & all);
  return masks;
}

struct Outcome {
  uint64_t crash_points = 0;  // Operation counts tried.
  uint64_t images = 0;        // Crash images reopened.
  uint64_t old_states = 0;
  uint64_t new_states = 0;
  bool compacted = false;
};

// Crashes `delta` at `sequence` on a copy of `base` after every number of
// mutating operations, and checks each crash image reopens to exactly the old
// or the new state (the new one only once apply() returned OK).
Outcome crash_apply_everywhere(const FakeFs& base, const Delta& delta, uint64_t sequence) {
  Outcome outcome;
  State old_state;
  uint64_t old_sequence = 0;
  uint64_t old_generation = 0;
  {
    auto fs = base.clone();
    auto store = open_ok(*fs);
    if (store == nullptr) return outcome;
    old_state = dump(*store);
    old_sequence = store->checkpoint_sequence();
    old_generation = store->generation();
  }
  State new_state = old_state;
  apply_model(&new_state, delta);
  EXPECT_NE(old_state, new_state) << "the delta must change something to be observable";

  for (uint64_t ops = 0; ops < 200; ++ops) {
    auto fs = base.clone();
    auto store = open_ok(*fs);
    if (store == nullptr) return outcome;
    fs->stop_after(ops);
    const faultfs::Status status = store->apply(delta, sequence);
    const bool acknowledged = status.is_ok();
    outcome.crash_points += 1;
    if (acknowledged) {
      EXPECT_FALSE(fs->stopped());
      outcome.compacted = store->generation() == old_generation + 1;
    } else {
      EXPECT_TRUE(fs->stopped()) << status.message();
      // On error memory is unchanged: reads still see the old checkpoint.
      EXPECT_EQ(store->checkpoint_sequence(), old_sequence);
      EXPECT_EQ(dump(*store), old_state) << "after a crash at op " << ops;
    }
    for (uint64_t mask : masks_for(fs->pending_choices())) {
      auto image = fs->crash_image(mask);
      auto reopened = WosStore::open(*image, kWosDir);
      outcome.images += 1;
      EXPECT_TRUE(reopened.is_ok())
          << "op " << ops << " mask " << mask << ": " << reopened.status().message();
      if (!reopened.is_ok()) continue;
      const State got = dump(**reopened);
      const uint64_t got_sequence = (*reopened)->checkpoint_sequence();
      if (got == new_state) {
        EXPECT_EQ(got_sequence, sequence);
        outcome.new_states += 1;
      } else {
        EXPECT_FALSE(acknowledged) << "an acknowledged apply was lost, op " << ops;
        EXPECT_EQ(got, old_state) << "a mix of checkpoints, op " << ops << " mask " << mask;
        EXPECT_EQ(got_sequence, old_sequence);
        outcome.old_states += 1;
      }
      // The recovered store must take further checkpoints and reopen to them.
      if (mask == 0 || mask + 1 == (uint64_t{1} << fs->pending_choices())) {
        Delta more;
        more.put("after", "crash", "ok");
        EXPECT_TRUE((*reopened)->apply(more, sequence + 1).is_ok());
        State expected = got;
        apply_model(&expected, more);
        auto again = WosStore::open(*image, kWosDir);
        EXPECT_TRUE(again.is_ok()) << again.status().message();
        if (again.is_ok()) {
          EXPECT_EQ(dump(**again), expected);
        }
      }
    }
    if (acknowledged) {
      ::testing::Test::RecordProperty("crash_points", std::to_string(outcome.crash_points));
      ::testing::Test::RecordProperty("images", std::to_string(outcome.images));
      return outcome;
    }
  }
  ADD_FAILURE() << "apply never completed";
  return outcome;
}

Delta small_delta() {
  Delta delta;
  delta.put("t", "a", "new a");
  delta.remove("t", "b");
  delta.put("u", "x", std::string("\0bin", 4));
  return delta;
}

std::unique_ptr<FakeFs> store_with(const Delta& delta, uint64_t sequence) {
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
  base->set_contents(kDbPath, base->contents(kDbPath) + std::string(100, '\x5a'));
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
  for (uint64_t ops = 0; ops < 50; ++ops) {
    auto fs = make_fs();
    fs->stop_after(ops);
    auto store = WosStore::open(*fs, kWosDir);
    for (uint64_t mask : masks_for(fs->pending_choices())) {
      auto image = fs->crash_image(mask);
      auto reopened = WosStore::open(*image, kWosDir);
      ASSERT_TRUE(reopened.is_ok()) << "op " << ops << ": " << reopened.status().message();
      EXPECT_TRUE((*reopened)->table_names().empty());
      EXPECT_EQ((*reopened)->checkpoint_sequence(), 0u);
    }
    if (store.is_ok()) return;
  }
  FAIL() << "creation never completed";
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
  std::string old_file(const std::string& path) const { return old_fs_->contents(path); }
  std::string new_file(const std::string& path) const { return new_fs_->contents(path); }

  // A store directory holding exactly `files`.
  std::unique_ptr<FakeFs> image(const std::map<std::string, std::string>& files) const {
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

  std::unique_ptr<FakeFs> old_fs_, new_fs_;
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
  EXPECT_EQ(fs->contents(kConfPath), new_file(kConfPath)) << "the switch was not finished";
}

TEST_F(WosSwitch, RollForwardInterruptedAtEveryOperationStillRollsForward) {
  for (uint64_t ops = 0; ops < 20; ++ops) {
    auto fs = image({{"conf", old_file(kConfPath)}, {"db", new_file(kDbPath)}});
    fs->stop_after(ops);
    auto first = WosStore::open(*fs, kWosDir);
    for (uint64_t mask : masks_for(fs->pending_choices())) {
      auto crashed = fs->crash_image(mask);
      auto store = open_ok(*crashed);
      ASSERT_NE(store, nullptr) << "op " << ops;
      EXPECT_EQ(dump(*store), new_state_);
    }
    if (first.is_ok()) return;
  }
  FAIL() << "roll-forward never completed";
}

TEST_F(WosSwitch, NewConfWithOldDbInstallsDbTmp) {
  auto fs = image(
      {{"conf", new_file(kConfPath)}, {"db", old_file(kDbPath)}, {"db.tmp", new_file(kDbPath)}});
  auto store = open_ok(*fs);
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(dump(*store), new_state_);
  EXPECT_EQ(fs->contents(kDbPath), new_file(kDbPath));
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
