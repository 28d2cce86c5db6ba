// One workload of a campaign: run it in its mode, turn findings into
// artifacts and report violations.
#include <cinttypes>
#include <cstdio>
#include <filesystem>

#include "campaign_reach.h"
#include "explore_run.h"
#include "faultfs/status_macros.h"
#include "reports/report_files.h"
#include "save_finding.h"
#include "torture/artifact.h"
#include "torture/campaign.h"
#include "torture/fork_runner.h"
#include "torture/sim_runner.h"
#include "watchdog.h"

namespace torture {

using faultfs::Result;
using faultfs::Status;

namespace {

std::string violation_id(uint64_t index, const std::string& durability, const std::string& mode,
                         const std::string& policy, size_t n) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "w%08" PRIu64, index);
  std::string id = std::string(buf) + "-" + durability + "-" + mode + "-" + policy;
  if (n > 0) id += "-" + std::to_string(n);
  return id;
}

reports::KeyDiff key_diff(const oracle::Verdict& verdict) {
  reports::KeyDiff d;
  d.missing_count = verdict.diff.missing_count;
  d.extra_count = verdict.diff.extra_count;
  d.wrong_count = verdict.diff.wrong_count;
  for (const oracle::DiffRow& row : verdict.diff.first_rows) {
    const std::string key = reports::display_key(row.table) + ":" + reports::display_key(row.key);
    std::vector<std::string>* list = nullptr;
    uint64_t bound = 0;
    if (row.expected && !row.recovered) {
      list = &d.first_missing;
      bound = d.missing_count;
    } else if (!row.expected && row.recovered) {
      list = &d.first_extra;
      bound = d.extra_count;
    } else {
      list = &d.first_wrong;
      bound = d.wrong_count;
    }
    if (list->size() < reports::kDiffKeysMax && list->size() < bound) list->push_back(key);
  }
  d.allowed_seq_lo = verdict.bounds.lo;
  d.allowed_seq_hi = std::max(verdict.bounds.lo, verdict.bounds.hi);
  if (verdict.p >= d.allowed_seq_lo && verdict.p <= d.allowed_seq_hi) d.closest_seq = verdict.p;
  return d;
}

}  // namespace

Artifact campaign_artifact(const CampaignOptions& options, const targets::TargetInfo& target,
                           const std::string& mode, uint64_t index, const Workload& workload,
                           targets::Durability durability) {
  Artifact a;
  a.target = target.name;
  a.target_libs = options.target_libs;
  a.mode = mode;
  a.durability = durability;
  a.fs_model = options.explore ? explore_settings(options, index).fs_model : options.fs_model;
  a.sector_bytes = options.sector_bytes;
  a.campaign_seed = options.seed;
  a.workload_index = index;
  a.workload = workload;
  return a;
}

Result<reports::Violation> save_finding(const CampaignOptions& options, Artifact artifact,
                                        const oracle::Verdict& verdict, size_t n,
                                        const std::string& policy) {
  const std::string durability = targets::durability_name(artifact.durability);
  artifact.id = violation_id(artifact.workload_index, durability, artifact.mode, policy, n);
  const std::string dir =
      (std::filesystem::path(options.report_dir) / reports::kFailuresDirName / artifact.id)
          .string();
  artifact.replay = replay_command(dir);
  RETURN_IF_ERROR(write_artifact(artifact, dir));
  reports::Violation v;
  v.id = artifact.id;
  v.kind = artifact.kind;
  v.durability = durability;
  v.policy = policy;
  v.mode = artifact.mode;
  v.artifact = std::string(reports::kFailuresDirName) + "/" + artifact.id;
  v.replay = artifact.replay;
  v.crash_op = artifact.crash_op;
  v.crash_file = artifact.crash_file;
  v.detail = artifact.context;
  if (!artifact.error.empty()) v.detail += "; " + artifact.error;
  if (v.detail.size() > 4096) v.detail.resize(4096);
  v.diff = key_diff(verdict);
  return v;
}

Workload campaign_workload(const CampaignOptions& options, const targets::TargetInfo& target,
                           uint64_t index) {
  // The exhaustive space is its alphabet's words: no transactions in it.
  if (options.explore) return explore_campaign_workload(options, index);
  WorkloadShape shape;
  shape.ops = options.ops;
  shape.io_errors = workload_io_errors(options, index);
  shape.transactions = target.capabilities.transactions;
  return generate_workload(workload_seed(options, index), shape);
}

SimSettings sim_settings(const CampaignOptions& options, uint64_t index) {
  if (options.explore) return explore_settings(options, index);
  SimSettings settings;
  settings.durability = workload_durability(options, index);
  settings.policies = options.policies;
  settings.fs_model = options.fs_model;
  settings.sector_bytes = options.sector_bytes;
  return settings;
}

Result<WorkloadReport> execute_sim_workload(const CampaignOptions& options,
                                            const targets::TargetInfo& target, uint64_t index,
                                            const Workload& workload, const SimSettings& settings,
                                            const std::function<bool()>& should_stop) {
  SimControl control;
  control.should_stop = should_stop;
  control.recovering = watchdog::recovering;
  ASSIGN_OR_RETURN(auto result, run_sim(target, workload, settings, control));
  WorkloadReport report;
  report.index = index;
  report.durability = targets::durability_name(settings.durability);
  report.mode = kModeSim;
  report.crash_states = result.crash_states;
  report.states_by_policy = result.states_by_policy;
  report.io_faults_fired = result.io_faults_fired;
  report.complete = !result.stopped_early;
  report.reach.recovery_outcomes = result.recovery_outcomes;
  add_workload_features(workload, kModeSim, 1, &report.reach);
  add_transaction_outcomes(result.transaction_outcomes, &report.reach);
  for (size_t n = 0; n < result.findings.size(); ++n) {
    const Finding& f = result.findings[n];
    // settings' crash model is the campaign's (sim_settings()).
    Artifact a = campaign_artifact(options, target, kModeSim, index, workload, settings.durability);
    a.crash = f.crash;
    a.kind = f.kind;
    a.crash_op = f.crash_op;
    a.crash_file = f.crash_file;
    a.verdict = f.verdict.to_string();
    a.context = f.context;
    a.error = f.error;
    a.recovered = f.recovered;
    a.expected = f.expected;
    ASSIGN_OR_RETURN(auto v, save_finding(options, std::move(a), f.verdict, n, f.crash.policy));
    report.violations.push_back(std::move(v));
  }
  if (settings.exhaustive) report.explore = result.explore;
  return report;
}

Result<WorkloadReport> execute_workload(const CampaignOptions& options,
                                        const targets::TargetInfo& target, uint64_t index,
                                        const std::function<bool()>& should_stop) {
  if (workload_mode(options, index) == kModeFork) {
    return execute_fork(options, target, index, should_stop);
  }
  return execute_sim_workload(options, target, index, campaign_workload(options, target, index),
                              sim_settings(options, index), should_stop);
}

}  // namespace torture
