#include "fork_child.h"

#include <fiu-control.h>
#include <fiu.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <thread>
#include <vector>

#include "faultfs/fault_injection.h"
#include "faultfs/recorder.h"
#include "faultfs/status_macros.h"
#include "fork_issued_log.h"
#include "oracle/history.h"

namespace torture::detail {

using faultfs::Status;

int64_t monotonic_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::chrono::milliseconds wait_scaled(uint32_t wait_ms) {
  return std::chrono::milliseconds(wait_ms / kWaitScale);
}

namespace {

// Small enough that a 100-op workload of ~100-byte values checkpoints a few
// times in the background.
constexpr uint64_t kForkDeltaThresholdBytesMax = 16 * 1024;

void send(int fd, const AckMessage& message) {
  const ssize_t n = ::write(fd, &message, sizeof message);
  if (n < 0 && errno == EINTR) return send(fd, message);
  // Pipe writes of this size are atomic: all or nothing. A gone parent
  // means nobody judges this run.
  if (n != static_cast<ssize_t>(sizeof message)) ::_exit(3);
}

}  // namespace

targets::TargetTuning fork_tuning(const Workload& workload) {
  targets::TargetTuning tuning;
  tuning.sync_interval = std::chrono::milliseconds(workload.sync_interval_ms);
  tuning.wal_preallocate_bytes = workload.wal_preallocate_bytes;
  // At most a few KiB: background checkpoints run beside the writers in
  // every fork workload (timing-dependent, which only fork mode may be).
  tuning.delta_flush_threshold_bytes =
      std::min(workload.delta_flush_threshold_bytes, kForkDeltaThresholdBytesMax);
  tuning.flush_interval = std::chrono::milliseconds(workload.flush_interval_ms);
  tuning.wos_compaction_min_bytes = workload.wos_compaction_min_bytes;
  return tuning;
}

namespace {

class Child {
 public:
  Child(const targets::TargetInfo& info, const ForkPlan& plan, int fd)
      : info_(info), plan_(plan), fd_(fd), tuning_(fork_tuning(*plan.workload)) {
    group_transactions();
  }

  [[noreturn]] void run() {
    auto history = IssuedLogWriter::create(plan_.issued_log_path);
    if (!history.is_ok()) fail(kMarkerSetupFailed);
    history_ = std::move(history).value();
    auto recorder = faultfs::Recorder::create(faultfs::posix_file_system(), plan_.trace_path);
    if (!recorder.is_ok()) fail(kMarkerSetupFailed);
    recorder_ = std::move(recorder).value();
    faults_ = std::make_unique<faultfs::FaultInjectionFs>(*recorder_);
    if (!plan_.kill_point.empty()) {
      // The engine's fiu_do_on raises SIGKILL at the point: a crash between
      // two steps no timer can hit reliably.
      if (!faultfs::fiu_initialize().is_ok() ||
          fiu_enable(plan_.kill_point.c_str(), 1, nullptr, 0) != 0) {
        fail(kMarkerSetupFailed);
      }
    }
    if (plan_.durability == targets::Durability::kLazy) {
      const auto interval = std::chrono::nanoseconds(tuning_.sync_interval).count();
      if (!history_->set_lazy_window(interval + kForkLazySlackNs).is_ok()) {
        fail(kMarkerSetupFailed);
      }
    }
    if (!targets::prepare_database_dir(info_, *faults_, plan_.db_path).is_ok()) {
      fail(kMarkerSetupFailed);
    }
    target_ = info_.make(tuning_);
    if (!target_->open(*faults_, plan_.db_path, plan_.durability).is_ok()) fail(kMarkerUnexpected);
    if (!history_->record_open().is_ok()) fail(kMarkerSetupFailed);
    std::vector<std::thread> threads;
    for (uint32_t t = 1; t < plan_.threads; ++t) threads.emplace_back([this] { drive(); });
    drive();
    for (std::thread& t : threads) t.join();
    if (outcome_ != kMarkerDone) fail(outcome_);
    if (!handle_usable_) fail(kMarkerFault);
    const Status closed = synced(oracle::SyncKind::kClose, [this] { return target_->close(); });
    if (!closed.is_ok()) fail(kMarkerUnexpected);
    send(fd_, AckMessage{kMarkerDone, 0, 0});
    ::_exit(0);
  }

