// DatabaseImpl's checkpoint: the delta into the WOS, then the WAL cut. The
// steps, their locks and why a crash anywhere is safe: database_impl.h.
#include <chrono>

#include "database_impl.h"
#include "kill_points.h"
#include "logger.h"
#include "status_util.h"
#include "wal/wal_writer.h"
#include "wos/wos_store.h"

namespace dbx {
namespace {

// A catch-up checkpoint (writers held) of at most this much is cheap next to
// the checkpoint it follows; above it, the cut waits for a later checkpoint.
constexpr uint64_t kCatchUpBytesMin = uint64_t{1} << 20;
// The uncut WAL may grow to this many times the delta threshold before a
// background checkpoint holds writers to cut it: recovery reads it all.
constexpr uint64_t kWalThresholdMultipleMax = 4;
// Free space below twice a checkpoint's delta plus this counts as a full disk.
constexpr uint64_t kCheckpointSpaceMarginBytes = uint64_t{1} << 20;

}  // namespace

uint64_t DatabaseImpl::catch_up_bytes_max() const {
  return std::max(kCatchUpBytesMin, options_.delta_flush_threshold_bytes / 16);
}

uint64_t DatabaseImpl::wal_bytes_max() const {
  return kWalThresholdMultipleMax *
         std::max(options_.delta_flush_threshold_bytes, kCatchUpBytesMin);
}

void DatabaseImpl::flush() {
  check_open();
  checkpoint(CutPolicy::kAlways);
}

void DatabaseImpl::checkpoint(CutPolicy policy) {
  std::lock_guard checkpoint_lock(checkpoint_mutex_);
  check_open();
  checkpoint_holding(policy);
}

void DatabaseImpl::checkpoint_holding(CutPolicy policy) {
  if (wos_ == nullptr) return;  // In memory: nothing to make durable.
  uint64_t covered = checkpoint_delta(nullptr);
  if (wal_ == nullptr) return;
  std::unique_lock log_lock(log_mutex_);
  if (last_sequence() != covered) {
    // Writers appended during the checkpoint: the log holds records it does
    // not cover, and a cut now would lose them.
    const bool cheap = delta_bytes_.load(std::memory_order_relaxed) <= catch_up_bytes_max();
    const bool log_too_long = wal_->end_offset() > wal_bytes_max();
    if (policy == CutPolicy::kWhenCheap && !cheap && !log_too_long) return;
    covered = checkpoint_delta(&log_lock);
    assert(last_sequence() == covered);
  }
  if (wal_cut_sequence_ == covered) return;  // Cut at `covered` already: nothing appended since.
  // Only a checkpoint seen durable may cut the log: one this handle applied,
  // or the one open found (the WOS open syncs wos/ first). A conf renamed into
  // place whose directory sync failed is visible but can still revert to the
  // older conf, and the log is then what holds the writes in between (torture
  // seed 2026, w446).
  if (wos_applied_sequence_ != covered) return;
  cut_log(covered);
}

uint64_t DatabaseImpl::checkpoint_delta(std::unique_lock<std::mutex>* held_log_lock) {
  assert(wos_ != nullptr);
  assert(held_log_lock == nullptr || held_log_lock->owns_lock());
  uint64_t sequence;
  {
    std::unique_lock<std::mutex> own_log_lock;
    if (held_log_lock == nullptr) own_log_lock = std::unique_lock(log_mutex_);
    check_writable();
    sequence = last_sequence();
    std::unique_lock state_lock(state_mutex_);
    assert(frozen_ == nullptr);
    if (delta_.empty() && sequence == wos_->checkpoint_sequence()) return sequence;
    frozen_ = std::make_unique<Delta>(std::move(delta_));
    assert(delta_.empty());
    delta_bytes_.store(0, std::memory_order_relaxed);
  }
  DBX_KILL_POINT("checkpoint/before_wos_apply");
  const auto started = std::chrono::steady_clock::now();
  // On a (nearly) full disk the WAL's space past its end (preallocated zeros,
  // recycled records) is what lets the store take a checkpoint, e.g. of the
  // deletes meant to free space. Released before the first write, since a
  // conf that cannot be written fails the store until reopened; and once
  // more on ENOSPC, which an apply meets before its first sync harmlessly.
  if (short_of_space(frozen_->bytes())) release_wal_space(held_log_lock);
  auto prepared = wos_->prepare(*frozen_, sequence);
  if (!prepared.is_ok() && prepared.status().code() == faultfs::ErrorCode::kNoSpace &&
      release_wal_space(held_log_lock)) {
    prepared = wos_->prepare(*frozen_, sequence);
  }
  if (!prepared.is_ok()) {
    // frozen_ stays readable; the handle refuses writes until reopened.
    enter_read_only("checkpoint failed: " + prepared.status().message());
    throw_if_error(prepared.status(), "flush");
  }
  DBX_KILL_POINT("checkpoint/after_wos_apply");
  const uint64_t entries = frozen_->entries();
  const uint64_t bytes = frozen_->bytes();
  {
    std::unique_lock state_lock(state_mutex_);
    wos_->publish(std::move(prepared).value());
    frozen_.reset();
  }
  // Every record at or below `sequence` is now durable through the WOS.
  wos_applied_sequence_ = sequence;
  group_commit_->mark_durable(sequence);
  logger().debug(
      "{}: checkpoint {} of {} delta entries ({} bytes) in {:.1f} ms{}", *path_, sequence, entries,
      bytes,
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count(),
      held_log_lock != nullptr ? ", writers held" : "");
  return sequence;
}

bool DatabaseImpl::short_of_space(uint64_t checkpoint_bytes) const {
  auto available = fs_->available_bytes(*path_);
  if (!available.is_ok() || *available == faultfs::FileSystem::kUnknownAvailableBytes) {
    return false;  // Unknown: the ENOSPC retry still applies.
  }
  return *available < 2 * checkpoint_bytes + kCheckpointSpaceMarginBytes;
}

bool DatabaseImpl::release_wal_space(std::unique_lock<std::mutex>* held_log_lock) {
  std::unique_lock<std::mutex> own_log_lock;
  if (held_log_lock == nullptr) own_log_lock = std::unique_lock(log_mutex_);
  if (wal_ == nullptr || wal_->file_size_bytes() <= wal_->end_offset()) return false;
  const uint64_t released = wal_->file_size_bytes() - wal_->end_offset();
  const faultfs::Status trimmed = wal_->trim_past_end(0);
  if (!trimmed.is_ok()) {
    enter_read_only("WAL trim on a full disk failed: " + trimmed.message());
    return false;
  }
  logger().warn("{}: disk full during a checkpoint; released {} bytes of WAL space and retried",
                *path_, released);
  return true;
}

void DatabaseImpl::cut_log(uint64_t checkpoint) {
  assert(wal_ != nullptr);
  assert(last_sequence() == checkpoint);
  assert(wos_->checkpoint_sequence() == checkpoint);
  // The WOS durably covers every record in the log, so the log may be cut; a
  // cut that does not persist is harmless (its records are skipped on replay).
  DBX_KILL_POINT("checkpoint/before_wal_cut");
  faultfs::Status cut = wal_->recycle(checkpoint);
  if (cut.is_ok()) cut = wal_->sync();
  if (!cut.is_ok()) {
    enter_read_only("WAL cut failed: " + cut.message());
    throw_if_error(cut, "flush");
  }
  DBX_KILL_POINT("checkpoint/after_wal_cut");
  wal_cut_sequence_ = checkpoint;
  wos_->set_wal_epoch(wal_->epoch());  // Every later conf names the new epoch.
}

void DatabaseImpl::after_write() {
  if (wos_ == nullptr) return;  // In memory: the delta is the database.
  const uint64_t delta_bytes = delta_bytes_.load(std::memory_order_relaxed);
  if (delta_bytes < options_.delta_flush_threshold_bytes) return;
  if (delta_bytes >= 2 * options_.delta_flush_threshold_bytes) {
    // Writers outpace the background checkpoint: this writer waits for it
    // and checkpoints itself, which bounds the delta's memory. The write is
    // done and acknowledged by now, so a failed checkpoint must not turn it
    // into a reported failure (the oracle would rightly call the write lost
    // or invented); it is logged, and the handle is read-only from here on
    // (every failing path of checkpoint() has entered that state).
    try {
      checkpoint(CutPolicy::kWhenCheap);
    } catch (const Error& e) {
      logger().error("{}: checkpoint after a write failed: {}", path_.value_or(":memory:"),
                     e.what());
    }
    return;
  }
  std::lock_guard lock(background_mutex_);
  flush_requested_ = true;
  // notify_all: the Lazy sync thread waits on the same condition variable.
  background_wakeup_.notify_all();
}

}  // namespace dbx
