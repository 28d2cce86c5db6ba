// Judging one fork-mode kill cycle (fork_evidence.h).
#include <algorithm>
#include <cassert>
#include <filesystem>
#include <random>

#include "faultfs/status_macros.h"
#include "fork_child.h"
#include "fork_evidence.h"
#include "oracle/bounds.h"
#include "oracle/concurrent_isolation.h"
#include "oracle/history.h"
#include "save_finding.h"
#include "torture/fork_runner.h"
#include "torture/seeds.h"
#include "watchdog.h"

namespace torture::detail {

using faultfs::ErrorCode;
using faultfs::Result;
using faultfs::Status;
namespace fs = std::filesystem;

namespace {

constexpr size_t kForkImagesPerPolicy = 2;

struct ForkFinding {
  Judgement judgement;
  ForkEvidence evidence;
  std::string context;
};

// One cycle's judging: every judged state counts in `report`, and the first
// that fails is the finding (judging stops at it). `scope` names the state
// under recovery for the watchdog; it lives until the last judgement.
struct CycleJudging {
  const ForkJudging& in;
  Judge& judge;
  const oracle::HistorySummary summary;
  WorkloadReport& report;
  std::optional<ForkFinding> finding;
  std::optional<watchdog::Scope> scope;

  void note(const std::string& policy, Judgement j, std::optional<faultfs::CrashChoice> choice,
            std::string context) {
    ++report.crash_states;
    ++report.states_by_policy[policy];
    if (j.verdict.ok || finding) return;
    finding = ForkFinding{
        std::move(j),
        ForkEvidence{policy, in.cycle.db_path, std::move(choice), in.kill, in.cycle.threads},
        std::move(context)};
  }
};

// (a) The directory as the killed process left it: the OS kept every byte.
// Judged on a copy, so that the original stays evidence.
Status judge_as_left(CycleJudging* c) {
  const ForkJudging& in = c->in;
  const std::string copy = in.cycle.work + "/judged-db";
  std::error_code ec;
  if (fs::exists(in.cycle.db_path, ec)) {
    RETURN_IF_ERROR(copy_tree(in.cycle.db_path, copy));
  }
  c->scope.emplace("fork workload " + std::to_string(in.index) + ", " + in.kill +
                   ", directory as left");
  ASSIGN_OR_RETURN(auto judged,
                   c->judge.recover(faultfs::posix_file_system(), copy,
                                    oracle::compute_bounds(c->summary, in.durability,
                                                           oracle::CrashKind::kProcessKill),
                                    false));
  c->note(kPolicyKill, std::move(judged), std::nullopt,
          "fork child, " + in.kill + ": the directory as left (process kill)");
  return Status::ok();
}

// Up to kForkImagesPerPolicy distinct power-loss images of `base` under
// policy `i` of the campaign (one for drop, which has only one).
Status judge_policy_images(CycleJudging* c, faultfs::SimFs& base, size_t i) {
  const ForkJudging& in = c->in;
  const faultfs::CrashOptions crash{in.options.policies[i], in.options.fs_model,
                                    in.options.sector_bytes};
  const bool beyond = faultfs::is_beyond_contract(crash.policy);
  const oracle::Bounds bounds =
      beyond ? oracle::beyond_contract_bounds(c->summary, in.durability)
             : oracle::compute_bounds(c->summary, in.durability, oracle::CrashKind::kPowerLoss);
  std::mt19937_64 rng(derive_seed(in.workload.seed, streams::kForkPowerLoss, i));
  const size_t images = crash.policy == faultfs::CrashPolicy::kDrop ? 1 : kForkImagesPerPolicy;
  std::vector<faultfs::CrashChoice> seen;
  for (size_t k = 0; k < 2 * images && seen.size() < images && !c->finding; ++k) {
    faultfs::CrashChoice choice;
    std::unique_ptr<faultfs::SimFs> image = base.crash(crash, rng, &choice);
    if (std::find(seen.begin(), seen.end(), choice) != seen.end()) continue;
    seen.push_back(choice);
    c->scope.emplace("fork workload " + std::to_string(in.index) + ", " + in.kill + ", " +
                     choice.serialize());
    ASSIGN_OR_RETURN(auto j, c->judge.recover(*image, in.cycle.db_path, bounds, beyond));
    c->note(faultfs::crash_policy_name(crash.policy), std::move(j), choice,
            "fork child, " + in.kill + ": power loss " + faultfs::crash_policy_name(crash.policy) +
                " at the end of the trace");
  }
  assert(seen.size() <= images);
  return Status::ok();
}

// (b) A power loss at the moment of the kill, rebuilt from the trace.
Status judge_power_losses(CycleJudging* c) {
  const ForkJudging& in = c->in;
  ASSIGN_OR_RETURN(auto base, trace_state(in.cycle.trace_path, in.cycle.db_path));
  // Lost-file images here only delete: the trace keeps no earlier images.
  RETURN_IF_ERROR(base->set_lost_file_scope(in.cycle.db_path));
  for (size_t i = 0; i < in.options.policies.size() && !c->finding && !in.should_stop(); ++i) {
    RETURN_IF_ERROR(judge_policy_images(c, *base, i));
  }
  return Status::ok();
}

// The finding as an artifact, with the expected state the verdict names.
Result<Artifact> fork_finding_artifact(const ForkJudging& in, Judge& judge,
                                       const ForkFinding& finding) {
  const oracle::Verdict& verdict = finding.judgement.verdict;
  assert(!verdict.ok || !finding.judgement.error.empty());
  Artifact a =
      campaign_artifact(in.options, in.target, kModeFork, in.index, in.workload, in.durability);
  a.crash.policy = finding.evidence.policy;
  a.fork = finding.evidence;
  a.kind = verdict.kind ? oracle::violation_kind_name(*verdict.kind) : "unexpected_error";
  // A named kill point is the crash site (it names its file); a timed kill
  // has none to name.
  a.crash_op = in.kill.rfind("kill point ", 0) == 0 ? in.kill : "sigkill";
  a.verdict = verdict.to_string();
  a.context = finding.context;
  a.error = finding.judgement.error;
  a.recovered = finding.judgement.recovered;
  if (verdict.kind && finding.evidence.policy != kPolicyIsolation) {
    ASSIGN_OR_RETURN(auto expected, judge.state_at(verdict.p));
    a.expected = std::move(expected);
  }
  return a;
}

// Saves the artifact, then the fork evidence beside it: the log, the trace
// and the directory as the child left it. `history` is closed first.
Result<reports::Violation> save_fork_finding(const ForkJudging& in, Artifact a,
                                             const oracle::Verdict& verdict,
                                             const std::string& policy,
                                             std::unique_ptr<oracle::History> history) {
  // Closing the log folds its WAL into history.db: one self-contained file.
  history.reset();
  ASSIGN_OR_RETURN(auto v, save_finding(in.options, std::move(a), verdict, 0, policy));
  const fs::path dir = fs::path(in.options.report_dir) / v.artifact;
  std::error_code ec;
  fs::copy_file(in.cycle.history_path, dir / kHistoryFile, ec);
  // The transactions' events: what an isolation finding is judged from.
  if (!ec) fs::copy_file(in.cycle.work + "/" + kIssuedLogFile, dir / kIssuedLogFile, ec);
  // A child killed before it created its trace leaves none (replay: empty).
  if (!ec && fs::exists(in.cycle.trace_path)) {
    fs::copy_file(in.cycle.trace_path, dir / kTraceFile, ec);
  }
  if (ec) {
    return Status(ErrorCode::kIoError,
                  "cannot save fork evidence in " + dir.string() + ": " + ec.message());
  }
  if (fs::exists(in.cycle.db_path, ec)) {
    RETURN_IF_ERROR(copy_tree(in.cycle.db_path, (dir / kDirFolder).string()));
  }
  return v;
}

}  // namespace

Result<WorkloadReport> judge_fork_cycle(const ForkJudging& in,
                                        std::unique_ptr<oracle::History> history,
                                        WorkloadReport report) {
  assert(history != nullptr);
  RETURN_IF_ERROR(history->commit());
  Judge judge(in.target, in.durability, *history);
  // The transactions the threads ran: judged first (they need no recovery),
  // and the record that names a dirty value in a recovered state.
  judge.set_transactions(&in.transactions.record);
  CycleJudging c{in, judge, history->summary(), report, std::nullopt, std::nullopt};
  if (const auto& isolation = in.transactions.finding) {
    Judgement j;
    j.verdict.kind = isolation->kind;
    j.verdict.evidence = isolation->evidence;
    c.finding =
        ForkFinding{std::move(j),
                    ForkEvidence{kPolicyIsolation, in.cycle.db_path, {}, in.kill, in.cycle.threads},
                    "fork child's transactions, " + in.kill};
  } else if (in.marker == kMarkerUnexpected) {
    Judgement j;
    j.error = "an operation failed in the child with no fault injected";
    c.finding =
        ForkFinding{std::move(j),
                    ForkEvidence{kPolicyWorkload, in.cycle.db_path, {}, in.kill, in.cycle.threads},
                    "fork child, " + in.kill};
  } else {
    RETURN_IF_ERROR(judge_as_left(&c));
    RETURN_IF_ERROR(judge_power_losses(&c));
  }
  c.scope.reset();  // Judging is over: nothing below recovers a state.
  if (!c.finding) return report;
  ASSIGN_OR_RETURN(auto a, fork_finding_artifact(in, judge, *c.finding));
  ASSIGN_OR_RETURN(auto v, save_fork_finding(in, std::move(a), c.finding->judgement.verdict,
                                             c.finding->evidence.policy, std::move(history)));
  report.violations.push_back(std::move(v));
  return report;
}

}  // namespace torture::detail