 private:
  // One writer thread: takes the next step and runs it, with no lock held
  // around the target's call (writes and flushes of several threads overlap;
  // only a reopen holds the others off, as the handle changes).
  void drive() {
    while (true) {
      const size_t index = next_.fetch_add(1);
      if (index >= plan_.workload->steps.size() || outcome_ != kMarkerDone) return;
      const Step& step = plan_.workload->steps[index];
      if (in_other_unit_[index]) continue;  // A transaction's thread runs it.
      if (step.fault && !faultfs::enable_fault(step.fault->op, step.fault->kind, true).is_ok()) {
        set_outcome(kMarkerSetupFailed);
        return;
      }
      const uint64_t fired_before = faults_->injected_total();
      const Status s = step.kind == StepKind::kTxn ? run_transaction(index) : execute(step);
      if (step.fault) faultfs::disable_fault(step.fault->op);
      if (faults_->injected_total() > fired_before) {
        std::lock_guard lock(history_mu_);
        send(fd_, AckMessage{kMarkerFaultFired, 0, 0});
      }
      if (!s.is_ok()) {
        // Faults are process-wide: the engine's background threads, or
        // another writer, may take one armed for another step, and leave the
        // engine read-only, so a step fails with no fault of its own. Any
        // fault fired in this run explains the failure.
        set_outcome(faults_->injected_total() > 0 ? kMarkerFault : kMarkerUnexpected);
        return;
      }
    }
  }

  void set_outcome(uint64_t marker) {
    uint64_t expected = kMarkerDone;
    outcome_.compare_exchange_strong(expected, marker);
  }

  // OK, or the target's error once it has been logged.
  Status execute(const Step& step) {
    switch (step.kind) {
      case StepKind::kWrite:
        return write(step.write);
      case StepKind::kFlush: {
        std::shared_lock handle(handle_mu_);
        if (!handle_usable_) return handle_gone();
        return synced(oracle::SyncKind::kFlush, [this] { return target_->flush(); });
      }
      case StepKind::kReopen: {
        std::unique_lock handle(handle_mu_);
        if (!handle_usable_) return handle_gone();
        // A close that promises nothing may lose writes, and the child's
        // log cannot say which a reopen kept (sim mode judges each reopen):
        // such a target stays open.
        if (!info_.capabilities.close_syncs) return Status::ok();
        Status s = synced(oracle::SyncKind::kClose, [this] { return target_->close(); });
        // Closed either way: no later step may use (or "close") it again.
        handle_usable_ = s.is_ok();
        if (!s.is_ok()) return s;
        target_ = info_.make(tuning_);
        s = target_->open(*faults_, plan_.db_path, plan_.durability);
        handle_usable_ = s.is_ok();
        std::lock_guard lock(history_mu_);
        if (s.is_ok() && !history_->record_open().is_ok()) fail(kMarkerSetupFailed);
        return s;
      }
      case StepKind::kWait:
        return wait(wait_scaled(step.wait_ms));
      case StepKind::kCrash:
        // One kill per fork workload (the parent's): a crash step is nothing
        // here. The simulation runs it as a second generation.
        return Status::ok();
      case StepKind::kTxn:  // drive() runs each as part of its transaction.
        return Status(faultfs::ErrorCode::kInvalidArgument, "a transaction step alone");
    }
    return Status(faultfs::ErrorCode::kInvalidArgument, "unknown step");
  }

  // Another writer's failed reopen left no handle: this step stops the run
  // too, issuing nothing.
  static Status handle_gone() {
    return Status(faultfs::ErrorCode::kInvalidArgument, "no open handle after a failed reopen");
  }

  Status write(const targets::Write& write) {
    std::shared_lock handle(handle_mu_);
    if (!handle_usable_) return handle_gone();
    uint64_t seq = 0;
    {
      std::lock_guard lock(history_mu_);
      auto pending = history_->record_pending(write, monotonic_ns());
      if (!pending.is_ok()) fail(kMarkerSetupFailed);
      seq = pending.value();
    }
    auto applied = target_->apply(write);
    const int64_t acked_ns = monotonic_ns();
    std::lock_guard lock(history_mu_);
    if (!applied.is_ok()) {
      const Status& s = applied.status();
      if (!history_->record_failed(seq, targets::write_maybe_applied(s), s.to_string()).is_ok()) {
        fail(kMarkerSetupFailed);
      }
      return s;
    }
    // Logged before it is sent: the parent restores from the pipe only what
    // a kill cut off from the log's tail (re-logging one changes nothing).
    if (!history_->record_ack(seq, applied.value(), acked_ns).is_ok()) fail(kMarkerSetupFailed);
    send(fd_, AckMessage{seq, applied.value(), acked_ns});
    return Status::ok();
  }

