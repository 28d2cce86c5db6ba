// Combining the summaries of the shards of one campaign (`dbx-torture merge`).
#pragma once

#include <vector>

#include "reports/status.h"
#include "reports/summary.h"

namespace reports {

// One summary for the union of `shards`, whatever their order:
// - the campaign must be the same: equal target, durability, modes, policies,
//   fs_model, seed, shard count, ops, threads, io_errors, limits, fault model
//   and versions; otherwise an error naming the field and both values;
// - no shard index may appear twice (a shard run or merged twice), and no
//   violation id twice: each is an error;
// - counters are summed (overflow is an error), violations concatenated in
//   shard order, jobs summed, elapsed_s is the longest shard's (shards run in
//   parallel), started/finished the earliest/latest, hostnames joined, and the
//   rate series is the sum of the shards' cumulative curves.
// Every input must pass validate(); an empty input is an error. An incomplete
// set of shards is not an error: the result's shard.complete() tells.
[[nodiscard]] Result<Summary> merge_summaries(const std::vector<Summary>& shards);

}  // namespace reports
