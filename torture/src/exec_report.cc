// The report of an exec run, in the shapes `run` writes (summary.json,
// index.html, JUnit): the program is one workload, "exec" its durability
// level, each file-system model a mode, so the cases read
// "exec.<policy>.<model>".
#include <unistd.h>

#include <algorithm>

#include "exec_internal.h"
#include "reports/html_report.h"
#include "reports/report_files.h"
#include "torture/options.h"

namespace torture {

faultfs::Result<std::vector<faultfs::FsModel>> parse_exec_fs_models(std::string_view text) {
  if (text == "all") return std::vector{faultfs::FsModel::kPosix, faultfs::FsModel::kExt4Ordered};
  std::vector<faultfs::FsModel> out;
  while (!text.empty()) {
    const size_t comma = text.find(',');
    const std::string_view name = text.substr(0, comma);
    auto mode = faultfs::parse_fs_model(name);
    if (!mode.is_ok()) {
      return faultfs::Status(
          faultfs::ErrorCode::kInvalidArgument,
          "--fs-model: want posix, ext4-ordered or all, not '" + std::string(name) + "'");
    }
    if (std::find(out.begin(), out.end(), *mode) == out.end()) out.push_back(*mode);
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
  }
  if (out.empty()) {
    return faultfs::Status(faultfs::ErrorCode::kInvalidArgument, "--fs-model: empty");
  }
  return out;
}

}  // namespace torture

namespace torture::exec {

namespace {

std::string models_name(const ExecOptions& o) {
  std::string name;
  for (faultfs::FsModel m : o.fs_models)
    name += (name.empty() ? "" : "-and-") + std::string(faultfs::fs_model_name(m));
  return name;
}

}  // namespace

reports::Summary build_summary(const ExecOptions& o, const RunTotals& t) {
  reports::Summary s;
  reports::CampaignConfig& c = s.config;
  c.target = "exec " + o.program.front();
  c.durability = {"exec"};
  for (faultfs::FsModel m : o.fs_models) c.modes.push_back(faultfs::fs_model_name(m));
  c.policies = policy_names(o.policies);
  c.fs_model = models_name(o);
  c.seed = o.seed;
  c.jobs = o.jobs;
  c.io_errors = false;
  c.time_limit_s = o.time_s;
  reports::Counters& n = s.counters;
  n.workloads = 1;
  n.crash_states = t.judged;
  n.crash_states_by_policy = t.by_policy;
  n.crash_states_by_case = t.by_case;
  for (const auto& [key, count] : t.by_case) n.crash_states_by_mode[key.mode] += count;
  n.crash_states_by_durability["exec"] = t.judged;
  s.violations = t.violations;
  s.elapsed_s = t.elapsed_s;
  s.rate_series = t.rate;
  for (reports::RatePoint& p : s.rate_series) p.crash_states = std::min(p.crash_states, t.judged);
  s.first_violation_s = t.first_violation_s;
  s.fault_model = reports::describe_fault_model(c.fs_model, c.policies, o.sector_bytes);
  s.engine_version = "exec " + o.program.front();
  s.toolkit_version = reports::toolkit_version();
  s.started_unix_ms = t.started_unix_ms;
  s.finished_unix_ms = std::max(t.finished_unix_ms, t.started_unix_ms);
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
  s.hostname = host[0] != '\0' ? host : "unknown";
  return s;
}

int write_reports(const ExecOptions& o, const reports::Summary& summary, std::ostream& err) {
  const reports::Status valid = reports::validate(summary);
  if (!valid.is_ok()) {
    err << "dbx-torture exec: internal error, invalid summary: " << valid.message() << "\n";
    return 2;
  }
  const reports::Status written = reports::write_report_dir(summary, o.report_dir);
  if (!written.is_ok()) {
    err << "dbx-torture exec: " << written.message() << "\n";
    return 2;
  }
  if (!o.junit_file.empty()) {
    const reports::Status junit = reports::write_junit_file(summary, o.junit_file);
    if (!junit.is_ok()) {
      err << "dbx-torture exec: " << junit.message() << "\n";
      return 2;
    }
  }
  return 0;
}

}  // namespace torture::exec
