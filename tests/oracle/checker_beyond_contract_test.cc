// Faults beyond the contract (corrupt, lost-file): only a state keeping what
// was durable before the fault, or a corruption error, passes; a silent loss
// is undetected_loss.
#include "oracle_test_util.h"

namespace oracle::testing {
namespace {

class BeyondContract : public OracleFixture {
 protected:
  Verdict judge_beyond(Durability durability, State recovered) {
    Checker checker(*history_);
    CheckOptions options;
    options.beyond_contract = true;
    auto verdict = checker.check(beyond_contract_bounds(history_->summary(), durability),
                                 std::move(recovered), options);
    EXPECT_TRUE(verdict.is_ok()) << verdict.status().to_string();
    return verdict.is_ok() ? verdict.value() : Verdict{};
  }
  Verdict error_beyond(faultfs::ErrorCode code) {
    Checker checker(*history_);
    CheckOptions options;
    options.beyond_contract = true;
    return checker.check_unreadable(beyond_contract_bounds(history_->summary(), Durability::kLazy),
                                    faultfs::Status(code, "open failed"), options);
  }
  // a, b flushed (durable in every mode); c, d acknowledged after the flush.
  void two_flushed_two_not() {
    put("a", "1");
    put("b", "2");
    sync(SyncKind::kFlush);
    put("c", "3");
    put("d", "4");
  }
};

TEST_F(BeyondContract, UndetectedLossWhenAStrictOpenStopsBeforeFlushedWrites) {
  two_flushed_two_not();
  const Verdict v = judge_beyond(Durability::kLazy, {row("a", "1")});
  expect_violation(v, ViolationKind::kUndetectedLoss);
  EXPECT_EQ(v.bounds.lo, 2u);
  EXPECT_NE(v.evidence.find("lost_acknowledged"), std::string::npos) << v.evidence;
}

TEST_F(BeyondContract, LossAfterTheDurablePointIsAllowedInLazy) {
  two_flushed_two_not();
  expect_ok(judge_beyond(Durability::kLazy, {row("a", "1"), row("b", "2")}), 2);
  expect_ok(judge_beyond(Durability::kLazy, {row("a", "1"), row("b", "2"), row("c", "3")}), 3);
}

TEST_F(BeyondContract, FullModeAcknowledgementsDoNotRaiseTheDurableBound) {
  // The last synced record of a commit can be damaged in a way a torn write
  // of an unsynced one also leaves: only flushes and closes count.
  two_flushed_two_not();
  expect_ok(judge_beyond(Durability::kFull, {row("a", "1"), row("b", "2"), row("c", "3")}), 3);
  expect_violation(judge_beyond(Durability::kFull, {row("a", "1")}),
                   ViolationKind::kUndetectedLoss);
}

TEST_F(BeyondContract, UnobservedSyncsDoNotRaiseTheDurableBound) {
  two_flushed_two_not();
  // A WAL sync (Lazy) the workload did not complete a flush or close for.
  sync(SyncKind::kSync);
  EXPECT_EQ(beyond_contract_bounds(history_->summary(), Durability::kLazy).lo, 2u);
  sync(SyncKind::kClose);
  EXPECT_EQ(beyond_contract_bounds(history_->summary(), Durability::kLazy).lo, 4u);
}

TEST_F(BeyondContract, UndetectedLossWhenTheStateIsNoPrefix) {
  two_flushed_two_not();
  const Verdict v = judge_beyond(Durability::kLazy, {row("a", "1"), row("b", "2"), row("d", "4")});
  expect_violation(v, ViolationKind::kUndetectedLoss);
  EXPECT_NE(v.evidence.find("hole"), std::string::npos) << v.evidence;
}

TEST_F(BeyondContract, InventedBytesKeepTheirOwnKind) {
  two_flushed_two_not();
  expect_violation(judge_beyond(Durability::kLazy, {row("a", "1"), row("b", "X")}),
                   ViolationKind::kInventedValue);
}

TEST_F(BeyondContract, OnlyACorruptionErrorIsADetection) {
  two_flushed_two_not();
  const Verdict detected = error_beyond(faultfs::ErrorCode::kCorruption);
  EXPECT_TRUE(detected.ok) << detected.to_string();
  EXPECT_TRUE(detected.error_detected);
  expect_violation(error_beyond(faultfs::ErrorCode::kIoError), ViolationKind::kUnreadable);
  expect_violation(error_beyond(faultfs::ErrorCode::kNotFound), ViolationKind::kUnreadable);
}

TEST_F(BeyondContract, InContractLossKeepsItsKind) {
  two_flushed_two_not();
  expect_violation(judge(bounds(Durability::kFull, CrashKind::kPowerLoss), {row("a", "1")}),
                   ViolationKind::kLostAcknowledged);
}

}  // namespace
}  // namespace oracle::testing
