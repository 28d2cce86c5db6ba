#include "group_commit.h"

#include <algorithm>
#include <cassert>

#include "kill_points.h"

namespace dbx {

GroupCommit::GroupCommit(Hooks hooks, uint64_t durable_sequence)
    : hooks_(std::move(hooks)), durable_sequence_(durable_sequence) {
  assert(hooks_.appended_sequence);
  assert(hooks_.sync);
}

faultfs::Status GroupCommit::sync_through(uint64_t sequence) {
  std::unique_lock lock(mutex_);
  for (;;) {
    if (failure_) return *failure_;
    if (durable_sequence_ >= sequence) return faultfs::Status::ok();
    if (syncing_) {
      synced_.wait(lock);
      continue;
    }
    syncing_ = true;
    // Everything appended before this read is in the file, so the sync below
    // covers it; later appends wait for the next leader.
    const uint64_t target = hooks_.appended_sequence();
    assert(target >= sequence);
    lock.unlock();
    DBX_KILL_POINT("wal/before_sync");
    faultfs::Status status = hooks_.sync();
    if (status.is_ok()) DBX_KILL_POINT("wal/after_sync");
    lock.lock();
    syncing_ = false;
    if (status.is_ok()) {
      durable_sequence_ = std::max(durable_sequence_, target);
      ++syncs_completed_;
    } else {
      failure_ = status;
    }
    synced_.notify_all();
  }
}

void GroupCommit::mark_durable(uint64_t sequence) {
  std::lock_guard lock(mutex_);
  durable_sequence_ = std::max(durable_sequence_, sequence);
  synced_.notify_all();
}

uint64_t GroupCommit::durable_sequence() const {
  std::lock_guard lock(mutex_);
  return durable_sequence_;
}

uint64_t GroupCommit::syncs_completed() const {
  std::lock_guard lock(mutex_);
  return syncs_completed_;
}

bool GroupCommit::failed() const {
  std::lock_guard lock(mutex_);
  return failure_.has_value();
}

}  // namespace dbx
