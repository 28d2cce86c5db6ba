// Lazy's power-loss promise in time: a write acknowledged more than the lazy
// window (sync interval plus slack) before the crash must survive, whatever
// the target synced or did not.
#include "oracle_test_util.h"

namespace oracle::testing {
namespace {

constexpr int64_t kMs = 1'000'000;

// Window 10 ms; writes 1 and 2 acknowledged at 0 ms and 5 ms, 3 at 12 ms.
class LazyWindow : public OracleFixture {
 protected:
  void SetUp() override {
    OracleFixture::SetUp();
    ASSERT_TRUE(history_->set_lazy_window(10 * kMs).is_ok());
    put("a", "1");
    clock(5);
    put("b", "2");
    clock(12);
    put("c", "3");
  }
  void clock(int64_t ms) { ASSERT_TRUE(history_->set_clock(ms * kMs).is_ok()); }
  uint64_t lazy_power_loss_lo() const {
    return bounds(Durability::kLazy, CrashKind::kPowerLoss).lo;
  }
};

TEST_F(LazyWindow, OnlyWritesOlderThanTheWindowAreRequired) {
  EXPECT_EQ(lazy_power_loss_lo(), 1u);  // 12 - 0 > 10; 12 - 5 is not.
  clock(15);
  EXPECT_EQ(lazy_power_loss_lo(), 1u);  // Exactly the window: not yet.
  clock(16);
  EXPECT_EQ(lazy_power_loss_lo(), 2u);
  clock(100);
  EXPECT_EQ(lazy_power_loss_lo(), 3u);
}

TEST_F(LazyWindow, AStateMissingAnAgedWriteIsLostEvenIfTheTargetNeverSynced) {
  clock(16);
  expect_ok(judge(bounds(Durability::kLazy, CrashKind::kPowerLoss), {row("a", "1"), row("b", "2")}),
            2);
  expect_violation(judge(bounds(Durability::kLazy, CrashKind::kPowerLoss), {row("a", "1")}),
                   ViolationKind::kLostAcknowledged);
}

TEST_F(LazyWindow, OtherCellsIgnoreTheClock) {
  clock(100);
  EXPECT_EQ(bounds(Durability::kNone, CrashKind::kPowerLoss).lo, 0u);
  EXPECT_EQ(bounds(Durability::kLazy, CrashKind::kProcessKill).lo, 3u);
}

TEST_F(LazyWindow, TheClockNeverGoesBack) {
  EXPECT_FALSE(history_->set_clock(1 * kMs).is_ok());
  EXPECT_FALSE(history_->set_lazy_window(0).is_ok());
}

TEST_F(LazyWindow, WithoutAWindowNothingAges) {
  auto opened = History::open(":memory:");
  ASSERT_TRUE(opened.is_ok());
  history_ = std::move(opened).value();
  put("a", "1");
  clock(1000);
  EXPECT_EQ(lazy_power_loss_lo(), 0u);
}

TEST_F(LazyWindow, AReloadedLogAgesTheSameWrites) {
  clock(16);
  ASSERT_TRUE(history_->commit().is_ok());
  auto reloaded = history_->load_summary();
  ASSERT_TRUE(reloaded.is_ok());
  EXPECT_EQ(reloaded->aged_through, 2u);
  EXPECT_EQ(reloaded.value(), history_->summary());
}

TEST_F(LazyWindow, ARecoveryBelowAnAgedWriteLowersIt) {
  clock(100);
  ASSERT_TRUE(history_->record_crash(CrashKind::kPowerLoss, "").is_ok());
  ASSERT_TRUE(history_->record_recovered(1).is_ok());
  EXPECT_EQ(history_->summary().aged_through, 1u);
}

}  // namespace
}  // namespace oracle::testing
