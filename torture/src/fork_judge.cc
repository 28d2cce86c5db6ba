// Judging one fork-mode kill cycle (fork_evidence.h).
#include <algorithm>
#include <filesystem>
#include <random>

#include "fork_child.h"
#include "fork_evidence.h"
#include "oracle/bounds.h"
#include "oracle/history.h"
#include "save_finding.h"
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

}  // namespace

Result<WorkloadReport> judge_fork_cycle(const CampaignOptions& options,
                                        const oracle::TargetInfo& target, uint64_t index,
                                        const Workload& workload, oracle::Durability durability,
                                        const ForkCycle& cycle, const std::string& kill,
                                        uint64_t marker, const std::vector<uint64_t>& acked,
                                        const std::function<bool()>& should_stop,
                                        WorkloadReport report) {
  auto history = oracle::History::open(cycle.history_path);
  if (!history.is_ok()) return history.status();
  for (const uint64_t seq : acked) {
    // The child sent each ack after the write returned success, and after
    // logging it; a kill may have cut the uncommitted tail of that log.
    if (seq <= history.value()->summary().last_acked) continue;
    Status s = history.value()->record_ack(seq);
    if (!s.is_ok()) return s;
  }
  Status committed = history.value()->commit();
  if (!committed.is_ok()) return committed;
  const oracle::HistorySummary summary = history.value()->summary();
  Judge judge(target, durability, *history.value());
  std::optional<ForkFinding> finding;
  const auto note = [&](const std::string& policy, Judgement j,
                        std::optional<faultfs::CrashChoice> choice, std::string context) {
    ++report.crash_states;
    ++report.states_by_policy[policy];
    if (j.verdict.ok || finding) return;
    finding =
        ForkFinding{std::move(j), ForkEvidence{policy, cycle.db_path, std::move(choice), kill},
                    std::move(context)};
  };
  if (marker == kMarkerUnexpected) {
    Judgement j;
    j.error = "an operation failed in the child with no fault injected";
    finding = ForkFinding{std::move(j), ForkEvidence{kPolicyWorkload, cycle.db_path, {}, kill},
                          "fork child, " + kill};
  } else {
    // (a) The directory as the killed process left it: the OS kept every byte.
    const std::string copy = cycle.work + "/judged-db";
    std::error_code ec;
    if (fs::exists(cycle.db_path, ec)) {
      Status s = copy_tree(cycle.db_path, copy);
      if (!s.is_ok()) return s;
    }
    std::optional<watchdog::Scope> scope;
    scope.emplace("fork workload " + std::to_string(index) + ", " + kill + ", directory as left");
    auto judged = judge.recover(
        faultfs::posix_file_system(), copy,
        oracle::compute_bounds(summary, durability, oracle::CrashKind::kProcessKill), false);
    if (!judged.is_ok()) return judged.status();
    note(kPolicyKill, std::move(judged).value(), std::nullopt,
         "fork child, " + kill + ": the directory as left (process kill)");
    // (b) A power loss at the moment of the kill, rebuilt from the trace.
    auto base = trace_state(cycle.trace_path, cycle.db_path);
    if (!base.is_ok()) return base.status();
    // Lost-file images here only delete: the trace keeps no earlier images.
    Status scoped = base.value()->set_lost_file_scope(cycle.db_path);
    if (!scoped.is_ok()) return scoped;
    const oracle::Bounds power =
        oracle::compute_bounds(summary, durability, oracle::CrashKind::kPowerLoss);
    const oracle::Bounds damaged = oracle::beyond_contract_bounds(summary, durability);
    for (size_t i = 0; i < options.policies.size() && !finding && !should_stop(); ++i) {
      const faultfs::CrashOptions crash{options.policies[i], options.dir_mode,
                                        options.sector_bytes};
      std::mt19937_64 rng(derive_seed(workload.seed, 0xb, i));
      const size_t images = crash.policy == faultfs::CrashPolicy::kDrop ? 1 : kForkImagesPerPolicy;
      std::vector<faultfs::CrashChoice> seen;
      for (size_t k = 0; k < 2 * images && seen.size() < images && !finding; ++k) {
        faultfs::CrashChoice choice;
        std::unique_ptr<faultfs::SimFs> image = base.value()->crash(crash, rng, &choice);
        if (std::find(seen.begin(), seen.end(), choice) != seen.end()) continue;
        seen.push_back(choice);
        scope.emplace("fork workload " + std::to_string(index) + ", " + kill + ", " +
                      choice.serialize());
        const bool beyond = faultfs::is_beyond_contract(crash.policy);
        auto j = judge.recover(*image, cycle.db_path, beyond ? damaged : power, beyond);
        if (!j.is_ok()) return j.status();
        note(faultfs::crash_policy_name(crash.policy), std::move(j).value(), choice,
             "fork child, " + kill + ": power loss " + faultfs::crash_policy_name(crash.policy) +
                 " at the end of the trace");
      }
    }
  }
  if (!finding) return report;
  const oracle::Verdict& verdict = finding->judgement.verdict;
  Artifact a = campaign_artifact(options, target, kModeFork, index, workload, durability);
  a.crash.policy = finding->evidence.policy;
  a.fork = finding->evidence;
  a.kind = verdict.kind ? oracle::violation_kind_name(*verdict.kind) : "unexpected_error";
  // A named kill point is the crash site (it names its file); a timed kill
  // has none to name.
  a.crash_op = kill.rfind("kill point ", 0) == 0 ? kill : "sigkill";
  a.verdict = verdict.to_string();
  a.context = finding->context;
  a.error = finding->judgement.error;
  a.recovered = finding->judgement.recovered;
  if (verdict.kind) {
    auto expected = judge.state_at(verdict.p);
    if (!expected.is_ok()) return expected.status();
    a.expected = std::move(expected).value();
  }
  // Closing the log folds its WAL into history.db: one self-contained file.
  history.value().reset();
  auto v = save_finding(options, std::move(a), verdict, 0, finding->evidence.policy);
  if (!v.is_ok()) return v.status();
  const fs::path dir = fs::path(options.report_dir) / v->artifact;
  std::error_code ec;
  fs::copy_file(cycle.history_path, dir / kHistoryFile, ec);
  // A child killed before it created its trace leaves none (replay: empty).
  if (!ec && fs::exists(cycle.trace_path)) fs::copy_file(cycle.trace_path, dir / kTraceFile, ec);
  if (ec) {
    return Status(ErrorCode::kIoError,
                  "cannot save fork evidence in " + dir.string() + ": " + ec.message());
  }
  if (fs::exists(cycle.db_path, ec)) {
    Status s = copy_tree(cycle.db_path, (dir / kDirFolder).string());
    if (!s.is_ok()) return s;
  }
  report.violations.push_back(std::move(v).value());
  return report;
}

}  // namespace torture::detail