  // Transactions: each begin step starts a unit, its slot's later steps up
  // to its commit or rollback, cut short (a rollback) by a reopen or a crash
  // step as the simulation ends them. The thread that takes the begin runs
  // the unit; every other thread skips the unit's later steps. Actions on a
  // slot with no open transaction are skipped, as in the simulation.
  void group_transactions() {
    const std::vector<Step>& steps = plan_.workload->steps;
    units_.assign(steps.size(), {});
    in_other_unit_.assign(steps.size(), false);
    std::array<std::optional<size_t>, kTxnSlotsMax> open;
    for (size_t i = 0; i < steps.size(); ++i) {
      const Step& step = steps[i];
      if (step.kind == StepKind::kReopen || step.kind == StepKind::kCrash) open.fill(std::nullopt);
      if (step.kind != StepKind::kTxn) continue;
      const TxnStep& t = step.txn;
      const bool begin = t.action == TxnAction::kBegin;
      if (!begin || open[t.slot]) in_other_unit_[i] = true;
      if (begin) {
        if (!open[t.slot]) open[t.slot] = i;
        continue;
      }
      if (!open[t.slot]) continue;
      units_[*open[t.slot]].push_back(i);
      if (t.action != TxnAction::kGet && t.action != TxnAction::kWrite) open[t.slot].reset();
    }
  }

  static oracle::TxnEvent event(oracle::TxnEvent::Kind kind, uint64_t txn, uint64_t seq = 0,
                                const targets::Op& op = {},
                                std::optional<std::string> seen = std::nullopt) {
    oracle::TxnEvent e;
    e.kind = kind;
    e.txn = txn;
    e.seq = seq;
    e.op = op;
    e.seen = std::move(seen);
    return e;
  }

  void log_txn(const oracle::TxnEvent& event) {
    std::lock_guard lock(history_mu_);
    log_txn_locked(event);
  }
  void log_txn_locked(const oracle::TxnEvent& event) {
    if (!history_->record_txn(event).is_ok()) fail(kMarkerSetupFailed);
  }

  // The transaction begun at step `begin`, start to end, on this thread
  // (with the handle shared: a reopen waits for it).
  Status run_transaction(size_t begin) {
    using Kind = oracle::TxnEvent::Kind;
    if (!info_.capabilities.transactions || in_other_unit_[begin]) return Status::ok();
    std::shared_lock handle(handle_mu_);
    if (!handle_usable_) return handle_gone();
    const uint64_t id = begin + 1;  // Unique: one unit per begin step.
    auto begun = target_->begin_transaction();
    if (!begun.is_ok()) return begun.status();
    std::unique_ptr<targets::TargetTransaction> txn = std::move(begun).value();
    log_txn(event(Kind::kBegin, id));
    targets::Write writes;
    for (const size_t i : units_[begin]) {
      const TxnStep& t = plan_.workload->steps[i].txn;
      if (t.action == TxnAction::kGet) {
        auto got = txn->get(t.op.table, t.op.key);
        if (!got.is_ok()) return got.status();
        log_txn(event(Kind::kRead, id, 0, t.op, got.value()));
      } else if (t.action == TxnAction::kWrite) {
        RETURN_IF_ERROR(txn->write(t.op));
        log_txn(event(Kind::kWrite, id, 0, t.op));
        writes.push_back(t.op);
      } else if (t.action == TxnAction::kCommit) {
        return commit_transaction(id, *txn, writes);
      } else {
        const Status s = txn->rollback();
        log_txn(event(Kind::kRolledBack, id));
        return s;
      }
    }
    txn.reset();  // Cut short: dropped, which rolls back.
    log_txn(event(Kind::kRolledBack, id));
    return Status::ok();
  }

