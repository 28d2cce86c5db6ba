// The parent side of a campaign: the progress line, the rate series, and
// the final report and verdict.
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

// Builds and writes the report (summary.json, index.html, --junit), prints
// the verdict and the distinct causes; returns the exit code: 1 with a
// violation, else 128 + the signal when interrupted, else 0.
int finish_campaign(const CampaignOptions& options, const CampaignTotals& totals, std::ostream& out,
                    std::ostream& err);

}  // namespace torture
