// The campaign's reach table (reports::Reach): which paths its crash states
// exercised. Rows come from what the harness itself observed (the workload it
// ran, the kill point that fired) and from the target's account of each
// recovery; none of it moves a bound or a verdict.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "reports/summary.h"
#include "targets/target.h"
#include "torture/options.h"
#include "torture/workload.h"

namespace torture {

// Every row the campaign is expected to reach, at zero: the target's kill
// points (fork mode ran), its recovery outcomes and "second_generation" (sim
// mode ran), and the workload features of the modes that ran.
reports::Reach expected_reach(const CampaignOptions& options, const targets::TargetInfo& target);

// Counts the features `workload` has into `reach` (one per workload):
// concurrent writers (fork mode, `threads` > 1), crash steps, reopens, waits,
// flushes, batches, deletes, armed I/O faults and the scaled-down tuning.
void add_workload_features(const Workload& workload, const std::string& mode, uint32_t threads,
                           reports::Reach* reach);

// `part` added into `total`, row by row.
void add_reach(const reports::Reach& part, reports::Reach* total);

}  // namespace torture
