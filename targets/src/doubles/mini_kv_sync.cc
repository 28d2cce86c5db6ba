// MiniKv's syncs of the WAL that no single operation owns: Full mode's group
// commit (one leader syncs for every writer waiting) and Lazy mode's
// background sync on the harness's clock, and the size-threshold checkpoint
// that background work runs. Three doubles break them.
#include <algorithm>
#include <cassert>
#include <thread>

#include "doubles/mini_kv.h"

namespace targets::doubles {

using faultfs::ErrorCode;
using faultfs::Status;

namespace {

// How long the group-commit double's leader waits for joiners before its
// sync, as DBX's gather does. It widens the window in which its early
// follower acknowledgement is visible to a kill: fork mode's kill lands
// within a few hundred microseconds of an acknowledgement.
constexpr std::chrono::microseconds kEarlyAckGather{300};

// kLazySyncLate syncs this many intervals apart instead of one.
constexpr int kLateFactor = 8;

}  // namespace

Status MiniKvTarget::commit_locked(std::unique_lock<std::mutex>& lock, uint64_t seq) {
  if (bug(Bug::kNoSyncInFull)) return Status::ok();
  while (durable_ < seq) {
    if (read_only_) return Status(ErrorCode::kIoError, "an earlier WAL sync failed");
    if (syncing_) {
      // The running sync may have begun before this record was appended:
      // only a sync that begins after it covers it.
      if (bug(Bug::kGroupCommitEarlyAck)) return Status::ok();
      synced_.wait(lock);
      continue;
    }
    syncing_ = true;
    const uint64_t target = seq_;  // Every record appended so far.
    const uint64_t end = wal_size_;
    faultfs::File* wal = wal_.get();
    lock.unlock();
    if (bug(Bug::kGroupCommitEarlyAck)) std::this_thread::sleep_for(kEarlyAckGather);
    // Appends go on meanwhile; the sync covers at least `target`.
    Status s = sync_file(*wal);
    lock.lock();
    if (s.is_ok()) {
      synced_end_ = std::max(synced_end_, end);
      // The marker proves these records durable should one be damaged later
      // (a half-written record has none: it is not durable yet).
      if (deferred_tail_.empty()) s = append_marker();
    }
    syncing_ = false;
    synced_.notify_all();
    if (!s.is_ok()) return fail(s);
    durable_ = std::max(durable_, target);
  }
  return Status::ok();
}

Status MiniKvTarget::background(std::chrono::nanoseconds now) {
  std::unique_lock lock(mu_);
  if (fs_ == nullptr) return Status(ErrorCode::kInvalidArgument, "not open");
  if (read_only_) return Status::ok();
  Status s = lazy_sync_if_due(now);
  if (s.is_ok()) s = checkpoint_if_over_threshold(lock);
  return s;
}

Status MiniKvTarget::lazy_sync_if_due(std::chrono::nanoseconds now) {
  if (durability_ != Durability::kLazy || bug(Bug::kLazySyncNever)) return Status::ok();
  const auto interval = bug(Bug::kLazySyncLate) ? kLateFactor * tuning_.sync_interval
                                                : std::chrono::nanoseconds(tuning_.sync_interval);
  if (synced_at_ && now - *synced_at_ < interval) return Status::ok();
  synced_at_ = now;
  Status s = finish_deferred();
  if (s.is_ok()) s = sync_wal();
  return s.is_ok() ? s : fail(s);
}

Status MiniKvTarget::checkpoint_if_over_threshold(std::unique_lock<std::mutex>& lock) {
  assert(lock.owns_lock());
  if (bytes_since_checkpoint_ < tuning_.delta_flush_threshold_bytes) return Status::ok();
  // A group-commit leader syncs wal_ without the lock: the checkpoint's cut
  // must not replace the WAL under it.
  synced_.wait(lock, [this] { return !syncing_; });
  if (fs_ == nullptr || read_only_) return Status::ok();
  Status s = flush_locked(CheckpointTrigger::kThreshold);
  assert(!s.is_ok() || bytes_since_checkpoint_ == 0);
  return s;
}

}  // namespace targets::doubles
