// A campaign: workloads 0, 1, 2... of a seed, spread over --jobs worker
// processes and --shard K/N machines, each run in its mode (sim or fork) and
// judged; the result is one report (reports/).
//
// Workload i belongs to shard i mod N. Its durability, mode, I/O-error flag
// and seed are functions of (options, i) alone (options.h), and a worker
// takes the next index from a counter shared by all workers: whichever
// worker runs it, workload i yields the same crash states and counts, so a
// campaign bounded by --workloads is identical whatever --jobs.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "faultfs/status.h"
#include "reports/summary.h"
#include "targets/target.h"
#include "torture/options.h"
#include "torture/sim_runner.h"
#include "torture/workload.h"

namespace torture {

// One workload's contribution to the campaign (a worker sends it to the
// parent as one JSON line).
struct WorkloadReport {
  uint64_t index = 0;
  std::string durability;
  std::string mode;
  uint64_t crash_states = 0;
  std::map<std::string, uint64_t> states_by_policy;
  uint64_t io_faults_fired = 0;
  std::vector<reports::Violation> violations;
  uint64_t known_suppressed = 0;  // Violations of --known causes, taken out.
  bool complete = true;           // False when the deadline cut it short.
  reports::Reach reach;           // This workload's rows of the reach table.
  // --explore exhaustive only: what the run's walks covered.
  std::optional<ExploreCounts> explore;
};

// Takes the violations of `options.known` causes out of `report`, counting
// them and removing their artifacts (a known cause may fire thousands of
// times). kIoError if an artifact cannot be removed.
[[nodiscard]] faultfs::Status suppress_known_causes(const CampaignOptions& options,
                                                    WorkloadReport* report);

std::string report_to_json_line(const WorkloadReport& report);
[[nodiscard]] faultfs::Result<WorkloadReport> report_from_json_line(std::string_view line);

// Runs workload `index` of the campaign in its mode, writes an artifact per
// finding under <report_dir>/failures/, and returns its report.
// `should_stop` is polled between crash states.
[[nodiscard]] faultfs::Result<WorkloadReport> execute_workload(
    const CampaignOptions& options, const targets::TargetInfo& target, uint64_t index,
    const std::function<bool()>& should_stop);

// Workload `index` of a campaign on `target` (transactions interleaved when
// it has them) and the settings a sim-mode one runs under (a crashed
// worker's finding rebuilds them from the index alone).
Workload campaign_workload(const CampaignOptions& options, const targets::TargetInfo& target,
                           uint64_t index);
SimSettings sim_settings(const CampaignOptions& options, uint64_t index);

// The whole campaign. Returns the exit code after writing the report: 0
// pass, 1 violations, 2 set-up or harness error; stopped by SIGINT or
// SIGTERM without a violation, 130 or 143 (128 + the signal). Prints the verdict and the report's
// path to `out`, progress (unless quiet, and only on a terminal) and errors to `err`.
int run_campaign(const CampaignOptions& options, std::ostream& out, std::ostream& err);

// The summary of a finished campaign (exposed for tests).
struct CampaignTotals {
  std::vector<WorkloadReport> workloads;
  double elapsed_s = 0;
  std::vector<reports::RatePoint> rate_series;
  int64_t started_unix_ms = 0;
  int64_t finished_unix_ms = 0;
  std::optional<double> first_violation_s;  // When the parent first got one.
  std::string interrupted;                  // The signal that stopped it ("SIGINT").
};
reports::Summary build_summary(const CampaignOptions& options, const CampaignTotals& totals);

}  // namespace torture
