// The isolation judges' rules, one anomaly at a time: each test pins a
// history that snapshot isolation allows (no finding) next to the same
// history with the one step that breaks it (the anomaly's finding).
#include "oracle/isolation.h"

#include <gtest/gtest.h>

#include "oracle/concurrent_isolation.h"
#include "oracle_test_util.h"

namespace oracle::testing {
namespace {

class IsolationJudgeTest : public OracleFixture {
 protected:
  std::optional<IsolationFinding> read(IsolationJudge& j, uint32_t id, const std::string& key,
                                       const std::optional<std::string>& seen) {
    auto f = j.read(id, "t", key, seen);
    EXPECT_TRUE(f.is_ok()) << f.status().to_string();
    return f.is_ok() ? f.value() : std::nullopt;
  }
  // Logs and acknowledges `id`'s commit; returns the judge's finding.
  std::optional<IsolationFinding> commit(IsolationJudge& j, uint32_t id) {
    const uint64_t seq = j.writes(id).empty() ? 0 : issue(j.writes(id), /*ack=*/true);
    auto f = j.committed(id, seq);
    EXPECT_TRUE(f.is_ok()) << f.status().to_string();
    return f.is_ok() ? f.value() : std::nullopt;
  }
};

TEST_F(IsolationJudgeTest, AReadSeesItsSnapshotNotALaterCommit) {
  put("a", "1");
  IsolationJudge j(*history_);
  j.begin(0, "T0");
  put("a", "2");  // Committed after T0's snapshot.
  EXPECT_FALSE(read(j, 0, "a", "1"));
  const auto f = read(j, 0, "a", "2");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->kind, ViolationKind::kNonRepeatableRead) << f->evidence;
  const auto stale = read(j, 0, "a", std::nullopt);  // Absent: held by no state since it began.
  ASSERT_TRUE(stale);
  EXPECT_EQ(stale->kind, ViolationKind::kStaleRead) << stale->evidence;
}

TEST_F(IsolationJudgeTest, AReadOfAnotherOpenTransactionsWriteIsDirty) {
  IsolationJudge j(*history_);
  j.begin(0, "T0");
  j.begin(1, "T1");
  j.write(1, Op::put("t", "a", "x1"));
  EXPECT_FALSE(read(j, 1, "a", "x1"));  // Its own write.
  const auto f = read(j, 0, "a", "x1");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->kind, ViolationKind::kDirtyRead) << f->evidence;
  j.aborted(1);
  EXPECT_EQ(j.record().uncommitted.count({"t", "a", "x1"}), 1u);
}

TEST_F(IsolationJudgeTest, TwoOverlappingCommitsOfOneKeyAreALostUpdate) {
  IsolationJudge j(*history_);
  j.begin(0, "T0");
  j.begin(1, "T1");
  j.write(0, Op::put("t", "a", "x0"));
  j.write(1, Op::put("t", "b", "x1"));
  EXPECT_FALSE(commit(j, 0));
  EXPECT_FALSE(commit(j, 1));  // Disjoint keys: both may commit.
  j.begin(2, "T2");
  j.begin(3, "T3");
  j.write(2, Op::put("t", "a", "x2"));
  j.write(3, Op::put("t", "a", "x3"));
  EXPECT_FALSE(commit(j, 2));
  const auto f = commit(j, 3);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->kind, ViolationKind::kLostUpdate) << f->evidence;
}

TEST_F(IsolationJudgeTest, AConflictNeedsAConflictingWriter) {
  IsolationJudge j(*history_);
  j.begin(0, "T0");
  j.write(0, Op::put("t", "a", "x0"));
  put("a", "plain");  // A plain write counts as a committed writer.
  auto f = j.conflicted(0, 0);
  ASSERT_TRUE(f.is_ok());
  EXPECT_FALSE(f.value());
  j.begin(1, "T1");
  j.write(1, Op::put("t", "b", "x1"));
  f = j.conflicted(1, 0);
  ASSERT_TRUE(f.is_ok() && f.value());
  EXPECT_EQ(f.value()->kind, ViolationKind::kFalseConflict) << f.value()->evidence;
}

TEST_F(IsolationJudgeTest, ARecoveredValueOfAnUncommittedTransactionIsADirtyRead) {
  put("a", "1");
  IsolationJudge j(*history_);
  j.begin(0, "T0");
  j.write(0, Op::put("t", "a", "x0"));
  j.aborted(0);
  const Verdict plain = judge(bounds(Durability::kFull, CrashKind::kPowerLoss), {row("a", "x0")});
  expect_violation(plain, ViolationKind::kInventedValue);
  Verdict named = plain;
  refine_for_transactions(j.record(), {row("a", "x0")}, &named);
  expect_violation(named, ViolationKind::kDirtyRead);
}

