// The contract's table (engine/doc/contract.md) as bounds: one test per cell that differs.
#include "oracle_test_util.h"

namespace oracle::testing {
namespace {

using BoundsTable = OracleFixture;

// Writes 1..2 acked and synced, 3 acked after the sync, 4 issued only.
class BoundsAfterSync : public OracleFixture {
 protected:
  void SetUp() override {
    OracleFixture::SetUp();
    put("a", "1");
    put("b", "2");
    sync(SyncKind::kSync);
    put("c", "3");
    put("d", "4", /*ack=*/false);
  }
};

TEST_F(BoundsAfterSync, FullLowerBoundIsTheLastAcknowledgedWriteForBothCrashKinds) {
  for (CrashKind kind : {CrashKind::kProcessKill, CrashKind::kPowerLoss}) {
    const Bounds b = bounds(Durability::kFull, kind);
    EXPECT_EQ(b.lo, 3u) << crash_kind_name(kind);
    EXPECT_EQ(b.hi, 4u) << crash_kind_name(kind);
  }
}

TEST_F(BoundsAfterSync, LazyProcessKillKeepsEveryAcknowledgedWrite) {
  const Bounds b = bounds(Durability::kLazy, CrashKind::kProcessKill);
  EXPECT_EQ(b.lo, 3u);
  EXPECT_EQ(b.hi, 4u);
}

TEST_F(BoundsAfterSync, LazyPowerLossKeepsOnlyWritesAcknowledgedBeforeTheLastSync) {
  const Bounds b = bounds(Durability::kLazy, CrashKind::kPowerLoss);
  EXPECT_EQ(b.lo, 2u);
  EXPECT_EQ(b.hi, 4u);
}

TEST_F(BoundsAfterSync, NoneIgnoresWalSyncsAndWaitsForAFlush) {
  EXPECT_EQ(bounds(Durability::kNone, CrashKind::kProcessKill).lo, 0u);
  EXPECT_EQ(bounds(Durability::kNone, CrashKind::kPowerLoss).lo, 0u);
  sync(SyncKind::kFlush);
  EXPECT_EQ(bounds(Durability::kNone, CrashKind::kProcessKill).lo, 3u);
  EXPECT_EQ(bounds(Durability::kNone, CrashKind::kPowerLoss).lo, 3u);
}

TEST_F(BoundsAfterSync, FailedOrUnfinishedSyncMovesNoBound) {
  ASSERT_TRUE(history_->record_sync_begin(SyncKind::kFlush).is_ok());
  EXPECT_EQ(bounds(Durability::kNone, CrashKind::kPowerLoss).lo, 0u);
  ASSERT_TRUE(history_->record_sync_end(SyncKind::kFlush, /*ok=*/false).is_ok());
  EXPECT_EQ(bounds(Durability::kNone, CrashKind::kPowerLoss).lo, 0u);
  EXPECT_EQ(bounds(Durability::kLazy, CrashKind::kPowerLoss).lo, 2u);
}

TEST_F(BoundsAfterSync, CleanCloseMakesEveryAcknowledgedWriteRequiredInEveryMode) {
  sync(SyncKind::kClose);
  for (Durability d : {Durability::kNone, Durability::kLazy, Durability::kFull}) {
    EXPECT_EQ(bounds(d, CrashKind::kPowerLoss).lo, 3u) << durability_name(d);
  }
}

TEST_F(BoundsTable, EmptyHistoryAllowsOnlyTheEmptyState) {
  const Bounds b = bounds(Durability::kFull, CrashKind::kPowerLoss);
  EXPECT_EQ(b.lo, 0u);
  EXPECT_EQ(b.hi, 0u);
  expect_ok(judge(b, {}), 0);
}

TEST_F(BoundsTable, ABatchIsOneSequenceNumber) {
  issue({Op::put("t", "a", "1"), Op::put("u", "b", "2")}, true);
  const Bounds b = bounds(Durability::kFull, CrashKind::kPowerLoss);
  EXPECT_EQ(b.lo, 1u);
  EXPECT_EQ(b.hi, 1u);
  expect_ok(judge(b, {Entry{"t", "a", "1"}, Entry{"u", "b", "2"}}), 1);
}

}  // namespace
}  // namespace oracle::testing
