// GroupCommit against a fake log: the gathering policy (a leader waits for the
// writers it expects, never past its cap, never for a lone writer) and the
// invariants it must keep (sticky failure, monotonic durable sequence, no
// caller returning before a sync that covers it).
//
// No assertion depends on how fast threads run: waits that must not end are
// given a 10 s cap, and the one upper time bound is three orders of magnitude
// above its cap.
#include "group_commit.h"

#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace dbx {
namespace {

using namespace std::chrono_literals;

// The log as GroupCommit sees it: sequences handed out by append(), and a sync
// that records what it covered, can be slowed, blocked or made to fail.
class FakeLog {
 public:
  uint64_t append() { return appended_.fetch_add(1) + 1; }

  GroupCommit::Hooks hooks() {
    return {[this] { return appended_.load(); }, [this] { return sync(); }};
  }

  void set_sync_delay(std::chrono::microseconds delay) { sync_delay_us_ = delay.count(); }
  void fail_on_call(uint64_t call) { fail_on_call_ = call; }
  void close_gate() {
    std::lock_guard lock(gate_mutex_);
    gate_open_ = false;
  }
  void open_gate() {
    std::lock_guard lock(gate_mutex_);
    gate_open_ = true;
    gate_cv_.notify_all();
  }

  uint64_t sync_calls() const { return sync_calls_.load(); }
  // The appended sequence read as the last successful sync began: an upper
  // bound of what GroupCommit may declare durable.
  uint64_t synced_through() const { return synced_through_.load(); }
  bool overlap_seen() const { return overlap_seen_.load(); }

 private:
  faultfs::Status sync() {
    if (syncs_running_.fetch_add(1) != 0) overlap_seen_ = true;
    const uint64_t covered = appended_.load();
    const uint64_t call = sync_calls_.fetch_add(1) + 1;
    {
      std::unique_lock lock(gate_mutex_);
      gate_cv_.wait(lock, [&] { return gate_open_; });
    }
    std::this_thread::sleep_for(std::chrono::microseconds(sync_delay_us_.load()));
    syncs_running_.fetch_sub(1);
    if (call == fail_on_call_.load()) {
      return faultfs::Status(faultfs::ErrorCode::kIoError, "fdatasync fake.log: EIO", EIO);
    }
    synced_through_ = covered;
    return faultfs::Status::ok();
  }