  // Logged as a write (pending before the commit, then acknowledged with the
  // target's number, refused, or failed) with the events around it.
  Status commit_transaction(uint64_t id, targets::TargetTransaction& txn,
                            const targets::Write& writes) {
    using Kind = oracle::TxnEvent::Kind;
    uint64_t seq = 0;
    {
      std::lock_guard lock(history_mu_);
      if (!writes.empty()) {
        auto pending = history_->record_pending(writes, monotonic_ns());
        if (!pending.is_ok()) fail(kMarkerSetupFailed);
        seq = pending.value();
      }
      log_txn_locked(event(Kind::kCommitCall, id, seq));
    }
    auto committed = txn.commit();
    const int64_t acked_ns = monotonic_ns();
    std::lock_guard lock(history_mu_);
    if (committed.is_ok()) {
      if (seq > 0) {
        if (!history_->record_ack(seq, committed.value(), acked_ns).is_ok()) {
          fail(kMarkerSetupFailed);
        }
        send(fd_, AckMessage{seq, committed.value(), acked_ns});
      }
      log_txn_locked(event(Kind::kCommitted, id, seq));
      return Status::ok();
    }
    const Status& error = committed.status();
    const bool conflict = error.code() == faultfs::ErrorCode::kConflict;
    if (seq > 0 && !history_
                        ->record_failed(seq, !conflict && targets::write_maybe_applied(error),
                                        error.to_string())
                        .is_ok()) {
      fail(kMarkerSetupFailed);
    }
    log_txn_locked(event(conflict ? Kind::kConflicted : Kind::kCommitFailed, id, seq));
    return conflict ? Status::ok() : error;
  }

  // Runs a flush or close between its two history records. Uncommitted sync
  // records lost to a kill only leave the bounds looser (a completed sync
  // the parent does not see raises nothing).
  template <typename Fn>
  Status synced(oracle::SyncKind kind, Fn&& fn) {
    // A promise the target does not make is no bound (TargetCapabilities).
    if (!promises(kind)) return fn();
    uint64_t sync_id = 0;
    {
      std::lock_guard lock(history_mu_);
      auto begun = history_->begin_sync(kind);
      if (!begun.is_ok()) fail(kMarkerSetupFailed);
      sync_id = begun.value();
    }
    const Status s = fn();
    std::lock_guard lock(history_mu_);
    // Named: another thread's flush may have begun since, covering more.
    if (!history_->end_sync(kind, s.is_ok(), sync_id).is_ok()) fail(kMarkerSetupFailed);
    return s;
  }

  bool promises(oracle::SyncKind kind) const {
    if (kind == oracle::SyncKind::kFlush) return info_.capabilities.checkpoint;
    if (kind == oracle::SyncKind::kClose) return info_.capabilities.close_syncs;
    return true;
  }

  // Time passes; the target's due background work runs (a target with its
  // own threads does it on its own) at least once a millisecond.
  Status wait(std::chrono::milliseconds duration) {
    std::shared_lock handle(handle_mu_);
    if (!handle_usable_) return handle_gone();
    const auto end = std::chrono::steady_clock::now() + duration;
    do {
      RETURN_IF_ERROR(target_->background(std::chrono::nanoseconds(monotonic_ns())));
      std::this_thread::sleep_for(
          std::min(std::chrono::nanoseconds(std::chrono::milliseconds(1)),
                   std::chrono::nanoseconds(end - std::chrono::steady_clock::now())));
    } while (std::chrono::steady_clock::now() < end);
    return Status::ok();
  }

  [[noreturn]] void fail(uint64_t marker) {
    // Every record is in the log already; the parent judges the directory.
    // Callers hold history_mu_ or run alone.
    send(fd_, AckMessage{marker, 0, 0});
    ::_exit(0);
  }

  const targets::TargetInfo& info_;
  const ForkPlan& plan_;
  const int fd_;
  const targets::TargetTuning tuning_;
  std::unique_ptr<IssuedLogWriter> history_;
  std::unique_ptr<faultfs::Recorder> recorder_;
  std::unique_ptr<faultfs::FaultInjectionFs> faults_;
  std::unique_ptr<targets::Target> target_;
  // Guards the issued log (its records are in call order) and the pipe.
  std::mutex history_mu_;
  // Shared by every call on the handle; a reopen replaces it exclusively.
  std::shared_mutex handle_mu_;
  bool handle_usable_ = true;  // Guarded by handle_mu_ (written exclusively).
  std::atomic<size_t> next_{0};
  // group_transactions(): a begin step's unit, and the steps a unit owns.
  std::vector<std::vector<size_t>> units_;
  std::vector<bool> in_other_unit_;
  std::atomic<uint64_t> outcome_{kMarkerDone};
};

}  // namespace

void run_fork_child(const targets::TargetInfo& target, const ForkPlan& plan, int ack_fd) {
  Child child(target, plan, ack_fd);
  child.run();
}

}  // namespace torture::detail
