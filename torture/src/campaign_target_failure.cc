// A worker the target killed or hung: its finding, built in the parent from
// the workload index and the crash state the worker's watchdog slot names.
#include <signal.h>

#include <cstring>

#include "campaign_pool.h"
#include "faultfs/status_macros.h"
#include "replay_internal.h"
#include "save_finding.h"
#include "torture/artifact.h"
#include "torture/fork_runner.h"

namespace torture {

using faultfs::Result;

namespace {

std::string signal_name(int signo) {
  const char* name = ::sigabbrev_np(signo);
  const char* text = ::strsignal(signo);
  return std::string("SIG") + (name != nullptr ? name : std::to_string(signo)) + " (" +
         (text != nullptr ? text : "unknown signal") + ")";
}

// Where the worker was: the crash state when the sim mode noted one.
std::string where(const watchdog::SlotView& slot) {
  if (slot.spec) return describe_crash(*slot.spec);
  if (!slot.what.empty()) return slot.what;
  return "outside any recovery the harness tracks";
}

}  // namespace

Result<WorkloadReport> target_failure_report(const CampaignOptions& options,
                                             const targets::TargetInfo& target,
                                             const watchdog::SlotView& slot, bool hung, int signo) {
  const uint64_t index = slot.workload;
  WorkloadReport report;
  report.index = index;
  report.mode = workload_mode(options, index);
  report.durability = targets::durability_name(workload_durability(options, index));
  report.complete = false;
  // The states judged before the one the target died in (their verdicts
  // went with the worker: they passed, or the workload would have stopped).
  report.crash_states = slot.recoveries > 0 ? slot.recoveries - 1 : 0;
  Artifact a = campaign_artifact(options, target, report.mode, index,
                                 campaign_workload(options, target, index),
                                 workload_durability(options, index));
  a.kind = hung ? kKindTargetHung : kKindTargetCrashed;
  std::string policy = kPolicyWorkload;
  if (slot.spec) {
    a.crash = *slot.spec;
    policy = slot.spec->policy;
  }
  if (a.mode == kModeFork) {
    // Nothing of the killed cycle is left to rebuild; the workload and its
    // index are the evidence (the campaign's workload reruns it).
    policy = kPolicyKill;
    a.crash.policy = policy;
    a.fork = ForkEvidence{policy, "", std::nullopt, slot.what};
  }
  a.crash_op = slot.busy ? slot.op : "workload";
  if (a.crash_op.empty()) a.crash_op = a.mode == kModeFork ? "fork recovery" : "recovery";
  a.crash_file = slot.file;
  if (hung) {
    a.context = "a recovery ran longer than " + std::to_string(watchdog::recovery_seconds_max()) +
                " s and was killed: " + where(slot);
    a.error = "hung";
  } else {
    a.context = "the target died of " + signal_name(signo) + ": " + where(slot);
    a.error = signal_name(signo);
  }
  a.verdict = a.kind + ": " + a.context;
  ASSIGN_OR_RETURN(auto v, save_finding(options, std::move(a), oracle::Verdict{}, 0, policy));
  report.violations.push_back(std::move(v));
  return report;
}

}  // namespace torture
