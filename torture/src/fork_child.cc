#include "fork_child.h"

#include <fiu-control.h>
#include <fiu.h>
#include <unistd.h>

#include <cerrno>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "faultfs/fault_injection.h"
#include "faultfs/recorder.h"
#include "oracle/history.h"

namespace torture::detail {

using faultfs::Status;

namespace {

void send(int fd, uint64_t value) {
  const char* p = reinterpret_cast<const char*>(&value);
  size_t done = 0;
  while (done < sizeof value) {
    const ssize_t n = ::write(fd, p + done, sizeof value - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) ::_exit(3);  // The parent is gone: nobody judges this run.
    done += static_cast<size_t>(n);
  }
}

// Small enough that a 100-op workload of ~100-byte values checkpoints a few
// times in the background.
constexpr uint64_t kForkDeltaThresholdBytes = 4 * 1024;

// The real target: in fork mode the DBX engine keeps its own background
// sync (unobserved syncs only make the bounds looser, never unsound).
// As shipped, but with the small WAL preallocation chunk the sim judge uses:
// a 4 MiB zero extension per workload would dominate a 100-op kill cycle (it
// is written, synced, recorded in the trace and read back by every judge).
// And with a delta threshold of a few KiB, so that background checkpoints
// run while the workload writes (timing-dependent, hence fork mode only: sim
// runs must replay identically).
std::unique_ptr<oracle::Target> fork_target(const oracle::TargetInfo& info) {
  oracle::TargetTuning tuning;
  tuning.wal_preallocate_bytes = 64 * 1024;
  tuning.delta_flush_threshold_bytes = kForkDeltaThresholdBytes;
  return info.make(tuning);
}

class Child {
 public:
  Child(const oracle::TargetInfo& info, const ForkPlan& plan, int fd)
      : info_(info), plan_(plan), fd_(fd) {}

  [[noreturn]] void run() {
    oracle::History::Options options;
    options.commit_pending = true;
    auto history = oracle::History::open(plan_.history_path, options);
    if (!history.is_ok()) fail(kMarkerSetupFailed);
    history_ = std::move(history).value();
    auto recorder = faultfs::Recorder::create(faultfs::posix_file_system(), plan_.trace_path);
    if (!recorder.is_ok()) fail(kMarkerSetupFailed);
    recorder_ = std::move(recorder).value();
    faults_ = std::make_unique<faultfs::FaultInjectionFs>(*recorder_);
    if (!plan_.kill_point.empty()) {
      // The engine's fiu_do_on raises SIGKILL at the point: a crash between
      // two steps no timer can hit reliably.
      if (fiu_init(0) != 0 || fiu_enable(plan_.kill_point.c_str(), 1, nullptr, 0) != 0) {
        fail(kMarkerSetupFailed);
      }
    }
    target_ = fork_target(info_);
    if (!target_->open(*faults_, plan_.db_path, plan_.durability).is_ok()) fail(kMarkerUnexpected);
    if (!history_->record_open().is_ok() || !history_->commit().is_ok()) fail(kMarkerSetupFailed);
    std::vector<std::thread> threads;
    for (uint32_t t = 1; t < plan_.threads; ++t) threads.emplace_back([this] { drive(); });
    drive();
    for (std::thread& t : threads) t.join();
    std::lock_guard lock(mu_);
    if (outcome_ != kMarkerDone) fail(outcome_);
    if (!history_->record_sync_begin(oracle::SyncKind::kClose).is_ok()) fail(kMarkerSetupFailed);
    const Status closed = target_->close();
    if (!history_->record_sync_end(oracle::SyncKind::kClose, closed.is_ok()).is_ok() ||
        !history_->commit().is_ok()) {
      fail(kMarkerSetupFailed);
    }
    if (!closed.is_ok()) fail(kMarkerUnexpected);
    send(fd_, kMarkerDone);
    ::_exit(0);
  }

