// An exploration's counts in the worker lines, in summary.json
// (reports::Exploration) and on the console.
#pragma once

#include <ostream>

#include "faultfs/status.h"
#include "json_util.h"
#include "reports/summary.h"
#include "torture/campaign.h"
#include "torture/sim_runner.h"

namespace torture {

json_util::Json explore_counts_json(const ExploreCounts& counts);
[[nodiscard]] faultfs::Result<ExploreCounts> explore_counts_from_json(const json_util::Json& j);

// The space of options.explore, what the reported runs covered of it, and
// the sentence that says so (all of it, or the fraction and why not).
reports::Exploration explore_summary(const CampaignOptions& options, const CampaignTotals& totals);

// Two lines: the space's size, and its coverage (nothing without an exploration).
void print_exploration(const reports::Summary& summary, std::ostream& out);

}  // namespace torture