  std::atomic<uint64_t> appended_{0};
  std::atomic<int64_t> sync_delay_us_{0};
  std::atomic<uint64_t> fail_on_call_{0};  // 1-based; 0: never.
  std::atomic<uint64_t> sync_calls_{0};
  std::atomic<uint64_t> synced_through_{0};
  std::atomic<int> syncs_running_{0};
  std::atomic<bool> overlap_seen_{false};
  std::mutex gate_mutex_;
  std::condition_variable gate_cv_;
  bool gate_open_ = true;
};

// A long-lived thread: GroupCommit tells writers apart by thread id, so one
// writer must stay one thread across the phases of a test.
class Worker {
 public:
  Worker() : thread_([this] { loop(); }) {}
  ~Worker() {
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
  void post(std::function<void()> task) {
    std::lock_guard lock(mutex_);
    ASSERT_FALSE(task_) << "one task at a time";
    task_ = std::move(task);
    cv_.notify_all();
  }
  void wait() {
    std::unique_lock lock(mutex_);
    cv_.wait(lock, [&] { return !task_; });
  }

 private:
  void loop() {
    std::unique_lock lock(mutex_);
    for (;;) {
      cv_.wait(lock, [&] { return stop_ || task_; });
      if (!task_) return;
      lock.unlock();
      task_();
      lock.lock();
      task_ = nullptr;
      cv_.notify_all();
    }
  }

  std::mutex mutex_;
  std::condition_variable cv_;
  std::function<void()> task_;  // Set while posted and until it has run.
  bool stop_ = false;
  std::thread thread_;
};

constexpr size_t kWriters = 4;
using Crew = std::array<Worker, kWriters>;

// Limits under which only an arrival or the cap ends a wait: the latency-relative
// bound is lifted (1000x a 10 ms sync is the 10 s hard limit).
GroupCommit::GatherLimits patient_limits(uint64_t delay_us_max) {
  return {.delay_us_max = delay_us_max,
          .delay_per_sync_percent = GroupCommit::kDelayPerSyncPercentLimit,
          .writer_window_syncs = 8};
}

// Makes every worker a recent writer and gives the sync latency a measure
// (10 ms) in exactly one sync without a gather: all append first, so the first
// leader's target covers everyone, and a first leader has no latency to cap by.
void warm_up(Crew& crew, GroupCommit& gc, FakeLog& log) {
  std::array<uint64_t, kWriters> sequences{};
  for (size_t i = 0; i < kWriters; ++i) crew[i].post([&, i] { sequences[i] = log.append(); });
  for (Worker& w : crew) w.wait();
  log.set_sync_delay(10ms);
  for (size_t i = 0; i < kWriters; ++i) {
    crew[i].post([&, i] { EXPECT_TRUE(gc.sync_through(sequences[i]).is_ok()); });
  }
  for (Worker& w : crew) w.wait();
  log.set_sync_delay(0us);
  ASSERT_EQ(log.sync_calls(), 1u);
  ASSERT_EQ(gc.stats().gathers, 0u);
  ASSERT_EQ(gc.durable_sequence(), kWriters);
}

// Polls `done` for at most 10 s; false if it never held.
bool eventually(const std::function<bool()>& done) {
  for (int i = 0; i < 10'000; ++i) {
    if (done()) return true;
    std::this_thread::sleep_for(1ms);
  }
  return done();
}

void write_once(GroupCommit& gc, FakeLog& log) {
  const uint64_t sequence = log.append();
  EXPECT_TRUE(gc.sync_through(sequence).is_ok());
  EXPECT_GE(log.synced_through(), sequence);
}

TEST(GroupCommitTest, LeaderWaitsForExpectedJoinersAndSyncsThemAllOnce) {
  FakeLog log;
  GroupCommit gc(log.hooks(), 0, patient_limits(GroupCommit::kDelayUsLimit));
  Crew crew;
  warm_up(crew, gc, log);

  crew[0].post([&] { write_once(gc, log); });
  ASSERT_TRUE(eventually([&] { return gc.stats().gathers == 1; }));
  // The leader expects four writers and has one record: it must not sync yet.
  EXPECT_EQ(log.sync_calls(), 1u);
  for (size_t i = 1; i < kWriters; ++i) crew[i].post([&] { write_once(gc, log); });
  for (Worker& w : crew) w.wait();

  const GroupCommit::Stats stats = gc.stats();
  EXPECT_EQ(log.sync_calls(), 2u) << "one sync for the whole gathered group";
  EXPECT_EQ(stats.gathers_timed_out, 0u);
  EXPECT_EQ(stats.records_synced, 2 * kWriters);
  EXPECT_EQ(gc.durable_sequence(), 2 * kWriters);
}

TEST(GroupCommitTest, LeaderStopsWaitingAtTheCapWhenExpectedWritersNeverCome) {
  constexpr uint64_t kCapUs = 2'000;
  FakeLog log;
  GroupCommit gc(log.hooks(), 0, patient_limits(kCapUs));
  Crew crew;
  warm_up(crew, gc, log);

  crew[0].post([&] { write_once(gc, log); });  // Would hang without the cap.
  crew[0].wait();
  GroupCommit::Stats stats = gc.stats();
  EXPECT_EQ(stats.gathers, 1u);
  EXPECT_EQ(stats.gathers_timed_out, 1u);
  EXPECT_GE(stats.gather_delay_us_total, kCapUs);  // A timeout ends at the deadline, not before.
  EXPECT_LT(stats.gather_delay_us_total, kCapUs * 1000) << "the cap bounds the wait";
  EXPECT_EQ(gc.durable_sequence(), kWriters + 1);

  // The silent writers fall out of the window: after it, a lone writer waits no more.
  for (uint64_t i = 0; i < 2 * patient_limits(kCapUs).writer_window_syncs; ++i) {
    crew[0].post([&] { write_once(gc, log); });
    crew[0].wait();
  }
  stats = gc.stats();
  EXPECT_LE(stats.gathers_timed_out, patient_limits(kCapUs).writer_window_syncs);
  EXPECT_GE(stats.gather_delay_us_total, stats.gathers_timed_out * kCapUs);
  for (int i = 0; i < 10; ++i) {
    crew[0].post([&] { write_once(gc, log); });
    crew[0].wait();
  }
  EXPECT_EQ(gc.stats().gathers, stats.gathers);
}

TEST(GroupCommitTest, SingleWriterNeverWaits) {
  FakeLog log;
  log.set_sync_delay(1ms);  // A measured latency, so only the policy can rule out a wait.
  GroupCommit gc(log.hooks(), 0, patient_limits(GroupCommit::kDelayUsLimit));
  constexpr uint64_t kWrites = 100;
  for (uint64_t i = 0; i < kWrites; ++i) write_once(gc, log);
  const GroupCommit::Stats stats = gc.stats();
  EXPECT_EQ(stats.gathers, 0u);
  EXPECT_EQ(stats.gather_delay_us_total, 0u);
  EXPECT_EQ(stats.syncs_completed, kWrites);
  EXPECT_GE(stats.sync_latency_us_recent, 1'000u);
}

TEST(GroupCommitTest, ZeroDelayCapDisablesGathering) {
  FakeLog log;
  GroupCommit gc(log.hooks(), 0, patient_limits(0));
  Crew crew;
  warm_up(crew, gc, log);
  for (size_t i = 0; i < kWriters; ++i) {
    crew[i].post([&] {
      for (int j = 0; j < 50; ++j) write_once(gc, log);
    });
  }
  for (Worker& w : crew) w.wait();
  EXPECT_EQ(gc.stats().gathers, 0u);
  EXPECT_EQ(gc.durable_sequence(), kWriters * 51);
}

TEST(GroupCommitTest, FailedSyncIsStickyForEveryWriterIncludingCoveredOnes) {
  FakeLog log;
  GroupCommit gc(log.hooks(), 0);
  const uint64_t first = log.append();
  ASSERT_TRUE(gc.sync_through(first).is_ok());

  log.fail_on_call(2);
  log.close_gate();
  Crew crew;
  std::array<faultfs::Status, kWriters> results;
  crew[0].post([&] { results[0] = gc.sync_through(log.append()); });
  ASSERT_TRUE(eventually([&] { return log.sync_calls() == 2; }));
  for (size_t i = 1; i < kWriters; ++i) {
    crew[i].post([&, i] { results[i] = gc.sync_through(log.append()); });
  }
  log.open_gate();
  for (Worker& w : crew) w.wait();

  for (const faultfs::Status& status : results) {
    EXPECT_EQ(status.code(), faultfs::ErrorCode::kIoError);
    EXPECT_EQ(status.message(), "fdatasync fake.log: EIO");
  }
  EXPECT_TRUE(gc.failed());
  EXPECT_EQ(gc.sync_through(first).code(), faultfs::ErrorCode::kIoError);
  EXPECT_EQ(log.sync_calls(), 2u) << "no sync is retried after a failure";
  EXPECT_EQ(gc.durable_sequence(), first);
}

TEST(GroupCommitTest, MarkDurableNeverLowersTheDurableSequence) {
  FakeLog log;
  GroupCommit gc(log.hooks(), 10);
  gc.mark_durable(5);
  EXPECT_EQ(gc.durable_sequence(), 10u);
  gc.mark_durable(12);
  EXPECT_EQ(gc.durable_sequence(), 12u);
  EXPECT_EQ(log.sync_calls(), 0u);
}

TEST(GroupCommitTest, ConcurrentWritersReturnOnlyOnceCoveredAndDurableNeverGoesBack) {
  FakeLog log;
  log.set_sync_delay(100us);  // Syncs long enough for groups and gathers to form.
  GroupCommit gc(log.hooks(), 0);
  constexpr uint64_t kWritesPerWriter = 300;
  std::atomic<uint64_t> uncovered_returns{0};
  std::atomic<uint64_t> done{0};
  Crew crew;
  for (Worker& w : crew) {
    w.post([&] {
      for (uint64_t i = 0; i < kWritesPerWriter; ++i) {
        const uint64_t sequence = log.append();
        EXPECT_TRUE(gc.sync_through(sequence).is_ok());
        if (log.synced_through() < sequence || gc.durable_sequence() < sequence) {
          ++uncovered_returns;
        }
      }
      ++done;
    });
  }
  // Sampled while the writers run, with checkpoints that declare less than
  // what is already durable mixed in.
  uint64_t last_seen = 0;
  uint64_t backwards = 0;
  while (done.load() < kWriters) {
    const uint64_t durable = gc.durable_sequence();
    if (durable < last_seen) ++backwards;
    last_seen = durable;
    gc.mark_durable(durable / 2);
    std::this_thread::sleep_for(50us);
  }
  for (Worker& w : crew) w.wait();

  const GroupCommit::Stats stats = gc.stats();
  EXPECT_EQ(uncovered_returns.load(), 0u);
  EXPECT_EQ(backwards, 0u);
  EXPECT_FALSE(log.overlap_seen()) << "two syncs ran at once";
  EXPECT_EQ(log.sync_calls(), stats.syncs_completed);
  EXPECT_LE(stats.syncs_completed, kWriters * kWritesPerWriter);
  EXPECT_EQ(stats.records_synced, kWriters * kWritesPerWriter);
  EXPECT_EQ(gc.durable_sequence(), kWriters * kWritesPerWriter);
}

}  // namespace
}  // namespace dbx
