// The fork child's issued log: what the parent replays is what the child
// logged, a kill's cut-off tail is the end of the log, and damage before the
// tail is corruption, never a shorter history.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "fork_issued_log.h"
#include "oracle/history.h"

namespace torture::detail {
namespace {

namespace fs = std::filesystem;

class IssuedLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("issued_log_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    path_ = (dir_ / "issued.log").string();
  }
  void TearDown() override { fs::remove_all(dir_); }

  // A child's log: open, a lazy window, three writes (acked, failed,
  // pending), a flush that completed while the third was in flight.
  void write_log() {
    auto log = IssuedLogWriter::create(path_);
    ASSERT_TRUE(log.is_ok());
    IssuedLogWriter& w = *log.value();
    ASSERT_TRUE(w.record_open().is_ok());
    ASSERT_TRUE(w.set_lazy_window(7'000'000).is_ok());
    auto a = w.record_pending({targets::Op::put("t", "k1", "v1")}, 100);
    ASSERT_TRUE(a.is_ok());
    EXPECT_EQ(a.value(), 1u);
    ASSERT_TRUE(w.record_ack(1, 41, 150).is_ok());
    auto b =
        w.record_pending({targets::Op::put("t", "k2", "v2"), targets::Op::del("u", "k3")}, 200);
    ASSERT_TRUE(b.is_ok());
    EXPECT_EQ(b.value(), 2u);
    ASSERT_TRUE(w.record_failed(2, true, "io error").is_ok());
    auto sync = w.begin_sync(oracle::SyncKind::kFlush);
    ASSERT_TRUE(sync.is_ok());
    auto c = w.record_pending({targets::Op::put("t", std::string(3, '\0'), "")}, 300);
    ASSERT_TRUE(c.is_ok());
    EXPECT_EQ(c.value(), 3u);
    ASSERT_TRUE(w.end_sync(oracle::SyncKind::kFlush, true, sync.value()).is_ok());
  }

  std::string bytes() const {
    std::ifstream in(path_, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  }
  void set_bytes(const std::string& b) const {
    std::ofstream(path_, std::ios::binary | std::ios::trunc) << b;
  }

  faultfs::Result<oracle::HistorySummary> replayed() const {
    auto history = oracle::History::open(":memory:");
    if (!history.is_ok()) return history.status();
    faultfs::Status s = replay_issued_log(path_, history.value().get());
    if (!s.is_ok()) return s;
    return history.value()->summary();
  }

  fs::path dir_;
  std::string path_;
};

TEST_F(IssuedLogTest, ReplayGivesTheHistoryTheChildLogged) {
  write_log();
  auto summary = replayed();
  ASSERT_TRUE(summary.is_ok()) << summary.status().to_string();
  EXPECT_EQ(summary->last_issued, 3u);
  EXPECT_EQ(summary->lazy_window_ns, 7'000'000);
  // The same calls made on a History directly give the same summary.
  auto direct = oracle::History::open(":memory:");
  ASSERT_TRUE(direct.is_ok());
  oracle::History& h = *direct.value();
  ASSERT_TRUE(h.record_open().is_ok());
  ASSERT_TRUE(h.set_lazy_window(7'000'000).is_ok());
  ASSERT_TRUE(h.record_pending({targets::Op::put("t", "k1", "v1")}, 100).is_ok());
  ASSERT_TRUE(h.record_ack(1, 41, 150).is_ok());
  ASSERT_TRUE(
      h.record_pending({targets::Op::put("t", "k2", "v2"), targets::Op::del("u", "k3")}, 200)
          .is_ok());
  ASSERT_TRUE(h.record_failed(2, true, "io error").is_ok());
  auto sync = h.begin_sync(oracle::SyncKind::kFlush);
  ASSERT_TRUE(sync.is_ok());
  ASSERT_TRUE(h.record_pending({targets::Op::put("t", std::string(3, '\0'), "")}, 300).is_ok());
  ASSERT_TRUE(h.end_sync(oracle::SyncKind::kFlush, true, sync.value()).is_ok());
  EXPECT_EQ(*summary, h.summary());
}

TEST_F(IssuedLogTest, EveryCutOffTailReplaysAsAShorterLogNeverAnError) {
  write_log();
  const std::string whole = bytes();
  uint64_t last_issued_before = 0;
  for (size_t cut = 0; cut <= whole.size(); ++cut) {
    set_bytes(whole.substr(0, cut));
    auto summary = replayed();
    ASSERT_TRUE(summary.is_ok()) << "cut at " << cut << ": " << summary.status().to_string();
    EXPECT_GE(summary->last_issued, last_issued_before) << "cut at " << cut;
    last_issued_before = summary->last_issued;
  }
  EXPECT_EQ(last_issued_before, 3u);
}

TEST_F(IssuedLogTest, ADamagedRecordBeforeTheTailIsCorruption) {
  write_log();
  std::string damaged = bytes();
  damaged[20] = static_cast<char>(damaged[20] ^ 0x10);  // Inside the second record.
  set_bytes(damaged);
  auto summary = replayed();
  ASSERT_FALSE(summary.is_ok());
  EXPECT_EQ(summary.status().code(), faultfs::ErrorCode::kCorruption);
}

TEST_F(IssuedLogTest, AMissingLogReplaysNothing) {
  auto summary = replayed();
  ASSERT_TRUE(summary.is_ok());
  EXPECT_EQ(summary->last_issued, 0u);
}

}  // namespace
}  // namespace torture::detail
