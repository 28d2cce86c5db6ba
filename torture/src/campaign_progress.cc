#include "campaign_progress.h"

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <map>

#include "campaign_signals.h"
#include "explore_report.h"
#include "reports/report_files.h"

namespace torture {

namespace {

// Coverage, not a verdict: a path no crash state reached is said out loud
// (a bug there would go unseen), but it does not fail the campaign.
void print_reach(const reports::Summary& summary, std::ostream& out) {
  const std::vector<std::string> zero = reports::unreached(summary.counters.reach);
  if (zero.empty()) {
    out << "reach: every listed path was reached\n";
    return;
  }
  out << "reach: " << zero.size() << " path(s) never reached:";
  for (const std::string& row : zero) out << " " << row << ";";
  out << "\n";
}

constexpr double kDrawPeriodS = 0.25;
constexpr double kSamplePeriodS = 1.0;

void print_causes(const reports::Summary& summary, std::ostream& out) {
  if (summary.violations.empty()) return;
  const std::vector<reports::CauseGroup> causes = reports::group_by_cause(summary.violations);
  char line[128];
  std::snprintf(line, sizeof line, "%zu distinct causes; the first violation after %.1f s\n",
                causes.size(), summary.first_violation_s.value_or(summary.elapsed_s));
  out << line;
  constexpr size_t kShown = 10;
  std::map<std::string, const reports::Violation*> by_id;
  for (const reports::Violation& v : summary.violations) by_id[v.id] = &v;
  for (size_t i = 0; i < causes.size() && i < kShown; ++i) {
    const reports::CauseGroup& group = causes[i];
    const reports::Cause& c = group.cause;
    out << "  " << c.kind << " under " << c.policy << " at " << c.crash_op
        << (c.crash_file.empty() ? "" : " " + c.crash_file) << ": " << group.violations
        << " violation(s), first " << group.first_id << "\n    " << by_id.at(group.first_id)->replay
        << "\n";
  }
  if (causes.size() > kShown) {
    out << "  ... and " << causes.size() - kShown << " more causes in summary.json\n";
  }
}

}  // namespace

Progress::Progress(const CampaignOptions& options, std::chrono::steady_clock::time_point start,
                   std::ostream& err)
    : options_(options),
      start_(start),
      err_(err),
      show_(!options.quiet && ::isatty(STDERR_FILENO) == 1) {
  series_.push_back(reports::RatePoint{0, 0});
}

double Progress::elapsed_s() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

void Progress::sample() {
  const double t = elapsed_s();
  if (t - last_sample_s_ < kSamplePeriodS) return;
  last_sample_s_ = t;
  if (t >= series_.back().t_s && series_.size() < reports::kRatePointsMax - 1) {
    series_.push_back(reports::RatePoint{t, crash_states_});
  }
}

void Progress::draw() {
  if (!show_) return;
  const double t = elapsed_s();
  if (t - last_draw_s_ < kDrawPeriodS) return;
  last_draw_s_ = t;
  char line[256];
  const double rate = t > 0 ? static_cast<double>(crash_states_) / t : 0;
  if (options_.time_s) {
    const double left = std::max(0.0, *options_.time_s - t);
    std::snprintf(
        line, sizeof line,
        "\r%6.1f s  %llu workloads  %llu crash states  %.0f/s  %llu violations  %.0f s left ", t,
        static_cast<unsigned long long>(workloads_), static_cast<unsigned long long>(crash_states_),
        rate, static_cast<unsigned long long>(violations_), left);
  } else {
    std::snprintf(line, sizeof line,
                  "\r%6.1f s  %llu/%llu workloads  %llu crash states  %.0f/s  %llu violations ", t,
                  static_cast<unsigned long long>(workloads_),
                  static_cast<unsigned long long>(options_.workloads.value_or(0)),
                  static_cast<unsigned long long>(crash_states_), rate,
                  static_cast<unsigned long long>(violations_));
  }
  err_ << line << std::flush;
}

void Progress::update(const WorkloadReport* report) {
  if (report != nullptr) {
    ++workloads_;
    crash_states_ += report->crash_states;
    violations_ += report->violations.size();
  }
  sample();
  draw();
}

void Progress::finish(CampaignTotals* totals) {
  const double t = elapsed_s();
  if (t >= series_.back().t_s) series_.push_back(reports::RatePoint{t, crash_states_});
  totals->rate_series = series_;
  if (show_) err_ << "\n" << std::flush;
}

int finish_campaign(const CampaignOptions& o, const CampaignTotals& totals, std::ostream& out,
                    std::ostream& err) {
  const reports::Summary summary = build_summary(o, totals);
  const reports::Status valid = reports::validate(summary);
  if (!valid.is_ok()) {
    err << "dbx-torture: internal error, invalid summary: " << valid.message() << "\n";
    return 2;
  }
  const reports::Status written = reports::write_report_dir(summary, o.report_dir);
  if (!written.is_ok()) {
    err << "dbx-torture: " << written.message() << "\n";
    return 2;
  }
  if (!o.junit_file.empty()) {
    const reports::Status junit = reports::write_junit_file(summary, o.junit_file);
    if (!junit.is_ok()) {
      err << "dbx-torture: " << junit.message() << "\n";
      return 2;
    }
  }
  const bool pass = reports::passed(summary);
  char line[512];
  std::snprintf(line, sizeof line,
                "dbx-torture: %s: target %s, %llu workloads, %llu crash states in %.1f s "
                "(%.0f/s), %llu io errors injected, %zu violations\n",
                pass ? "PASS" : "FAIL", o.target.c_str(),
                static_cast<unsigned long long>(summary.counters.workloads),
                static_cast<unsigned long long>(summary.counters.crash_states), summary.elapsed_s,
                reports::crash_states_per_s(summary),
                static_cast<unsigned long long>(summary.counters.io_errors_injected),
                summary.violations.size());
  out << line;
  if (summary.counters.known_suppressed > 0) {
    out << "dbx-torture: " << summary.counters.known_suppressed
        << " violations of known causes (--known) suppressed\n";
  }
  if (!summary.interrupted.empty()) {
    out << "dbx-torture: interrupted by " << summary.interrupted
        << ": the report covers only what ran before it\n";
  }
  print_causes(summary, out);
  print_reach(summary, out);
  print_exploration(summary, out);
  out << "report: " << (std::filesystem::path(o.report_dir) / reports::kIndexFileName).string()
      << "\n";
  if (!pass) return 1;
  return summary.interrupted.empty() ? 0 : campaign_signals::exit_code(summary.interrupted);
}

}  // namespace torture
