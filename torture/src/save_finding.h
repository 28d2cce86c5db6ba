// Turning one finding into an artifact folder and a report violation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

#include "faultfs/status.h"
#include "oracle/checker.h"
#include "reports/summary.h"
#include "targets/target.h"
#include "torture/artifact.h"
#include "torture/campaign.h"
#include "torture/options.h"
#include "torture/workload.h"

namespace torture {

// An artifact of workload `index` with the campaign's identity set (target,
// mode, durability, crash model, seed, workload); the finding fills the rest.
[[nodiscard]] Artifact campaign_artifact(const CampaignOptions& options,
                                         const targets::TargetInfo& target, const std::string& mode,
                                         uint64_t index, const Workload& workload,
                                         targets::Durability durability);

// Names the artifact ("w<index>-<durability>-<mode>-<policy>[-n]"), writes it
// under <report_dir>/failures/, and returns the violation for the summary.
[[nodiscard]] faultfs::Result<reports::Violation> save_finding(const CampaignOptions& options,
                                                               Artifact artifact,
                                                               const oracle::Verdict& verdict,
                                                               size_t n, const std::string& policy);

// Runs `workload` in sim mode under `settings` as workload `index` of the
// campaign: an artifact per finding, and its report.
[[nodiscard]] faultfs::Result<WorkloadReport> execute_sim_workload(
    const CampaignOptions& options, const targets::TargetInfo& target, uint64_t index,
    const Workload& workload, const SimSettings& settings,
    const std::function<bool()>& should_stop);

}  // namespace torture
