// Replaying a fork-mode artifact from its saved evidence: the child's oracle
// log (history.db) and either the directory as left (dir/) or the trace
// (trace.bin) with the recorded crash choice.
#include <filesystem>

#include "faultfs/status_macros.h"
#include "fork_evidence.h"
#include "fork_issued_log.h"
#include "oracle/bounds.h"
#include "oracle/concurrent_isolation.h"
#include "oracle/history.h"
#include "replay_internal.h"
#include "torture/fork_runner.h"
#include "torture/image_dump.h"

namespace torture {

using faultfs::ErrorCode;
using faultfs::Result;
using faultfs::Status;
namespace fs = std::filesystem;

namespace {

// The power-loss image a fork artifact names: rebuilt from its saved trace
// with its recorded choice. kCorruption when the evidence does not fit.
Result<std::unique_ptr<faultfs::SimFs>> power_loss_image(const Artifact& a, const fs::path& saved) {
  const ForkEvidence& f = *a.fork;
  auto policy = faultfs::parse_crash_policy(f.policy);
  if (!policy.is_ok() || !f.choice) {
    return Status(ErrorCode::kCorruption,
                  "artifact: fork policy '" + f.policy + "' is not a crash policy with a choice");
  }
  auto base = detail::trace_state((saved / kTraceFile).string(), f.db_path);
  if (!base.is_ok()) {
    return Status(ErrorCode::kCorruption, "artifact: bad trace.bin: " + base.status().message());
  }
  const faultfs::CrashOptions options{policy.value(), a.fs_model, a.sector_bytes};
  auto image = base.value()->crash_with(options, *f.choice);
  if (!image.is_ok()) {
    return Status(ErrorCode::kCorruption,
                  "artifact: the choice does not fit the trace: " + image.status().message());
  }
  return image;
}

Result<ReplayOutcome> judge_saved(const Artifact& a, const targets::TargetInfo& target,
                                  const fs::path& saved, const std::string& work) {
  const ForkEvidence& f = *a.fork;
  if (f.policy == kPolicyWorkload) {
    // The child's own operation failed: only a new run can tell; re-judging
    // the log says nothing. Report it as still failing, with the reason.
    ReplayOutcome out;
    out.still_fails = true;
    out.kind = a.kind;
    out.verdict = "an operation failed in the fork child with no fault injected (" + a.error + ")";
    out.context = a.context;
    return out;
  }
  if (f.policy == kPolicyIsolation) {
    // The threads' transactions, judged again from the saved issued log.
    ASSIGN_OR_RETURN(auto events, detail::read_txn_events((saved / kIssuedLogFile).string()));
    const auto finding = oracle::judge_concurrent_isolation(events).finding;
    ReplayOutcome out;
    out.still_fails = finding.has_value();
    if (finding) out.kind = oracle::violation_kind_name(finding->kind);
    out.verdict = finding ? "violation " + out.kind + "\n  evidence: " + finding->evidence
                          : "ok: the transactions' log shows no isolation anomaly";
    out.context = a.context;
    return out;
  }
  std::error_code ec;
  // SQLite may write to the log it opens (recovery, schema): work on a copy.
  fs::copy_file(saved / kHistoryFile, fs::path(work) / kHistoryFile, ec);
  if (ec) return Status(ErrorCode::kCorruption, "artifact: history.db missing or unreadable");
  auto history = oracle::History::open((fs::path(work) / kHistoryFile).string());
  if (!history.is_ok()) {
    return Status(ErrorCode::kCorruption,
                  "artifact: bad history.db: " + history.status().message());
  }
  Judge judge(target, a.durability, *history.value());
  const oracle::HistorySummary summary = history.value()->summary();
  Result<Judgement> judged = Status(ErrorCode::kInvalidArgument, "unjudged");
  if (f.policy == kPolicyKill) {
    const std::string copy = work + "/judged-db";
    if (fs::exists(saved / kDirFolder, ec)) {
      RETURN_IF_ERROR(detail::copy_tree((saved / kDirFolder).string(), copy));
    }
    judged = judge.recover(
        faultfs::posix_file_system(), copy,
        oracle::compute_bounds(summary, a.durability, oracle::CrashKind::kProcessKill), false);
  } else {
    ASSIGN_OR_RETURN(auto image, power_loss_image(a, saved));
    const bool beyond = faultfs::is_beyond_contract(faultfs::parse_crash_policy(f.policy).value());
    judged = judge.recover(
        *image, f.db_path,
        beyond ? oracle::beyond_contract_bounds(summary, a.durability)
               : oracle::compute_bounds(summary, a.durability, oracle::CrashKind::kPowerLoss),
        beyond);
  }
  if (!judged.is_ok()) return judged.status();
  ReplayOutcome out;
  out.still_fails = !judged->verdict.ok;
  if (judged->verdict.kind) out.kind = oracle::violation_kind_name(*judged->verdict.kind);
  out.verdict = judged->verdict.to_string();
  if (!judged->error.empty()) out.verdict += "\n  error: " + judged->error;
  out.context = a.context;
  out.recovered = judged->recovered;
  return out;
}

}  // namespace

Status dump_fork_image(const Artifact& a, const std::string& artifact_dir,
                       const std::string& out_dir) {
  if (!a.fork) return Status(ErrorCode::kCorruption, "artifact: fork evidence missing");
  const ForkEvidence& f = *a.fork;
  const fs::path saved(artifact_dir);
  if (f.policy == kPolicyKill) {
    // The directory as the child left it (none: it died before creating it).
    return write_tree(faultfs::posix_file_system(), (saved / kDirFolder).string(), out_dir);
  }
  ASSIGN_OR_RETURN(auto image, power_loss_image(a, saved));
  return write_tree(*image, f.db_path, out_dir);
}

Result<ReplayOutcome> replay_fork_artifact(const Artifact& artifact,
                                           const targets::TargetInfo& target,
                                           const std::string& artifact_dir) {
  if (!artifact.fork) return Status(ErrorCode::kCorruption, "artifact: fork evidence missing");
  ASSIGN_OR_RETURN(auto work, detail::make_work_dir("replay"));
  auto out = judge_saved(artifact, target, fs::path(artifact_dir), work);
  detail::remove_work_dir(work);
  return out;
}

}  // namespace torture
