// The sections of index.html (internal to dbx_reports). Each returns one
// balanced HTML fragment with every piece of report text escaped.
#pragma once

#include <string>

#include "reports/summary.h"

namespace reports::html {

// The one-line verdict: PASS or FAIL with the counts behind it.
std::string verdict_section(const Summary& summary);
// Key figures as cards: crash states, workloads, rate, elapsed, I/O errors.
std::string figures_section(const Summary& summary);
// Each violation (at most kHtmlViolationsMax) with its diff and replay command.
std::string violations_section(const Summary& summary);
// The distinct causes of the violations, one row each.
std::string causes_section(const Summary& summary);
// Crash states per policy, rate over time, and the per-case coverage grid.
std::string charts_section(const Summary& summary);
// The declared fault model, "beyond the contract" included.
std::string fault_model_section(const Summary& summary);
// The campaign's configuration as a key/value table.
std::string config_section(const Summary& summary);
// What the crash states reached (html_reach.cc): kill points, recovery
// outcomes and workload features, with every zero row flagged.
std::string reach_section(const Summary& summary);
// An --explore campaign's space and coverage (html_exploration.cc); empty
// for any other campaign.
std::string exploration_section(const Summary& summary);

}  // namespace reports::html
