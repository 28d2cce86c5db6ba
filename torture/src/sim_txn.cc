// SimRun's transaction steps: each action runs on the target's open
// transaction in its slot, and the isolation judge checks every read and
// every commit against the history's model as it happens (oracle/isolation.h).
// A commit is logged like a write (pending before the target's commit, then
// acknowledged, refused or failed), so the crash checker judges it in every
// recovered state like any other write.
#include <cassert>
#include <string>

#include "faultfs/status_macros.h"
#include "sim_run.h"

namespace torture::detail {

using faultfs::ErrorCode;
using faultfs::Status;

Status SimRun::run_txn(const TxnStep& t, Status* op_error) {
  assert(t.slot < kTxnSlotsMax);
  // A workload drawn for a target with transactions, replayed on one
  // without: the steps are skipped (the others still mean what they did).
  if (!target_info_.capabilities.transactions) return Status::ok();
  std::unique_ptr<targets::TargetTransaction>& txn = txns_[t.slot];
  // Skipped unless its slot's transaction is open (a begin: unless closed).
  if ((t.action == TxnAction::kBegin) == (txn != nullptr)) return Status::ok();
  switch (t.action) {
    case TxnAction::kBegin: {
      auto begun = target_->begin_transaction();
      *op_error = begun.status();
      if (!op_error->is_ok()) return Status::ok();
      txn = std::move(begun).value();
      isolation_->begin(t.slot, "the transaction begun at step " + std::to_string(current_step_));
      return Status::ok();
    }
    case TxnAction::kGet: {
      auto got = txn->get(t.op.table, t.op.key);
      *op_error = got.status();
      if (!op_error->is_ok()) return Status::ok();
      ASSIGN_OR_RETURN(auto finding, isolation_->read(t.slot, t.op.table, t.op.key, got.value()));
      return isolation_finding(finding, "txn get");
    }
    case TxnAction::kWrite:
      *op_error = txn->write(t.op);
      if (op_error->is_ok()) isolation_->write(t.slot, t.op);
      return Status::ok();
    case TxnAction::kCommit:
      return commit_txn(t.slot, op_error);
    case TxnAction::kRollback:
      *op_error = txn->rollback();
      txn.reset();
      ++result_.transaction_outcomes["rolled_back"];
      isolation_->aborted(t.slot);
      return Status::ok();
  }
  return Status(ErrorCode::kInvalidArgument, "unknown transaction action");
}

Status SimRun::commit_txn(uint32_t slot, Status* op_error) {
  std::unique_ptr<targets::TargetTransaction>& txn = txns_[slot];
  assert(txn != nullptr && isolation_->is_open(slot));
  uint64_t seq = 0;
  // Pending before the target commits: a commit it may have persisted is a
  // candidate in every crash state from here on.
  if (!isolation_->writes(slot).empty()) {
    ASSIGN_OR_RETURN(auto pending, history_->record_pending(isolation_->writes(slot)));
    seq = pending;
  }
  auto committed = txn->commit();
  txn.reset();
  if (committed.is_ok()) {
    if (seq > 0) RETURN_IF_ERROR(history_->record_ack(seq));
    ++result_.transaction_outcomes["committed"];
    ASSIGN_OR_RETURN(auto finding, isolation_->committed(slot, seq));
    return isolation_finding(finding, "txn commit");
  }
  const Status& error = committed.status();
  if (error.code() == ErrorCode::kConflict) {
    // Refused, nothing stored: an outcome of the workload, not a failure.
    if (seq > 0) RETURN_IF_ERROR(history_->record_failed(seq, false, error.to_string()));
    ++result_.transaction_outcomes["conflicted"];
    ASSIGN_OR_RETURN(auto finding, isolation_->conflicted(slot, seq));
    return isolation_finding(finding, "txn commit");
  }
  *op_error = error;
  const bool maybe = targets::write_maybe_applied(error);
  if (seq > 0) RETURN_IF_ERROR(history_->record_failed(seq, maybe, error.to_string()));
  if (maybe) {
    isolation_->commit_failed(slot, seq);
  } else {
    isolation_->aborted(slot);
  }
  return Status::ok();
}

Status SimRun::isolation_finding(const std::optional<oracle::IsolationFinding>& finding,
                                 const char* op) {
  if (!finding) return Status::ok();
  return record_live(kPolicyIsolation, finding->kind, finding->evidence, op, "");
}

void SimRun::end_transactions() {
  for (uint32_t slot = 0; slot < kTxnSlotsMax; ++slot) {
    if (txns_[slot] == nullptr) continue;
    txns_[slot].reset();  // Rolls back.
    ++result_.transaction_outcomes["lost"];
    if (isolation_ && isolation_->is_open(slot)) isolation_->aborted(slot);
  }
}

void SimRun::reset_target() {
  end_transactions();
  target_.reset();
}

}  // namespace torture::detail
