#include "group_commit.h"

#include <algorithm>
#include <cassert>
#include <chrono>

#include "kill_points.h"

namespace dbx {

namespace {

using Clock = std::chrono::steady_clock;

uint64_t elapsed_us(Clock::time_point since) {
  const auto elapsed = Clock::now() - since;
  return static_cast<uint64_t>(
      std::max<int64_t>(0, std::chrono::duration_cast<std::chrono::microseconds>(elapsed).count()));
}

}  // namespace

GroupCommit::GroupCommit(Hooks hooks, uint64_t durable_sequence)
    : GroupCommit(std::move(hooks), durable_sequence, GatherLimits{}) {}

GroupCommit::GroupCommit(Hooks hooks, uint64_t durable_sequence, GatherLimits limits)
    : hooks_(std::move(hooks)),
      limits_(limits),
      durable_sequence_(durable_sequence),
      durable_published_(durable_sequence) {
  assert(hooks_.appended_sequence);
  assert(hooks_.sync);
  assert(limits_.delay_us_max <= kDelayUsLimit);
  assert(limits_.delay_per_sync_percent <= kDelayPerSyncPercentLimit);
  assert(limits_.writer_window_syncs >= 1);
  assert(limits_.writer_window_syncs <= kWriterWindowSyncsLimit);
}

faultfs::Status GroupCommit::sync_through(uint64_t sequence) {
  std::unique_lock lock(mutex_);
  note_writer_locked();
  bool spun = false;
  for (;;) {
    if (failure_) return *failure_;
    if (durable_sequence_ >= sequence) return faultfs::Status::ok();
    if (!syncing_) break;
    if (!spun) {
      spun = true;
      spin_while_syncing(lock, sequence);
      continue;  // The state may have moved on: check it again under the lock.
    }
    synced_.wait(lock);
  }
  syncing_ = true;
  ++syncs_started_;
  gather_locked(lock);
  assert(syncing_);
  // Only this leader syncs, so no failure can have appeared while gathering.
  assert(!failure_);
  // Everything appended before this read is in the file, so the sync below
  // covers it; later appends wait for the next leader.
  const uint64_t target = hooks_.appended_sequence();
  assert(target >= sequence);
  lock.unlock();
  DBX_KILL_POINT("wal/before_sync");
  const Clock::time_point sync_start = Clock::now();
  faultfs::Status status = hooks_.sync();
  const uint64_t sync_us = elapsed_us(sync_start);
  if (status.is_ok()) DBX_KILL_POINT("wal/after_sync");
  lock.lock();
  assert(syncing_);
  syncing_ = false;
  if (status.is_ok()) {
    record_sync_latency_locked(sync_us);
    if (target > durable_sequence_) stats_.records_synced += target - durable_sequence_;
    durable_sequence_ = std::max(durable_sequence_, target);
    durable_published_.store(durable_sequence_, std::memory_order_release);
    ++stats_.syncs_completed;
    assert(durable_sequence_ >= sequence);
  } else {
    failure_ = status;
    failed_published_.store(true, std::memory_order_release);
  }
  // Woken outside the lock so that waiters do not wake only to block on it.
  // The leader itself is done either way: its target covered its sequence.
  lock.unlock();
  synced_.notify_all();
  return status;
}

void GroupCommit::spin_while_syncing(std::unique_lock<std::mutex>& lock, uint64_t sequence) {
  assert(lock.owns_lock());
  // Only worth it when a sync's duration is known and short: then a writer
  // that yields until it ends is back appending at once, instead of paying a
  // futex wake-up (tens of microseconds on a busy host) that delays the next
  // group. The cap bounds the CPU a waiter burns.
  const uint64_t recent_us = stats_.sync_latency_us_recent;
  if (recent_us == 0 || recent_us > kSpinUsMax) return;
  const auto deadline = Clock::now() + std::chrono::microseconds(2 * recent_us);
  lock.unlock();
  while (durable_published_.load(std::memory_order_acquire) < sequence &&
         !failed_published_.load(std::memory_order_acquire) && Clock::now() < deadline) {
    std::this_thread::yield();
  }
  lock.lock();
}

void GroupCommit::gather_locked(std::unique_lock<std::mutex>& lock) {
  assert(lock.owns_lock());
  assert(syncing_);
  const uint64_t goal = std::min(active_writers_locked(), joiners_ceiling_);
  assert(goal >= 1);  // The caller itself was noted.
  const uint64_t delay_us_cap = gather_delay_us_cap_locked();
  if (goal == 1 || delay_us_cap == 0 || pending_locked() >= goal) {
    // Nothing to wait for: the goal counts as met, so the ceiling may grow
    // back toward the number of writers after a timed-out gather cut it.
    joiners_ceiling_ = std::min<uint64_t>(joiners_ceiling_ + 1, kWritersTrackedMax);
    return;
  }
  ++stats_.gathers;
  // syncing_ keeps every other caller waiting, so the lock can go: only
  // mark_durable may move durable_sequence_ meanwhile, and then only up, which
  // at worst ends this wait with fewer records pending than planned.
  const uint64_t durable_at_start = durable_sequence_;
  const uint64_t appended_goal = durable_at_start + goal;
  lock.unlock();
  const Clock::time_point start = Clock::now();
  const Clock::time_point deadline = start + std::chrono::microseconds(delay_us_cap);
  uint64_t appended = hooks_.appended_sequence();
  while (appended < appended_goal && Clock::now() < deadline) {
    std::this_thread::yield();
    appended = hooks_.appended_sequence();
  }
  const uint64_t delay_us = elapsed_us(start);
  lock.lock();
  stats_.gather_delay_us_total += delay_us;
  if (appended >= appended_goal) {
    joiners_ceiling_ = std::min<uint64_t>(joiners_ceiling_ + 1, kWritersTrackedMax);
  } else {
    // Expect no more than came this time; growth after met goals probes back up.
    ++stats_.gathers_timed_out;
    const uint64_t arrived = appended > durable_at_start ? appended - durable_at_start : 0;
    joiners_ceiling_ = std::max<uint64_t>(1, arrived);
  }
  assert(joiners_ceiling_ >= 1 && joiners_ceiling_ <= kWritersTrackedMax);
}

void GroupCommit::note_writer_locked() {
  const std::thread::id self = std::this_thread::get_id();
  // An empty slot ranks below every used one; among used, the least recent goes.
  auto recency = [](const WriterSeen& seen) {
    return seen.id == std::thread::id() ? 0 : seen.sync_epoch + 1;
  };
  WriterSeen* victim = &writers_[0];
  for (WriterSeen& seen : writers_) {
    if (seen.id == self) {
      seen.sync_epoch = syncs_started_;
      return;
    }
    if (recency(seen) < recency(*victim)) victim = &seen;
  }
  victim->id = self;
  victim->sync_epoch = syncs_started_;
}

uint64_t GroupCommit::active_writers_locked() const {
  uint64_t active = 0;
  for (const WriterSeen& seen : writers_) {
    if (seen.id == std::thread::id()) continue;
    assert(seen.sync_epoch <= syncs_started_);
    if (syncs_started_ - seen.sync_epoch < limits_.writer_window_syncs) ++active;
  }
  assert(active <= kWritersTrackedMax);
  return active;
}

uint64_t GroupCommit::pending_locked() const {
  const uint64_t appended = hooks_.appended_sequence();
  // A checkpoint may declare more durable than the log holds (mark_durable).
  return appended > durable_sequence_ ? appended - durable_sequence_ : 0;
}

uint64_t GroupCommit::gather_delay_us_cap_locked() const {
  const uint64_t relative_us = stats_.sync_latency_us_recent * limits_.delay_per_sync_percent / 100;
  const uint64_t cap_us = std::min(limits_.delay_us_max, relative_us);
  assert(cap_us <= kDelayUsLimit);
  return cap_us;
}

void GroupCommit::record_sync_latency_locked(uint64_t latency_us) {
  // Moving average over ~8 syncs: follows the device without one slow sync
  // (a journal commit, another process's I/O) dictating the next caps.
  // Latencies are clamped so the arithmetic below cannot overflow.
  const uint64_t sample_us = std::min(latency_us, kDelayUsLimit);
  uint64_t& recent_us = stats_.sync_latency_us_recent;
  recent_us = stats_.syncs_completed == 0 ? sample_us : (recent_us * 7 + sample_us) / 8;
  assert(recent_us <= kDelayUsLimit);
}

void GroupCommit::mark_durable(uint64_t sequence) {
  std::lock_guard lock(mutex_);
  durable_sequence_ = std::max(durable_sequence_, sequence);
  durable_published_.store(durable_sequence_, std::memory_order_release);
  synced_.notify_all();
}

uint64_t GroupCommit::durable_sequence() const {
  std::lock_guard lock(mutex_);
  return durable_sequence_;
}

bool GroupCommit::failed() const {
  std::lock_guard lock(mutex_);
  return failure_.has_value();
}

GroupCommit::Stats GroupCommit::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

}  // namespace dbx
