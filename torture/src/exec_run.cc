// Method: record, find the crash points, plan the images, then judge them on
// --jobs worker threads. Each worker owns a scratch folder: it rebuilds one
// image from its point's pre-crash state and recorded choice, skips it if
// the same image with the same acknowledgements was judged already, writes
// it out with the acknowledgements, and runs the check. A failing image is
// saved as a finding (an artifact `exec --replay` rebuilds) under the
// report's failures/.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <mutex>
#include <set>
#include <thread>

#include "exec_internal.h"
#include "faultfs/status_macros.h"
#include "reports/report_files.h"
#include "torture/image_dump.h"

namespace torture::exec {

using faultfs::Status;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

int64_t unix_ms_now() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

class Judge {
 public:
  Judge(const ExecOptions& o, const Recording& r, const std::vector<CrashPoint>& points,
        const std::vector<Job>& jobs, std::ostream& out)
      : o_(o), r_(r), points_(points), jobs_(jobs), out_(out), start_(Clock::now()) {
    totals_.started_unix_ms = unix_ms_now();
    totals_.rate.push_back(reports::RatePoint{0, 0});
  }

  // Runs the workers to the end; an error stops them all.
  Status run() {
    std::vector<std::thread> workers;
    for (uint32_t i = 0; i < o_.jobs; ++i) workers.emplace_back([this, i] { work(i); });
    while (done_.load() < o_.jobs) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      sample();
    }
    for (std::thread& t : workers) t.join();
    sample();
    totals_.elapsed_s = elapsed_s();
    totals_.finished_unix_ms = unix_ms_now();
    return error_;
  }

  const RunTotals& totals() const { return totals_; }
  bool timed_out() const { return timed_out_.load(); }

 private:
  double elapsed_s() const { return std::chrono::duration<double>(Clock::now() - start_).count(); }

  void sample() {
    std::lock_guard lock(mu_);
    const double t = elapsed_s();
    if (t - totals_.rate.back().t_s >= 0.25 && totals_.rate.size() < reports::kRatePointsMax - 1) {
      totals_.rate.push_back(reports::RatePoint{t, totals_.judged});
    }
  }

  void fail(Status s) {
    std::lock_guard lock(mu_);
    if (error_.is_ok()) error_ = std::move(s);
    stop_ = true;
  }

  void work(uint32_t worker) {
    const std::string scratch = r_.work_dir + "/judge-" + std::to_string(worker);
    while (!stop_.load()) {
      if (o_.time_s && elapsed_s() >= *o_.time_s) {
        timed_out_ = true;
        break;
      }
      const size_t index = next_.fetch_add(1);
      if (index >= jobs_.size()) break;
      const Status s = judge_one(jobs_[index], scratch);
      if (!s.is_ok()) fail(s);
    }
    done_.fetch_add(1);
  }

  // False when the same image was judged at this point already.
  bool first_sight(const CrashPoint& point, const faultfs::SimFs& image) {
    std::lock_guard lock(mu_);
    if (seen_.emplace(point.acks, image.describe()).second) return true;
    ++totals_.duplicates;
    return false;
  }

  Status judge_one(const Job& job, const std::string& scratch) {
    const CrashPoint& point = points_[job.point];
    ASSIGN_OR_RETURN(auto image, point.fs->crash_with(job.choice.options, job.choice));
    if (!first_sight(point, *image)) return Status::ok();
    const std::string image_dir = scratch + "/image";
    std::error_code ec;
    fs::remove_all(image_dir, ec);
    fs::create_directories(scratch, ec);
    RETURN_IF_ERROR(write_tree(*image, "", image_dir));
    const std::string acks_file = scratch + "/acks.txt";
    RETURN_IF_ERROR(write_acks_file(acks_file, r_.acks, point.acks));
    ASSIGN_OR_RETURN(auto outcome, run_check(o_.check, image_dir, acks_file,
                                             scratch + "/output.txt", o_.check_timeout_s));
    return record(job, point, outcome, image_dir);
  }

