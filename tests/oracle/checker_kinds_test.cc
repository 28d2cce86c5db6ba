// One test that produces each violation kind and one that accepts its absence
// (the same shape of state where the contract allows it).
#include "oracle_test_util.h"

namespace oracle::testing {
namespace {

using CheckerKinds = OracleFixture;

TEST_F(CheckerKinds, LostAcknowledgedWhenFullModeDropsAnAckedWrite) {
  put("a", "1");
  put("b", "2");
  const Verdict v = judge(bounds(Durability::kFull, CrashKind::kPowerLoss), {row("a", "1")});
  expect_violation(v, ViolationKind::kLostAcknowledged);
  EXPECT_EQ(v.p, 2u);
  EXPECT_EQ(v.diff.missing_count, 1u);
  ASSERT_EQ(v.diff.first_rows.size(), 1u);
  EXPECT_EQ(v.diff.first_rows[0].key, "b");
}

TEST_F(CheckerKinds, LostAcknowledgedAbsentWhenLazyPowerLossPrecedesAnySync) {
  put("a", "1");
  put("b", "2");
  // Lazy + power loss with no completed sync: lo = 0, so a shorter prefix is fine.
  expect_ok(judge(bounds(Durability::kLazy, CrashKind::kPowerLoss), {row("a", "1")}), 1);
  // The same state after a process kill loses an acknowledged write.
  expect_violation(judge(bounds(Durability::kLazy, CrashKind::kProcessKill), {row("a", "1")}),
                   ViolationKind::kLostAcknowledged);
}

TEST_F(CheckerKinds, HoleWhenALaterWriteSurvivesAnEarlierOne) {
  put("a", "1", false);
  put("b", "2", false);
  put("c", "3", false);
  const Verdict v =
      judge(bounds(Durability::kLazy, CrashKind::kPowerLoss), {row("a", "1"), row("c", "3")});
  expect_violation(v, ViolationKind::kHole);
  EXPECT_NE(v.evidence.find("write 2 is absent"), std::string::npos) << v.evidence;
  EXPECT_NE(v.evidence.find("write 3 is visible"), std::string::npos) << v.evidence;
}

TEST_F(CheckerKinds, HoleAbsentForEveryPrefixOfUnacknowledgedWrites) {
  put("a", "1", false);
  put("b", "2", false);
  put("c", "3", false);
  const Bounds b = bounds(Durability::kLazy, CrashKind::kPowerLoss);
  expect_ok(judge(b, {}), 0);
  expect_ok(judge(b, {row("a", "1")}), 1);
  expect_ok(judge(b, {row("a", "1"), row("b", "2")}), 2);
  expect_ok(judge(b, {row("a", "1"), row("b", "2"), row("c", "3")}), 3);
}

TEST_F(CheckerKinds, TornBatchWhenHalfABatchSurvives) {
  put("x", "0");
  issue({Op::put("t", "a", "1"), Op::put("t", "b", "2"), Op::del("t", "x")}, false);
  const Verdict v =
      judge(bounds(Durability::kLazy, CrashKind::kPowerLoss), {row("a", "1"), row("x", "0")});
  expect_violation(v, ViolationKind::kTornBatch);
  EXPECT_NE(v.evidence.find("write 2"), std::string::npos) << v.evidence;
}

TEST_F(CheckerKinds, TornBatchAbsentWhenTheBatchIsAllOrNothing) {
  put("x", "0");
  issue({Op::put("t", "a", "1"), Op::put("t", "b", "2"), Op::del("t", "x")}, false);
  const Bounds b = bounds(Durability::kLazy, CrashKind::kPowerLoss);
  expect_ok(judge(b, {row("x", "0")}), 1);
  expect_ok(judge(b, {row("a", "1"), row("b", "2")}), 2);
}

TEST_F(CheckerKinds, InventedValueWhenBytesWereNeverWritten) {
  put("a", "hello", false);
  const Bounds b = bounds(Durability::kLazy, CrashKind::kPowerLoss);
  expect_violation(judge(b, {row("a", "help!")}), ViolationKind::kInventedValue);
  expect_violation(judge(b, {row("a", std::string("hel\0\0", 5))}), ViolationKind::kInventedValue);
  // A key no write ever named is invented too, whatever its value.
  expect_violation(judge(b, {row("a", "hello"), row("zz", "hello")}),
                   ViolationKind::kInventedValue);
}

TEST_F(CheckerKinds, InventedValueAbsentForAnEmptyValueThatWasWritten) {
  put("a", "", false);
  const Bounds b = bounds(Durability::kLazy, CrashKind::kPowerLoss);
  expect_ok(judge(b, {row("a", "")}), 1);
  expect_ok(judge(b, {}), 0);
}

TEST_F(CheckerKinds, WrongValueWhenAKeyHoldsAnotherKeysValue) {
  put("a", "1");
  put("b", "2");
  const Verdict v =
      judge(bounds(Durability::kFull, CrashKind::kPowerLoss), {row("a", "2"), row("b", "2")});
  expect_violation(v, ViolationKind::kWrongValue);
  EXPECT_EQ(v.diff.wrong_count, 1u);
}

TEST_F(CheckerKinds, WrongValueAbsentWhenAnOverwrittenValueIsStillAllowed) {
  put("a", "1");
  put("a", "2", false);
  const Bounds b = bounds(Durability::kFull, CrashKind::kPowerLoss);
  expect_ok(judge(b, {row("a", "1")}), 1);
  expect_ok(judge(b, {row("a", "2")}), 2);
}

TEST_F(CheckerKinds, ResurrectedDeleteWhenAnAcknowledgedDeleteIsForgotten) {
  put("a", "1");
  put("b", "2");
  del("a");
  put("c", "3");
  const Verdict v = judge(bounds(Durability::kLazy, CrashKind::kProcessKill),
                          {row("a", "1"), row("b", "2"), row("c", "3")});
  expect_violation(v, ViolationKind::kResurrectedDelete);
  EXPECT_EQ(v.diff.extra_count, 1u);
}

TEST_F(CheckerKinds, ResurrectedDeleteAbsentWhenTheDeleteWasNotRequired) {
  put("a", "1");
  del("a", false);
  const Bounds b = bounds(Durability::kLazy, CrashKind::kProcessKill);
  expect_ok(judge(b, {row("a", "1")}), 1);
  expect_ok(judge(b, {}), 2);
}

TEST_F(CheckerKinds, LostSuffixWithPutsAndDeletesIsLostAcknowledgedNotResurrected) {
  put("a", "1");
  del("a");
  put("b", "2");
  const Verdict v = judge(bounds(Durability::kFull, CrashKind::kPowerLoss), {row("a", "1")});
  expect_violation(v, ViolationKind::kLostAcknowledged);
}

TEST_F(CheckerKinds, CheckpointMixWhenACrashDuringFlushKeepsPartOfTheCheckpoint) {
  put("a", "1");
  put("b", "2");
  sync(SyncKind::kFlush);
  put("c", "3");
  put("d", "4");
  sync(SyncKind::kFlush, /*complete=*/false);  // The crash cut this flush.
  ASSERT_TRUE(history_->record_crash(CrashKind::kPowerLoss, "during flush").is_ok());
  const Bounds b = bounds(Durability::kNone, CrashKind::kPowerLoss);
  EXPECT_EQ(b.lo, 2u);
  EXPECT_EQ(b.checkpoint_from, 2u);
  EXPECT_EQ(b.checkpoint_to, 4u);
  const Verdict v = judge(b, {row("a", "1"), row("b", "2"), row("d", "4")});
  expect_violation(v, ViolationKind::kCheckpointMix);
}

TEST_F(CheckerKinds, CheckpointMixAbsentWhenTheCrashKeepsTheOldOrTheNewCheckpoint) {
  put("a", "1");
  put("b", "2");
  sync(SyncKind::kFlush);
  put("c", "3");
  put("d", "4");
  sync(SyncKind::kFlush, /*complete=*/false);
  ASSERT_TRUE(history_->record_crash(CrashKind::kPowerLoss, "during flush").is_ok());
  const Bounds b = bounds(Durability::kNone, CrashKind::kPowerLoss);
  expect_ok(judge(b, {row("a", "1"), row("b", "2")}), 2);
  expect_ok(judge(b, {row("a", "1"), row("b", "2"), row("c", "3"), row("d", "4")}), 4);
  // The same hole outside any checkpoint's range is a plain hole.
  put("e", "5", false);
  put("f", "6", false);
  const Bounds later = bounds(Durability::kNone, CrashKind::kPowerLoss);
  expect_violation(
      judge(later, {row("a", "1"), row("b", "2"), row("c", "3"), row("d", "4"), row("f", "6")}),
      ViolationKind::kHole);
}

TEST_F(CheckerKinds, UnreadableWhenTheTargetFailsAfterAnInContractCrash) {
  put("a", "1");
  Checker checker(*history_);
  const Bounds b = bounds(Durability::kFull, CrashKind::kPowerLoss);
  const Verdict v =
      checker.check_unreadable(b, faultfs::Status(faultfs::ErrorCode::kCorruption, "bad crc"));
  expect_violation(v, ViolationKind::kUnreadable);
  // A scan that returns one key twice is unreadable too.
  expect_violation(judge(b, {row("a", "1"), row("a", "1")}), ViolationKind::kUnreadable);
}

TEST_F(CheckerKinds, UnreadableAbsentWhenCorruptionIsDetectedBeyondTheContract) {
  put("a", "1");
  Checker checker(*history_);
  CheckOptions options;
  options.beyond_contract = true;
  const Verdict v = checker.check_unreadable(
      bounds(Durability::kFull, CrashKind::kPowerLoss),
      faultfs::Status(faultfs::ErrorCode::kCorruption, "bad crc"), options);
  EXPECT_TRUE(v.ok) << v.to_string();
  EXPECT_TRUE(v.error_detected);
}

}  // namespace
}  // namespace oracle::testing
