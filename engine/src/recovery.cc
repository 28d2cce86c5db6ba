// Opening a database: lock, load the WOS checkpoint, replay the WAL after it.
//
// Invariants established before the first write is accepted:
//  - the directory, LOCK, wos/ and wal.log exist and their entries are durable;
//  - the delta holds exactly the records with sequence > the WOS checkpoint
//    that the log proves (a torn tail is dropped and truncated, logged);
//  - everything replayed is synced again, so a power loss right after this
//    open cannot take back what the open showed to readers.
#include <algorithm>
#include <chrono>

#include "database_impl.h"
#include "log_replay.h"
#include "logger.h"
#include "read_only_fs.h"
#include "status_util.h"
#include "wal/wal_reader.h"
#include "wal/wal_vouch.h"
#include "wal/wal_writer.h"
#include "wos/wos_store.h"

namespace dbx {
namespace {

wal::TailMode to_tail_mode(RecoveryMode mode) {
  switch (mode) {
    case RecoveryMode::kStrict:
      return wal::TailMode::kStrict;
    case RecoveryMode::kTolerateTail:
      return wal::TailMode::kTolerateTail;
    case RecoveryMode::kSkipCorrupted:
      return wal::TailMode::kSkipCorrupted;
  }
  return wal::TailMode::kStrict;
}

void ensure_directory(faultfs::FileSystem& fs, const std::string& path) {
  const bool present = value_or_throw(fs.exists(path), "open");
  if (present) return;
  throw_if_error(fs.mkdir(path), "open: create database directory");
  throw_if_error(fs.sync_dir(faultfs::parent_path(path)), "open: sync parent directory");
}

}  // namespace

void DatabaseImpl::recover() {
  const auto started = std::chrono::steady_clock::now();
  if (!path_) {
    group_commit_ = std::make_unique<GroupCommit>(
        GroupCommit::Hooks{[this] { return last_sequence(); }, [] { return faultfs::Status(); }},
        0);
    return;
  }
  const std::string& dir = *path_;
  ensure_directory(*fs_, dir);
  const std::string lock_path = faultfs::join_path(dir, "LOCK");
  lock_ = options_.read_only ? lock_for_read_only_open(*fs_, lock_path)
                             : value_or_throw(fs_->lock(lock_path), "open " + dir);
  setup_encryption(dir);
  wos_ = value_or_throw(wos::WosStore::open(*fs_, faultfs::join_path(dir, "wos"), sealer_.get()),
                        "open WOS");
  wos_->set_compaction_min_bytes(options_.wos_compaction_min_bytes);
  const uint64_t checkpoint = wos_->checkpoint_sequence();
  recovery_stats_.checkpoint_sequence = checkpoint;
  const auto wos_loaded = std::chrono::steady_clock::now();

  wal_path_ = faultfs::join_path(dir, "wal.log");
  LogReplayOptions replay_options;
  replay_options.sealer = sealer_.get();
  const LogReplayResult replay =
      value_or_throw(replay_log(*fs_, wal_path_, to_tail_mode(options_.recovery_mode), checkpoint,
                                &delta_, replay_options),
                     "recovery");
  delta_bytes_.store(delta_.bytes(), std::memory_order_relaxed);
  const wal::WalReadSummary& summary = replay.summary;
  record_replay_stats(replay);
  last_sequence_.store(std::max({checkpoint, replay.last_replayed_sequence, summary.last_sequence}),
                       std::memory_order_release);

  const bool loss_accepted = vouch_for_log(summary);
  const auto replayed = std::chrono::steady_clock::now();
  if (options_.read_only) {
    // Served from memory: no WAL writer and no conf update, so nothing is
    // truncated, synced or published.
  } else {
    open_log(summary, loss_accepted);
    // WosStore::open synced wos/ before returning, so the checkpoint it found
    // is durable now even if the flush that wrote it failed its directory
    // sync: a later checkpoint may cut the log at it. Without that, a None
    // handle that found such a checkpoint and closed cleanly left the log's
    // base below it, and a deleted wos/ then read as an empty database.
    wos_applied_sequence_ = checkpoint;
    const bool cut_at_checkpoint =
        summary.epoch != 0 && summary.base_sequence == checkpoint && last_sequence() == checkpoint;
    if (cut_at_checkpoint) wal_cut_sequence_ = checkpoint;  // Nothing above it to cut.
  }
  // kNone's log holds a header only: nothing to preallocate for.
  if (wal_ != nullptr) {
    wal_->set_preallocation_bytes(logs_records() ? options_.wal_preallocate_bytes : 0);
  }
  // WalWriter::sync() itself advances the synced_sequence later records carry.
  group_commit_ = std::make_unique<GroupCommit>(
      GroupCommit::Hooks{[this] { return last_sequence(); },
                         [this] { return wal_ != nullptr ? wal_->sync() : faultfs::Status(); }},
      last_sequence());

  record_open_timing(replay, {started, wos_loaded, replayed, std::chrono::steady_clock::now()});
}

void DatabaseImpl::record_replay_stats(const LogReplayResult& replay) {
  const wal::WalReadSummary& summary = replay.summary;
  recovery_stats_.records_replayed = replay.records_replayed;
  recovery_stats_.records_skipped = replay.records_skipped + summary.corrupt_records_skipped;
  recovery_stats_.checkpoint_covered_records = replay.records_skipped;
  recovery_stats_.ended_in_recycled_space = summary.ended_in_recycled_space;
  recovery_stats_.compaction_rolled_forward = wos_->rolled_forward_at_open();
  recovery_stats_.bytes_replayed = summary.bytes_read;
  recovery_stats_.torn_bytes_dropped = summary.torn_bytes;
}

void DatabaseImpl::record_open_timing(const LogReplayResult& replay, const OpenPhases& phases) {
  auto seconds = [](auto from, auto to) {
    return std::chrono::duration<double>(to - from).count();
  };
  const double elapsed_s = seconds(phases.started, phases.finished);
  recovery_stats_.elapsed_s = elapsed_s;
  const std::string& dir = *path_;
  logger().debug(
      "{}: open took {:.3f} s: WOS {:.3f} s, WAL replay {:.3f} s ({}), WAL sync {:.3f} s", dir,
      elapsed_s, seconds(phases.started, phases.wos_loaded),
      seconds(phases.wos_loaded, phases.replayed), replay.pipelined ? "pipelined" : "one thread",
      seconds(phases.replayed, phases.finished));
  logger().info(
      "opened {}: checkpoint {}, replayed {} WAL records ({} bytes), skipped {}, torn bytes "
      "dropped {}, last sequence {}, {:.3f} s",
      dir, recovery_stats_.checkpoint_sequence, recovery_stats_.records_replayed,
      replay.summary.bytes_read, recovery_stats_.records_skipped, replay.summary.torn_bytes,
      last_sequence(), elapsed_s);
}

// Compares the log with the store (wal_vouch.h). Throws kCorruption when
// they disagree and the recovery mode does not accept it; returns whether a
// disagreement was accepted (the loss is then recorded in conf once the log
// is usable again).
bool DatabaseImpl::vouch_for_log(const wal::WalReadSummary& summary) {
  const wos::ConfWalState& conf = wos_->conf_wal_state();
  const wal::StoreFacts store{wos_->conf_path(), wos_->checkpoint_sequence(), conf.known,
                              conf.epoch, conf.synced_sequence};
  const wal::Verdict verdict = wal::compare_log_with_store(wal_path_, summary, store);
  const RecoveryMode mode = options_.recovery_mode;
  switch (verdict.disagreement) {
    case wal::Disagreement::kNone:
      return false;
    case wal::Disagreement::kStoreBehind:
      // Only salvage may serve it: no prefix of the history is at hand.
      if (mode != RecoveryMode::kSkipCorrupted) {
        throw Error(ErrorCode::kCorruption, "recovery: " + verdict.what);
      }
      break;
    case wal::Disagreement::kLogLost:
      if (mode == RecoveryMode::kStrict) {
        throw Error(ErrorCode::kCorruption, "recovery: " + verdict.what);
      }
      break;
  }
  logger().warn(
      "{}: recovery ({} mode) accepts a lost or mismatched file and serves what is left: {}",
      *path_, wal::tail_mode_name(to_tail_mode(mode)), verdict.what);
  return true;
}

// Resumes the log the replay read, or creates one, and records in conf what
// a later open must find.
void DatabaseImpl::open_log(const wal::WalReadSummary& summary, bool loss_accepted) {
  const bool log_present = summary.epoch != 0;
  bool created = false;
  if (log_present) {
    wal_ = value_or_throw(
        wal::WalWriter::resume(*fs_, wal_path_, summary.epoch, summary.end_offset, sealer_.get()),
        "open WAL");
    if (summary.must_truncate) {
      // Also syncs: nothing stale may later pass for a continuation.
      throw_if_error(wal_->truncate_to_end(), "recovery: drop torn WAL tail");
      logger().info("{}: dropped {} torn bytes at WAL offset {}", wal_path_, summary.torn_bytes,
                    summary.end_offset);
    } else {
      // What was replayed may have come from the page cache of a killed
      // process: make it durable before anyone reads it.
      throw_if_error(wal_->sync(), "recovery: sync WAL");
    }
  } else {
    // A new epoch above every one conf knows: a fresh log never looks older
    // than the store, nor like a cut the store lacks.
    const wos::ConfWalState& conf = wos_->conf_wal_state();
    const uint32_t epoch = (conf.known ? conf.epoch : 0) + 1;
    wal_ = value_or_throw(
        wal::WalWriter::create(*fs_, wal_path_, epoch, wos_->checkpoint_sequence(), sealer_.get()),
        "create WAL");
    throw_if_error(fs_->sync_dir(*path_), "create WAL: sync directory");
    created = true;
  }
  const uint32_t epoch = wal_ != nullptr ? wal_->epoch() : summary.epoch;
  wos_->set_wal_epoch(epoch);
  if (created || loss_accepted) {
    // Durable before the first write: the log (file and directory entry) this
    // conf names, and every record through last_sequence() in it.
    const uint64_t synced = epoch != 0 ? last_sequence() : wos_->checkpoint_sequence();
    throw_if_error(wos_->publish_wal_state(epoch, synced), "open: record the WAL in conf");
  }
}

void DatabaseImpl::start_background() {
  if (!options_.background_threads) return;  // run_background_work() does it.
  if (options_.durability == Durability::kLazy && wal_ != nullptr) {
    syncer_ = std::thread([this] { sync_loop(); });
  }
  background_ = std::thread([this] { background_loop(); });
}

void DatabaseImpl::stop_background() {
  {
    std::lock_guard lock(background_mutex_);
    background_stop_ = true;
    background_wakeup_.notify_all();
  }
  if (syncer_.joinable()) syncer_.join();
  if (background_.joinable()) background_.join();
}

// Lazy's periodic sync runs on its own thread so that a long checkpoint on
// the background thread never stretches the interval between syncs.
void DatabaseImpl::sync_loop() {
  using Clock = std::chrono::steady_clock;
  std::unique_lock lock(background_mutex_);
  while (!background_stop_) {
    background_wakeup_.wait_until(lock, Clock::now() + options_.sync_interval,
                                  [&] { return background_stop_; });
    if (background_stop_) break;
    lock.unlock();
    try {
      background_sync();
    } catch (const Error& e) {
      // The handle is read-only now; the next write or close reports it.
      logger().error("{}: {}", path_.value_or(":memory:"), e.what());
    }
    lock.lock();
  }
}

void DatabaseImpl::background_sync() {
  if (group_commit_->durable_sequence() >= last_sequence() || read_only_.load()) return;
  faultfs::Status synced = group_commit_->sync_through(last_sequence());
  if (synced.is_ok()) {
    // Tells a later reader what this sync made durable even if no write
    // follows (wal_format.md, sync proofs). Serialized with appends.
    std::lock_guard log_lock(log_mutex_);
    if (wal_ != nullptr && !read_only_.load()) synced = wal_->append_sync_proof();
  }
  if (!synced.is_ok()) {
    enter_read_only("background WAL sync failed: " + synced.message());
    throw_if_error(synced, "background WAL sync");
  }
}

// The threads' work on the caller's clock. A Lazy sync that was due at some
// instant before `now` runs now, which is what the threads would have done
// had no write arrived in between: the caller calls at every instant it
// lets writes happen, so none did.
void DatabaseImpl::run_background_work(std::chrono::nanoseconds now) {
  check_open();
  if (options_.background_threads) {
    throw Error(ErrorCode::kInvalidArgument,
                "run_background_work needs Options::background_threads = false");
  }
  bool sync_due = false;
  bool flush_due = false;
  {
    std::lock_guard lock(background_mutex_);
    if (options_.durability == Durability::kLazy && wal_ != nullptr &&
        (!manual_synced_at_ || now - *manual_synced_at_ >= options_.sync_interval)) {
      sync_due = true;
      manual_synced_at_ = now;
    }
    if (!manual_flushed_at_) manual_flushed_at_ = now;
    const bool interval_due = flush_interval_.count() > 0 && path_.has_value() &&
                              now - *manual_flushed_at_ >= flush_interval_;
    flush_due = flush_requested_ || interval_due;
    flush_requested_ = false;
    if (flush_due) manual_flushed_at_ = now;
  }
  if (sync_due) background_sync();
  if (flush_due && !read_only_.load()) checkpoint(CutPolicy::kWhenCheap);
}

void DatabaseImpl::background_loop() {
  using Clock = std::chrono::steady_clock;
  // flush_interval_ is written under background_mutex_ (set_flush_interval).
  std::unique_lock lock(background_mutex_);
  auto next_flush = Clock::now() + flush_interval_;
  while (!background_stop_) {
    auto deadline = Clock::now() + std::chrono::hours(1);
    if (flush_interval_.count() > 0) deadline = std::min(deadline, next_flush);
    background_wakeup_.wait_until(lock, deadline, [&] {
      return background_stop_ || flush_requested_ || flush_interval_changed_;
    });
    if (background_stop_) break;
    if (flush_interval_changed_) {
      flush_interval_changed_ = false;
      next_flush = std::min(next_flush, Clock::now() + flush_interval_);
      if (!flush_requested_ && Clock::now() < next_flush) continue;
    }
    const auto now = Clock::now();
    const bool flush_due =
        flush_requested_ || (flush_interval_.count() > 0 && now >= next_flush && path_);
    flush_requested_ = false;
    lock.unlock();
    if (flush_due && !read_only_.load()) {
      try {
        checkpoint(CutPolicy::kWhenCheap);
      } catch (const Error& e) {
        logger().error("background flush of {} failed: {}", path_.value_or(":memory:"), e.what());
      }
    }
    lock.lock();
    if (flush_due) next_flush = Clock::now() + flush_interval_;
  }
}

}  // namespace dbx