 private:
  // One writer thread. History and target calls are serialized by mu_: the
  // history numbers writes in the order they are issued, and that must be
  // the engine's order too (see the report: --threads exercises the
  // engine's locking, not concurrent group commit).
  void drive() {
    while (true) {
      std::lock_guard lock(mu_);
      if (next_ >= plan_.workload->steps.size() || outcome_ != kMarkerDone) return;
      const Step& step = plan_.workload->steps[next_++];
      if (step.fault && !faultfs::enable_fault(step.fault->op, step.fault->kind, true).is_ok()) {
        outcome_ = kMarkerSetupFailed;
        return;
      }
      const uint64_t fired_before = faults_->injected_total();
      const Status s = execute(step);
      if (step.fault) faultfs::disable_fault(step.fault->op);
      const bool fired = faults_->injected_total() > fired_before;
      if (fired) send(fd_, kMarkerFaultFired);
      if (!s.is_ok()) {
        // The engine's background threads (checkpoints, Lazy syncs) share the
        // file system: one of them may take a fault armed for an earlier step
        // and leave the engine read-only, so a later step fails with no fault
        // of its own. Any fault fired in this run explains the failure.
        // (A fault fired by this step is one of them.)
        const bool fired_in_run = faults_->injected_total() > 0;
        outcome_ = fired_in_run ? kMarkerFault : kMarkerUnexpected;
        return;
      }
    }
  }

  // Requires mu_. OK, or the target's error once it has been logged.
  Status execute(const Step& step) {
    switch (step.kind) {
      case StepKind::kWrite: {
        auto seq = history_->record_pending(step.write);
        if (!seq.is_ok()) fail(kMarkerSetupFailed);
        const Status s = target_->apply(step.write).status();
        if (!s.is_ok()) {
          if (!history_->record_failed(seq.value(), oracle::write_maybe_applied(s), s.to_string())
                   .is_ok() ||
              !history_->commit().is_ok()) {
            fail(kMarkerSetupFailed);
          }
          return s;
        }
        // Not committed here: the next pending record commits it, and the
        // parent restores acks a kill cut off from the pipe (one commit per
        // write instead of two).
        if (!history_->record_ack(seq.value()).is_ok()) fail(kMarkerSetupFailed);
        send(fd_, seq.value());
        return s;
      }
      case StepKind::kFlush:
      case StepKind::kReopen: {
        const auto kind =
            step.kind == StepKind::kFlush ? oracle::SyncKind::kFlush : oracle::SyncKind::kClose;
        // Uncommitted sync records lost to a kill only leave the bounds
        // looser (a completed sync the parent does not see raises nothing).
        if (!history_->record_sync_begin(kind).is_ok()) fail(kMarkerSetupFailed);
        Status s = step.kind == StepKind::kFlush ? target_->flush() : target_->close();
        if (!history_->record_sync_end(kind, s.is_ok()).is_ok()) fail(kMarkerSetupFailed);
        if (s.is_ok() && step.kind == StepKind::kReopen) {
          target_ = fork_target(info_);
          s = target_->open(*faults_, plan_.db_path, plan_.durability);
          if (s.is_ok() && !history_->record_open().is_ok()) fail(kMarkerSetupFailed);
        }
        return s;
      }
    }
    return Status(faultfs::ErrorCode::kInvalidArgument, "unknown step");
  }

  [[noreturn]] void fail(uint64_t marker) {
    // Whatever was logged is committed; the parent judges the directory.
    if (history_) history_->commit().ignore_error();  // Best effort: we are failing already.
    send(fd_, marker);
    ::_exit(0);
  }

  const oracle::TargetInfo& info_;
  const ForkPlan& plan_;
  const int fd_;
  std::unique_ptr<oracle::History> history_;
  std::unique_ptr<faultfs::Recorder> recorder_;
  std::unique_ptr<faultfs::FaultInjectionFs> faults_;
  std::unique_ptr<oracle::Target> target_;
  std::mutex mu_;
  size_t next_ = 0;
  uint64_t outcome_ = kMarkerDone;
};

}  // namespace

void run_fork_child(const oracle::TargetInfo& target, const ForkPlan& plan, int ack_fd) {
  Child child(target, plan, ack_fd);
  child.run();
}

}  // namespace torture::detail
