// The parent side of a campaign: reading worker lines, the progress line,
// the rate series, and the final report and verdict.
#pragma once

#include <chrono>
#include <ostream>
#include <string>
#include <vector>

#include "torture/campaign.h"

namespace torture {

class Progress {
 public:
  Progress(const CampaignOptions& options, std::chrono::steady_clock::time_point start,
           std::ostream& err);
  // A workload report arrived (or a poll timed out: report == nullptr).
  void update(const WorkloadReport* report);
  // Ends the progress line and closes the rate series.
  void finish(CampaignTotals* totals);

 private:
  double elapsed_s() const;
  void sample();
  void draw();

  const CampaignOptions& options_;
  const std::chrono::steady_clock::time_point start_;
  std::ostream& err_;
  const bool show_;
  uint64_t crash_states_ = 0;
  uint64_t violations_ = 0;
  uint64_t workloads_ = 0;
  double last_draw_s_ = -1;
  double last_sample_s_ = -1;
  std::vector<reports::RatePoint> series_;
};

// Reads every worker's lines until all pipes close; returns the first error
// a worker reported (empty when none).
std::string collect_reports(const std::vector<int>& fds, CampaignTotals* totals,
                            Progress* progress);

// Builds and writes the report (summary.json, index.html, --junit), prints
// the verdict; returns the exit code.
int finish_campaign(const CampaignOptions& options, const CampaignTotals& totals, std::ostream& out,
                    std::ostream& err);

}  // namespace torture
