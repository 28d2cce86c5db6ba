#include "sim_run.h"

#include <cassert>

#include "faultfs/status_macros.h"
#include "oracle/bounds.h"
#include "torture/seeds.h"

namespace torture {

using faultfs::ErrorCode;
using faultfs::Result;
using faultfs::Status;

namespace detail {

namespace {

// Arms a step's fault for the lifetime of the guard (libfiu state is
// process-wide; a worker runs one workload at a time).
class ArmedFault {
 public:
  explicit ArmedFault(const std::optional<IoFault>& fault) : fault_(fault) {}
  [[nodiscard]] Status arm() {
    if (!fault_) return Status::ok();
    RETURN_IF_ERROR(faultfs::fiu_initialize());
    return faultfs::enable_fault(fault_->op, fault_->kind, /*once=*/true);
  }
  void disarm() {
    if (fault_) faultfs::disable_fault(fault_->op);
  }
  ~ArmedFault() { disarm(); }

 private:
  const std::optional<IoFault>& fault_;
};

}  // namespace

SimRun::SimRun(const targets::TargetInfo& target, const Workload& workload,
               const SimSettings& settings, const SimControl& control)
    : target_info_(target),
      workload_(workload),
      settings_(settings),
      control_(control),
      tuning_(workload_tuning(workload)),
      sample_rng_(derive_seed(workload.seed, streams::kSimSample)) {
  assert(settings.images_per_policy >= 1);
  assert(settings.findings_max >= 1);
}

SimRun::~SimRun() {
  // The handle closes on the file system it was opened on, before that goes.
  reset_target();
  if (fs_) fs_->set_op_hook(nullptr);
}

bool SimRun::done() const {
  return result_.stopped_early || result_.findings.size() >= settings_.findings_max;
}

std::string SimRun::step_context(uint64_t step) const {
  if (step == 0) return "step 0 (first open)";
  if (step > workload_.steps.size()) return "step " + std::to_string(step) + " (final reopen)";
  return "step " + std::to_string(step) + " (" + describe_step(workload_.steps[step - 1]) + ")";
}

Result<SimResult> SimRun::run() {
  Status s = start();
  for (size_t i = 0; s.is_ok() && !done() && target_ && i < workload_.steps.size(); ++i) {
    s = run_step(i);
    if (s.is_ok() && !done() && target_) s = check_nonces(false);
  }
  if (s.is_ok() && !done() && target_) {
    // The final clean shutdown and its recovery.
    current_step_ = workload_.steps.size() + 1;
    Status op_error;
    s = close_target(&op_error);
    if (s.is_ok()) s = drain(current_step_);
    const bool faulted_since_open = faults_->injected_total() != faults_at_open_;
    if (s.is_ok() && !op_error.is_ok() && !faulted_since_open) {
      s = finish_unexpected(op_error, current_step_, "final close");
    } else if (s.is_ok() && !op_error.is_ok()) {
      // A fault fired in this handle's background work (a checkpoint) left it
      // read-only, so close could not make the tail durable: recover as after
      // an I/O error, where nothing acknowledged before it may be lost.
      reset_target();
      s = open_and_judge(kPolicyIoError, current_step_, oracle::CrashKind::kPowerLoss, false);
    } else if (s.is_ok()) {
      s = open_and_judge(kPolicyReopen, current_step_, oracle::CrashKind::kPowerLoss, false);
    }
  }
  if (s.is_ok() && !done() && target_) s = check_nonces(true);
  if (!s.is_ok()) return s;
  result_.sealed_items_seen = nonces_.items_seen();
  result_.sealed_pairs = nonces_.pairs();
  if (faults_) result_.io_faults_fired = faults_fired_earlier_ + faults_->injected_total();
  result_.memo_hits = judge_ ? judge_->memo_hits() : 0;
  result_.explore = explore_.counts();
  if (judge_) result_.recovery_outcomes = judge_->recovery_outcomes();
  return std::move(result_);
}

Status SimRun::start() {
  ASSIGN_OR_RETURN(auto history, oracle::History::open(":memory:"));
  history_ = std::move(history);
  if (settings_.durability == targets::Durability::kLazy) {
    // No slack on the virtual clock (oracle/bounds.h): background work runs
    // at every instant the run lets writes happen.
    const std::chrono::nanoseconds window = tuning_.sync_interval;
    RETURN_IF_ERROR(history_->set_lazy_window(window.count()));
  }
  judge_ = std::make_unique<Judge>(target_info_, settings_.durability, *history_, tuning_);
  isolation_ = std::make_unique<oracle::IsolationJudge>(*history_);
  judge_->set_transactions(&isolation_->record());
  fs_ = std::make_unique<faultfs::SimFs>();
  // Before any fault layer and crash point: the directory is the harness's,
  // durable before the target's first operation.
  RETURN_IF_ERROR(targets::prepare_database_dir(target_info_, *fs_, kSimDbDir));
  // Lost-file crashes lose a path of the database, restored from these.
  RETURN_IF_ERROR(fs_->set_lost_file_scope(kSimDbDir));
  fs_->keep_earlier_images(kEarlierImagesMax);
  faults_ = std::make_unique<faultfs::FaultInjectionFs>(*fs_);
  fs_->set_op_hook([this](const faultfs::OpEvent& e) { on_op(e); });
  collecting_ = true;
  current_step_ = 0;
  target_ = make_target(target_info_, tuning_);
  const Status opened = target_->open(*faults_, kSimDbDir, settings_.durability);
  faults_at_open_ = faults_->injected_total();
  RETURN_IF_ERROR(drain(0));
  if (!opened.is_ok()) return finish_unexpected(opened, 0, "open of an empty directory");
  return history_->record_open();
}

Status SimRun::run_step(size_t index) {
  const Step& step = workload_.steps[index];
  current_step_ = index + 1;
  ArmedFault fault(step.fault);
  RETURN_IF_ERROR(fault.arm());
  const uint64_t fired_before = faults_->injected_total();
  faults_before_step_ = fired_before;
  if (step.kind == StepKind::kCrash) return next_generation(current_step_, step);
  Status op_error;
  Status s = execute(step, &op_error);
  fault.disarm();
  if (!s.is_ok()) return s;
  const bool fired = faults_->injected_total() > fired_before;
  s = drain(current_step_);
  if (!s.is_ok() || done()) return s;
  if (op_error.is_ok()) {
    if (step.kind != StepKind::kReopen) return Status::ok();
    return open_and_judge(kPolicyReopen, current_step_, oracle::CrashKind::kPowerLoss, fired);
  }
  if (!fired && faults_->injected_total() == faults_at_open_) {
    return finish_unexpected(op_error, current_step_, std::string(step_kind_name(step.kind)));
  }
  // An injected fault, in this step or in an earlier one's background work:
  // the handle is done for (a failed sync may have
  // dropped data); recover as after a power loss, as SQLite's I/O-error
  // tests do: nothing acknowledged before the error may be lost.
  reset_target();
  s = open_and_judge(kPolicyIoError, current_step_, oracle::CrashKind::kPowerLoss, false);
  if (!s.is_ok() || step.kind != StepKind::kWait) return s;
  // The wait's time did pass: later acknowledgements are dated after it.
  return history_->set_clock(clock_.count());
}

Status SimRun::execute(const Step& step, Status* op_error) {
  switch (step.kind) {
    case StepKind::kWrite: {
      ASSIGN_OR_RETURN(auto seq, history_->record_pending(step.write));
      auto applied = target_->apply(step.write);
      *op_error = applied.status();
      if (op_error->is_ok()) return history_->record_ack(seq);
      return history_->record_failed(seq, targets::write_maybe_applied(*op_error),
                                     op_error->to_string());
    }
    case StepKind::kFlush: {
      // A promise the target does not make is no bound (TargetCapabilities).
      if (!target_info_.capabilities.checkpoint) {
        *op_error = target_->flush();
        return Status::ok();
      }
      RETURN_IF_ERROR(history_->record_sync_begin(oracle::SyncKind::kFlush));
      *op_error = target_->flush();
      return history_->record_sync_end(oracle::SyncKind::kFlush, op_error->is_ok());
    }
    case StepKind::kReopen:
      return close_target(op_error);
    case StepKind::kCrash:  // run_step() runs it: it replaces the file system.
      return Status(ErrorCode::kInvalidArgument, "a crash step is not an operation");
    case StepKind::kTxn:
      return run_txn(step.txn, op_error);
    case StepKind::kWait: {
      // The background work runs before the history's clock moves: a crash
      // inside it is dated at the instant before (oracle/bounds.h).
      clock_ += std::chrono::milliseconds(step.wait_ms);
      *op_error = target_->background(clock_);
      // A failed background sync kept Lazy's promise from being kept: the
      // writes it was to make durable must not age. run_step() moves the
      // history's clock once the recovery has discarded what was lost.
      if (!op_error->is_ok()) return Status::ok();
      return history_->set_clock(clock_.count());
    }
  }
  return Status(ErrorCode::kInvalidArgument, "unknown step kind");
}

Status SimRun::close_target(Status* op_error) {
  end_transactions();
  if (!target_info_.capabilities.close_syncs) {
    *op_error = target_->close();
    reset_target();
    return Status::ok();
  }
  RETURN_IF_ERROR(history_->record_sync_begin(oracle::SyncKind::kClose));
  *op_error = target_->close();
  Status s = history_->record_sync_end(oracle::SyncKind::kClose, op_error->is_ok());
  reset_target();
  return s;
}

Status SimRun::open_and_judge(const char* policy, uint64_t step, oracle::CrashKind kind,
                              bool retry_on_fault) {
  const oracle::Bounds bounds =
      oracle::compute_bounds(history_->summary(), settings_.durability, kind);
  crash_op_ = "open";
  crash_file_ = kSimDbDir;
  CrashSpec spec;
  spec.policy = policy;
  spec.step = step;
  if (control_.only != nullptr && control_.inspect_image && wanted(spec)) {
    control_.inspect_image(*faults_, kSimDbDir);
  }
  if (control_.recovering && wanted(spec)) control_.recovering(&spec, crash_op_, crash_file_);
  target_ = make_target(target_info_, tuning_);
  Status opened = target_->open(*faults_, kSimDbDir, settings_.durability);
  if (!opened.is_ok() && retry_on_fault) {
    // The step's fault hit the recovery itself: an honest error; the fault
    // is disarmed by now, so a second open must succeed.
    target_ = make_target(target_info_, tuning_);
    opened = target_->open(*faults_, kSimDbDir, settings_.durability);
  }
  faults_at_open_ = faults_->injected_total();
  opened_since_nonce_check_ = true;
  if (control_.recovering) control_.recovering(nullptr, {}, {});
  Judgement judgement;
  if (opened.is_ok()) {
    judge_->count_recovery(*target_);
    RETURN_IF_ERROR(history_->record_open());
    auto state = target_->read_all();
    if (state.is_ok()) {
      ASSIGN_OR_RETURN(auto judged, judge_->check_state(bounds, std::move(state).value()));
      judgement = std::move(judged);
    } else {
      judgement.verdict = oracle::Checker(*history_).check_unreadable(bounds, state.status());
      judgement.error = "read_all: " + state.status().to_string();
    }
  } else {
    judgement.verdict = oracle::Checker(*history_).check_unreadable(bounds, opened);
    judgement.error = "open: " + opened.to_string();
  }
  // The recovery's own crash points are judged against the history as it
  // was, before record_recovered() below may discard writes.
  Status s = drain(step);
  if (!s.is_ok()) return s;
  crash_op_ = "open";  // drain() set it to the recovery's own crash points.
  crash_file_ = kSimDbDir;
  RETURN_IF_ERROR(record(spec, judgement, step_context(step)));
  if (!judgement.verdict.ok) {
    reset_target();  // Nothing sound to continue from.
    return Status::ok();
  }
  judge_->invalidate();
  return history_->record_recovered(judgement.verdict.p);
}

Status SimRun::finish_unexpected(const Status& error, uint64_t step, const std::string& what) {
  assert(!error.is_ok());
  reset_target();
  crash_op_ = what;
  crash_file_ = kSimDbDir;
  CrashSpec spec;
  spec.policy = kPolicyWorkload;
  spec.step = step;
  Judgement judgement;
  judgement.verdict.ok = false;
  judgement.error = what + " failed with no fault injected: " + error.to_string();
  return record(spec, judgement, step_context(step));
}

}  // namespace detail

Result<SimResult> run_sim(const targets::TargetInfo& target, const Workload& workload,
                          const SimSettings& settings, const SimControl& control) {
  detail::SimRun run(target, workload, settings, control);
  return run.run();
}

}  // namespace torture
