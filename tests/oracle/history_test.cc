// The history log: ordering rules, epochs, and a parent re-reading a child's log.
#include <unistd.h>

#include <cstdio>
#include <filesystem>

#include "oracle_test_util.h"

namespace oracle::testing {
namespace {

using HistoryLog = OracleFixture;

TEST_F(HistoryLog, SequenceNumbersStartAtOneAndAcksMustComeInOrder) {
  EXPECT_EQ(put("a", "1", false), 1u);
  EXPECT_EQ(put("b", "2", false), 2u);
  EXPECT_TRUE(history_->record_ack(2).is_ok());
  EXPECT_FALSE(history_->record_ack(1).is_ok());  // Out of order.
  EXPECT_FALSE(history_->record_ack(9).is_ok());  // Never issued.
  EXPECT_FALSE(history_->record_pending({}).is_ok());
  EXPECT_EQ(history_->summary().last_acked, 2u);
  EXPECT_EQ(history_->summary().last_issued, 2u);
}

TEST_F(HistoryLog, WritesAfterTheRecoveredPrefixAreDiscardedForGood) {
  put("a", "1");
  put("b", "2", false);
  ASSERT_TRUE(history_->record_crash(CrashKind::kPowerLoss, "test").is_ok());
  ASSERT_TRUE(history_->record_recovered(1).is_ok());
  ASSERT_TRUE(history_->record_open().is_ok());
  EXPECT_EQ(history_->summary().last_issued, 1u);
  EXPECT_EQ(put("c", "3"), 3u);  // Discarded numbers are never reused.
  const Bounds b = bounds(Durability::kFull, CrashKind::kPowerLoss);
  expect_ok(judge(b, {row("a", "1"), row("c", "3")}), 3);
  // The discarded write's key coming back is a wrong value, not a valid state.
  expect_violation(judge(b, {row("a", "1"), row("b", "2"), row("c", "3")}),
                   ViolationKind::kWrongValue);
}

TEST_F(HistoryLog, AWriteThatSurelyFailedIsInNoState) {
  put("a", "1");
  const uint64_t seq = put("b", "2", false);
  ASSERT_TRUE(history_->record_failed(seq, /*maybe_applied=*/false, "read_only").is_ok());
  const Bounds b = bounds(Durability::kFull, CrashKind::kPowerLoss);
  expect_ok(judge(b, {row("a", "1")}), 2);
  expect_violation(judge(b, {row("a", "1"), row("b", "2")}), ViolationKind::kWrongValue);
}

TEST_F(HistoryLog, AWriteThatMayHaveFailedHalfwayStaysACandidate) {
  put("a", "1");
  const uint64_t seq = put("b", "2", false);
  ASSERT_TRUE(history_->record_failed(seq, /*maybe_applied=*/true, "io_error").is_ok());
  const Bounds b = bounds(Durability::kFull, CrashKind::kPowerLoss);
  expect_ok(judge(b, {row("a", "1")}), 1);
  expect_ok(judge(b, {row("a", "1"), row("b", "2")}), 2);
}

TEST(HistoryFile, AReopenedLogHasTheSameSummaryAndContinuesItsSequence) {
  std::string name = "oracle_history_";
  name += std::to_string(::getpid());
  name += ".db";
  const std::string path = (std::filesystem::temp_directory_path() / name).string();
  std::filesystem::remove(path);
  HistorySummary before;
  {
    auto h = History::open(path);
    ASSERT_TRUE(h.is_ok()) << h.status().to_string();
    History& history = *h.value();
    ASSERT_TRUE(history.record_open().is_ok());
    for (int i = 0; i < 10; ++i) {
      auto seq = history.record_pending({Op::put("t", numbered("k", i), "v")});
      ASSERT_TRUE(seq.is_ok());
      ASSERT_TRUE(history.record_ack(seq.value()).is_ok());
    }
    ASSERT_TRUE(history.record_sync_begin(SyncKind::kFlush).is_ok());
    ASSERT_TRUE(history.record_sync_end(SyncKind::kFlush, true).is_ok());
    ASSERT_TRUE(history.record_pending({Op::del("t", "k0")}).is_ok());
    ASSERT_TRUE(history.record_sync_begin(SyncKind::kFlush).is_ok());  // Cut by a kill.
    ASSERT_TRUE(history.commit().is_ok());
    before = history.summary();
    auto reloaded = history.load_summary();
    ASSERT_TRUE(reloaded.is_ok());
    EXPECT_EQ(reloaded.value(), before);
  }
  auto h = History::open(path);
  ASSERT_TRUE(h.is_ok()) << h.status().to_string();
  EXPECT_EQ(h.value()->summary(), before);
  EXPECT_EQ(before.last_issued, 11u);
  EXPECT_EQ(before.flushed_through, 10u);
  EXPECT_TRUE(before.flush_in_progress);
  auto seq = h.value()->record_pending({Op::put("t", "z", "z")});
  ASSERT_TRUE(seq.is_ok());
  EXPECT_EQ(seq.value(), 12u);
  h.value().reset();
  std::filesystem::remove(path);
  std::filesystem::remove(path + "-wal");
  std::filesystem::remove(path + "-shm");
}

}  // namespace
}  // namespace oracle::testing
