// The campaign's reach table (reports::Reach): which paths its crash states
// exercised. Rows come from what the harness itself observed (the workload it
// ran, the kill point that fired) and from the target's account of each
// recovery; none of it moves a bound or a verdict.
#pragma once

#include <cstdint>
#include <map>
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

// How a transaction ends, as the harness saw it (rows "txn_<outcome>" of a
// target with transactions: workloads in which one ended so).
inline constexpr const char* kTransactionOutcomes[] = {"committed", "conflicted", "rolled_back",
                                                       "lost"};
// Counts each outcome with a count > 0 once into `reach`'s features.
void add_transaction_outcomes(const std::map<std::string, uint64_t>& outcomes,
                              reports::Reach* reach);

// `part` added into `total`, row by row.
void add_reach(const reports::Reach& part, reports::Reach* total);

}  // namespace torture