  Status record(const Job& job, const CrashPoint& point, const CheckOutcome& outcome,
                const std::string& image_dir) {
    const std::string policy = faultfs::crash_policy_name(job.choice.options.policy);
    const std::string model = faultfs::fs_model_name(job.choice.options.fs_model);
    reports::Violation v;
    {
      std::lock_guard lock(mu_);
      ++totals_.judged;
      ++totals_.by_policy[policy];
      ++totals_.by_case[reports::CaseKey{"exec", policy, model}];
      if (outcome.passed || stop_) return Status::ok();
      char id[32];
      std::snprintf(id, sizeof id, "exec-%04zu", totals_.violations.size() + 1);
      v.id = id;
      v.kind = outcome.kind();
      v.durability = "exec";
      v.policy = policy;
      v.mode = model;
      v.artifact = std::string(reports::kFailuresDirName) + "/" + v.id;
      v.replay = "dbx-torture exec --replay " + (fs::path(o_.report_dir) / v.artifact).string();
      v.detail = outcome.detail();
      v.crash_op = point.op;
      v.crash_file = printable(point.file);
      totals_.violations.push_back(v);
      if (!totals_.first_violation_s) totals_.first_violation_s = elapsed_s();
      const bool new_cause = causes_.insert(reports::cause_of(v)).second;
      if (new_cause) {
        out_ << "violation " << v.kind << " (" << policy << ", " << model << ") at " << point.op
             << (point.file.empty() ? "" : " " + point.file) << ": " << v.replay << "\n";
      }
      if (causes_.size() >= o_.violations_max ||
          totals_.violations.size() >= kExecViolationsListedMax) {
        stop_ = true;
      }
    }
    ExecFinding f{o_.check,           point.records, job.choice,
                  o_.check_timeout_s, v.kind,        outcome.exit_code};
    return save_artifact((fs::path(o_.report_dir) / v.artifact).string(), f, r_, outcome.output,
                         image_dir);
  }

  const ExecOptions& o_;
  const Recording& r_;
  const std::vector<CrashPoint>& points_;
  const std::vector<Job>& jobs_;
  std::ostream& out_;
  const Clock::time_point start_;
  std::atomic<size_t> next_{0};
  std::atomic<uint32_t> done_{0};
  std::atomic<bool> stop_{false};
  std::atomic<bool> timed_out_{false};
  std::mutex mu_;  // Guards everything below.
  RunTotals totals_;
  std::set<std::pair<size_t, std::string>> seen_;
  std::set<reports::Cause> causes_;
  Status error_;
};

// Old findings would be listed by nobody and replayed by mistake.
Status clear_old_findings(const ExecOptions& o) {
  std::error_code ec;
  fs::remove_all(fs::path(o.report_dir) / reports::kFailuresDirName, ec);
  if (ec)
    return Status(faultfs::ErrorCode::kIoError,
                  "cannot clear old findings in " + o.report_dir + ": " + ec.message());
  return Status::ok();
}

}  // namespace

}  // namespace torture::exec

namespace torture {

int run_exec(const ExecOptions& o, std::ostream& out, std::ostream& err) {
  using namespace exec;
  auto recorded = record_program(o, err);
  if (!recorded.is_ok()) {
    err << "dbx-torture exec: " << recorded.status().message() << "\n";
    return 2;
  }
  const Recording& r = recorded.value();
  warn_untraced_changes(r, err);
  auto points = crash_points(r.trace, r.acks);
  Status s = points.is_ok() ? clear_old_findings(o) : points.status();
  if (!s.is_ok()) {
    err << "dbx-torture exec: " << s.message() << "\n";
    std::error_code ec;
    fs::remove_all(r.work_dir, ec);
    return 2;
  }
  const std::vector<Job> jobs = plan_jobs(points.value(), o);
  Judge judge(o, r, points.value(), jobs, out);
  s = judge.run();
  std::error_code ec;
  fs::remove_all(r.work_dir, ec);
  if (!s.is_ok()) {
    err << "dbx-torture exec: " << s.message() << "\n";
    return 2;
  }
  const RunTotals& t = judge.totals();
  out << "exec: " << r.trace.records.size() << " trace records, " << r.acks.size()
      << " acknowledgements, " << points.value().size() << " crash points, " << t.judged
      << " images judged (" << t.duplicates << " duplicates skipped) in " << t.elapsed_s << " s"
      << (judge.timed_out() ? " (--time reached)" : "") << ", " << t.violations.size()
      << " violations\n";
  const int written = write_reports(o, build_summary(o, t), err);
  if (written != 0) return written;
  out << "report: " << (fs::path(o.report_dir) / reports::kIndexFileName).string() << "\n";
  return t.violations.empty() ? 0 : 1;
}

}  // namespace torture
