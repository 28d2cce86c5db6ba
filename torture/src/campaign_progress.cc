#include "campaign_progress.h"

#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <filesystem>

#include "json_util.h"
#include "reports/report_files.h"

namespace torture {

namespace {

constexpr double kDrawPeriodS = 0.25;
constexpr double kSamplePeriodS = 1.0;
constexpr int kPollTimeoutMs = 200;
constexpr size_t kLineBytesMax = 64u << 20;  // One worker line; a larger one is an error.

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

std::string collect_reports(const std::vector<int>& fds, CampaignTotals* totals,
                            Progress* progress) {
  std::vector<std::string> buffers(fds.size());
  std::vector<bool> open(fds.size(), true);
  size_t open_count = fds.size();
  std::string error;
  while (open_count > 0) {
    std::vector<pollfd> polls;
    std::vector<size_t> which;
    for (size_t i = 0; i < fds.size(); ++i) {
      if (!open[i]) continue;
      polls.push_back(pollfd{fds[i], POLLIN, 0});
      which.push_back(i);
    }
    const int ready = ::poll(polls.data(), polls.size(), kPollTimeoutMs);
    if (ready < 0 && errno != EINTR) return "poll failed";
    for (size_t k = 0; ready > 0 && k < polls.size(); ++k) {
      if (polls[k].revents == 0) continue;
      const size_t i = which[k];
      char buf[65536];
      const ssize_t n = ::read(fds[i], buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        open[i] = false;
        --open_count;
        ::close(fds[i]);
        continue;
      }
      buffers[i].append(buf, static_cast<size_t>(n));
      size_t nl;
      while ((nl = buffers[i].find('\n')) != std::string::npos) {
        const std::string line = buffers[i].substr(0, nl);
        buffers[i].erase(0, nl + 1);
        auto parsed = json_util::parse(line, "worker line");
        if (parsed.is_ok() && parsed->is_object() && parsed->contains("error")) {
          if (error.empty()) error = parsed->value("error", std::string("worker error"));
          continue;
        }
        auto report = report_from_json_line(line);
        if (!report.is_ok()) {
          if (error.empty()) error = "bad worker line: " + report.status().message();
          continue;
        }
        progress->update(&report.value());
        totals->workloads.push_back(std::move(report).value());
      }
      if (buffers[i].size() > kLineBytesMax && error.empty()) error = "worker line too long";
    }
    progress->update(nullptr);
  }
  return error;
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
  constexpr size_t kShown = 10;
  for (size_t i = 0; i < summary.violations.size() && i < kShown; ++i) {
    const reports::Violation& v = summary.violations[i];
    out << "  " << v.id << " " << v.kind << "\n    " << v.replay << "\n";
  }
  if (summary.violations.size() > kShown) {
    out << "  ... and " << summary.violations.size() - kShown << " more in summary.json\n";
  }
  out << "report: " << (std::filesystem::path(o.report_dir) / reports::kIndexFileName).string()
      << "\n";
  return pass ? 0 : 1;
}

}  // namespace torture
