#include "campaign_reach.h"

#include <algorithm>
#include <cassert>
#include <map>

#include "torture/judge.h"

namespace torture {

namespace {

// The harness's former fixed tuning (each list's first entry in workload.cc):
// a workload below it reaches the path that tuning controls.
constexpr uint64_t kDefaultDeltaThresholdBytes = 64ull << 20;
constexpr uint64_t kDefaultCompactionMinBytes = 1ull << 20;

// Feature names, in the order the HTML lists them (std::map sorts them).
std::vector<std::string> feature_names(bool fork) {
  std::vector<std::string> out = {"batch",
                                  "delete",
                                  "flush",
                                  "reopen",
                                  "wait",
                                  "io_fault_armed",
                                  "small_delta_threshold",
                                  "no_wal_preallocation",
                                  "small_wal_preallocation",
                                  "interval_checkpoints",
                                  "small_compaction_trigger"};
  out.push_back("crash_step");
  if (fork) out.push_back("concurrent_writers");
  return out;
}

void add_map(const std::map<std::string, uint64_t>& part, std::map<std::string, uint64_t>* total) {
  for (const auto& [name, count] : part) (*total)[name] += count;
}

bool ran(const CampaignOptions& options, const char* mode) {
  return std::find(options.modes.begin(), options.modes.end(), mode) != options.modes.end();
}

}  // namespace

reports::Reach expected_reach(const CampaignOptions& options, const targets::TargetInfo& target) {
  reports::Reach reach;
  const bool fork = ran(options, kModeFork);
  const bool sim = ran(options, kModeSim);
  if (fork) {
    for (const std::string& point : target.kill_points) reach.kill_points[point] = 0;
  }
  if (sim) {
    for (const std::string& label : target.recovery_outcomes) reach.recovery_outcomes[label] = 0;
    reach.recovery_outcomes[kSecondGenerationOutcome] = 0;
  }
  for (const std::string& name : feature_names(fork)) reach.workload_features[name] = 0;
  // Counted by the simulation, which sees every transaction's end (an
  // exhaustive space has none).
  if (sim && target.capabilities.transactions && !options.explore) {
    for (const char* outcome : kTransactionOutcomes) {
      reach.workload_features[std::string("txn_") + outcome] = 0;
    }
  }
  assert(!reach.workload_features.empty());
  return reach;
}

void add_workload_features(const Workload& workload, const std::string& mode, uint32_t threads,
                           reports::Reach* reach) {
  std::map<std::string, bool> has;
  for (const Step& step : workload.steps) {
    has["flush"] |= step.kind == StepKind::kFlush;
    has["reopen"] |= step.kind == StepKind::kReopen;
    has["wait"] |= step.kind == StepKind::kWait;
    // Fork mode runs a crash step as a reopen: only the simulation goes on
    // from a crash image.
    has["crash_step"] |= step.kind == StepKind::kCrash && mode == kModeSim;
    has["io_fault_armed"] |= step.fault.has_value();
    has["batch"] |= step.kind == StepKind::kWrite && step.write.size() > 1;
    has["delete"] |= std::any_of(step.write.begin(), step.write.end(), [](const targets::Op& op) {
      return op.kind == targets::OpKind::kDelete;
    });
  }
  has["small_delta_threshold"] = workload.delta_flush_threshold_bytes < kDefaultDeltaThresholdBytes;
  has["no_wal_preallocation"] = workload.wal_preallocate_bytes == 0;
  has["small_wal_preallocation"] =
      workload.wal_preallocate_bytes > 0 && workload.wal_preallocate_bytes < (64 << 10);
  has["interval_checkpoints"] = workload.flush_interval_ms > 0;
  has["small_compaction_trigger"] = workload.wos_compaction_min_bytes < kDefaultCompactionMinBytes;
  if (mode == kModeFork) has["concurrent_writers"] = threads > 1;
  for (const auto& [name, present] : has) {
    uint64_t& count = reach->workload_features[name];
    count += present ? 1 : 0;
  }
}

void add_transaction_outcomes(const std::map<std::string, uint64_t>& outcomes,
                              reports::Reach* reach) {
  for (const auto& [outcome, count] : outcomes) {
    if (count > 0) reach->workload_features["txn_" + outcome] += 1;
  }
}

void add_reach(const reports::Reach& part, reports::Reach* total) {
  add_map(part.kill_points, &total->kill_points);
  add_map(part.recovery_outcomes, &total->recovery_outcomes);
  add_map(part.workload_features, &total->workload_features);
}

}  // namespace torture