TEST_F(IsolationJudgeTest, AHalfVisibleCommitIsATornCommitAndAHalfVisibleBatchIsNot) {
  IsolationJudge j(*history_);
  const uint64_t batch = issue({Op::put("t", "a", "1"), Op::put("t", "b", "1")}, true);
  j.begin(0, "T0");
  j.write(0, Op::put("t", "a", "x0"));
  j.write(0, Op::put("t", "b", "x1"));
  ASSERT_FALSE(commit(j, 0));
  Verdict torn = judge(bounds(Durability::kFull, CrashKind::kPowerLoss), {row("a", "1")});
  expect_violation(torn, ViolationKind::kTornBatch);
  EXPECT_EQ(torn.write_seq, batch);
  refine_for_transactions(j.record(), {row("a", "1")}, &torn);
  expect_violation(torn, ViolationKind::kTornBatch);  // A batch, not a commit.
  Verdict commit_torn =
      judge(bounds(Durability::kFull, CrashKind::kPowerLoss), {row("a", "x0"), row("b", "1")});
  refine_for_transactions(j.record(), {row("a", "x0"), row("b", "1")}, &commit_torn);
  expect_violation(commit_torn, ViolationKind::kTornCommit);
}

using Kind = TxnEvent::Kind;
TxnEvent ev(Kind kind, uint64_t txn, uint64_t seq = 0, Op op = {},
            std::optional<std::string> seen = std::nullopt) {
  TxnEvent e;
  e.kind = kind;
  e.txn = txn;
  e.seq = seq;
  e.op = std::move(op);
  e.seen = std::move(seen);
  return e;
}

TEST(ConcurrentIsolation, SerialTransactionsPassAndOverlappingWritersOfOneKeyAreALostUpdate) {
  const Op a1 = Op::put("t", "a", "x1");
  const Op a2 = Op::put("t", "a", "x2");
  // T1 commits before T2 begins: no overlap.
  std::vector<TxnEvent> serial = {
      ev(Kind::kBegin, 1),        ev(Kind::kWrite, 1, 0, a1),  ev(Kind::kCommitCall, 1, 1),
      ev(Kind::kCommitted, 1, 1), ev(Kind::kBegin, 2),         ev(Kind::kRead, 2, 0, a1, "x1"),
      ev(Kind::kWrite, 2, 0, a2), ev(Kind::kCommitCall, 2, 2), ev(Kind::kCommitted, 2, 2)};
  EXPECT_FALSE(judge_concurrent_isolation(serial).finding);
  // T2 began before T1's commit was called, and both committed a.
  std::vector<TxnEvent> overlap = {ev(Kind::kBegin, 1),         ev(Kind::kBegin, 2),
                                   ev(Kind::kWrite, 1, 0, a1),  ev(Kind::kCommitCall, 1, 1),
                                   ev(Kind::kCommitted, 1, 1),  ev(Kind::kWrite, 2, 0, a2),
                                   ev(Kind::kCommitCall, 2, 2), ev(Kind::kCommitted, 2, 2)};
  const auto f = judge_concurrent_isolation(overlap).finding;
  ASSERT_TRUE(f);
  EXPECT_EQ(f->kind, ViolationKind::kLostUpdate) << f->evidence;
  overlap.back() = ev(Kind::kConflicted, 2, 2);  // The second committer conflicts: fine.
  EXPECT_FALSE(judge_concurrent_isolation(overlap).finding);
}

TEST(ConcurrentIsolation, AReadBeforeTheWritersCommitIsDirtyAndAfterItsSnapshotNonRepeatable) {
  const Op a1 = Op::put("t", "a", "x1");
  std::vector<TxnEvent> dirty = {ev(Kind::kBegin, 1),         ev(Kind::kBegin, 2),
                                 ev(Kind::kWrite, 1, 0, a1),  ev(Kind::kRead, 2, 0, a1, "x1"),
                                 ev(Kind::kCommitCall, 1, 1), ev(Kind::kCommitted, 1, 1)};
  auto f = judge_concurrent_isolation(dirty).finding;
  ASSERT_TRUE(f);
  EXPECT_EQ(f->kind, ViolationKind::kDirtyRead) << f->evidence;
  // Read after the commit, but T2 began before it: not in T2's snapshot.
  std::vector<TxnEvent> late = {ev(Kind::kBegin, 1),        ev(Kind::kBegin, 2),
                                ev(Kind::kWrite, 1, 0, a1), ev(Kind::kCommitCall, 1, 1),
                                ev(Kind::kCommitted, 1, 1), ev(Kind::kRead, 2, 0, a1, "x1")};
  f = judge_concurrent_isolation(late).finding;
  ASSERT_TRUE(f);
  EXPECT_EQ(f->kind, ViolationKind::kNonRepeatableRead) << f->evidence;
  // T3 began after the commit returned: it may (and must) see it.
  late.push_back(ev(Kind::kBegin, 3));
  late.push_back(ev(Kind::kRead, 3, 0, a1, "x1"));
  late.erase(late.begin() + 5);
  EXPECT_FALSE(judge_concurrent_isolation(late).finding);
}

}  // namespace
}  // namespace oracle::testing
