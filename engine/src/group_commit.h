// GroupCommit: one WAL sync shared by every writer waiting on it.
//
// Invariants:
//  - durable_sequence() only grows (until reset by a checkpoint) and every
//    record with a sequence at or below it has been covered by a successful
//    sync of the log;
//  - at most one sync runs at a time; writers arriving during it wait for it
//    and, if it does not cover them, the next one (whose leader takes
//    everything appended by then);
//  - a failed sync is sticky: every later call returns the same error, since
//    after a failed fsync the kernel may have dropped the dirty pages and a
//    retried fsync proves nothing (the database goes read-only).
//
// Gathering (why groups would otherwise stay small): when a sync ends, the
// writers it released need a wake-up, a return and a re-append before they can
// join another group, but a waiter it did not cover becomes leader at once and
// syncs with only those already appended. With N writers the groups alternate
// at about N/2 records, so each fdatasync (~100 us) carries half of what it
// could. A leader therefore first waits, briefly and boundedly, until the
// writers it can expect have appended (a record pending per writer, as each
// Full-durability writer has at most one record awaiting a sync), then reads
// appended_sequence() and syncs.
//
// Policy and its bounds:
//  - expected writers = min(distinct threads that called sync_through within
//    the last `writer_window_syncs` syncs, an adaptive ceiling). The ceiling
//    grows by one after each gather that reached its goal and drops to what
//    had arrived after one that timed out, so a writer that stopped (or writes
//    rarely) costs about writer_window_syncs / 2 capped waits, not one per
//    sync; at most kWritersTrackedMax writers are told apart;
//  - no wait at all when one writer is expected (a single-threaded writer pays
//    nothing), when the records pending already reach the goal, or before a
//    sync latency has been measured;
//  - a wait never exceeds min(delay_us_max, delay_per_sync_percent of the
//    recent sync latency): at worst a group gains nothing and the sync starts
//    that much later, bounding the loss to that fraction of a sync;
//  - the leader waits by polling appended_sequence() and yielding, without
//    the lock (syncing_ keeps other callers out): on the 2-core test machine a
//    gather took ~45 us per sync when the last joiner woke the leader through a
//    condition variable and ~30 us polling, and yield hands the core to the
//    writers being waited for when there are fewer cores than writers. The CPU
//    so spent is bounded by the cap;
//  - symmetrically, a waiter first yields (without the lock) until its sync
//    ends, for at most twice the recent sync latency and only when that is at
//    most kSpinUsMax: it is then back appending without a futex wake-up. A/B,
//    interleaved, 8 runs each, 4 writers: median 24,147 -> 25,953 writes/s.
// Gathering only delays the sync: a caller still returns only after a
// successful sync whose target covers its sequence (the crash contract).
#pragma once

#include <array>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>

#include "faultfs/status.h"

namespace dbx {

class GroupCommit {
 public:
  struct Hooks {
    // Highest sequence written to the log. Called with and without
    // GroupCommit's lock, in a loop while a leader gathers: must be cheap,
    // thread-safe and take no lock GroupCommit's callers may hold.
    std::function<uint64_t()> appended_sequence;
    std::function<faultfs::Status()> sync;  // fdatasync of the log.
  };

  // Bounds of a leader's wait for joiners (see the header comment).
  struct GatherLimits {
    uint64_t delay_us_max = 200;           // Hard cap on one wait; 0 disables gathering.
    uint64_t delay_per_sync_percent = 50;  // Cap relative to the recent sync latency.
    uint64_t writer_window_syncs = 8;      // How recently a writer must have called.
  };
  static constexpr uint64_t kDelayUsLimit = 10'000'000;  // Upper bound of delay_us_max.
  // Waiters spin only while syncs take at most this long (an SSD's or a
  // battery-backed cache's fdatasync); slower devices just block.
  static constexpr uint64_t kSpinUsMax = 500;
  static constexpr uint64_t kDelayPerSyncPercentLimit = 100'000;
  static constexpr uint64_t kWriterWindowSyncsLimit = 1024;
  static constexpr size_t kWritersTrackedMax = 32;  // Distinct writers counted; more are not.

  struct Stats {
    uint64_t syncs_completed = 0;
    uint64_t records_synced = 0;     // Sequences newly covered by those syncs.
    uint64_t gathers = 0;            // Waits begun (a leader expected joiners).
    uint64_t gathers_timed_out = 0;  // Of which ended at the cap, short of the goal.
    uint64_t gather_delay_us_total = 0;
    uint64_t sync_latency_us_recent = 0;  // Moving average of the sync hook's duration.
  };

  GroupCommit(Hooks hooks, uint64_t durable_sequence);
  GroupCommit(Hooks hooks, uint64_t durable_sequence, GatherLimits limits);

  // Returns once every record with sequence <= `sequence` is durable, leading a
  // sync if none is running. Error: the sync that had to cover it failed.
  [[nodiscard]] faultfs::Status sync_through(uint64_t sequence);

  // Declares everything through `sequence` durable (a checkpoint synced it).
  void mark_durable(uint64_t sequence);

  uint64_t durable_sequence() const;
  bool failed() const;
  Stats stats() const;

 private:
  struct WriterSeen {
    std::thread::id id;       // Default id: an unused slot.
    uint64_t sync_epoch = 0;  // syncs_started_ when it last called.
  };

  void note_writer_locked();
  uint64_t active_writers_locked() const;
  uint64_t pending_locked() const;
  uint64_t gather_delay_us_cap_locked() const;
  // Leader only (syncing_ set): polls until the expected writers have
  // appended or the cap passes. Releases the lock while polling.
  void gather_locked(std::unique_lock<std::mutex>& lock);
  void record_sync_latency_locked(uint64_t latency_us);
  // A waiter's first wait: yields (lock released) until its sequence is
  // durable, a sync fails, or twice the recent sync latency passes.
  void spin_while_syncing(std::unique_lock<std::mutex>& lock, uint64_t sequence);

  const Hooks hooks_;
  const GatherLimits limits_;
  mutable std::mutex mutex_;
  std::condition_variable synced_;
  bool syncing_ = false;
  uint64_t joiners_ceiling_ = kWritersTrackedMax;  // In [1, kWritersTrackedMax].
  uint64_t durable_sequence_;
  // Mirrors of durable_sequence_ and failure_ for waiters spinning without
  // the lock; written under it, after the guarded fields.
  std::atomic<uint64_t> durable_published_{0};
  std::atomic<bool> failed_published_{false};
  uint64_t syncs_started_ = 0;
  std::array<WriterSeen, kWritersTrackedMax> writers_{};
  Stats stats_;
  std::optional<faultfs::Status> failure_;
};

}  // namespace dbx
