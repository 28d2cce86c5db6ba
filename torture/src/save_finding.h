// Turning one finding into an artifact folder and a report violation.
#pragma once

#include <cstddef>
#include <string>

#include "faultfs/status.h"
#include "oracle/checker.h"
#include "reports/summary.h"
#include "torture/artifact.h"
#include "torture/options.h"

namespace torture {

// Names the artifact ("w<index>-<durability>-<mode>-<policy>[-n]"), writes it
// under <report_dir>/failures/, and returns the violation for the summary.
[[nodiscard]] faultfs::Result<reports::Violation> save_finding(const CampaignOptions& options,
                                                               Artifact artifact,
                                                               const oracle::Verdict& verdict,
                                                               size_t n, const std::string& policy);

}  // namespace torture
