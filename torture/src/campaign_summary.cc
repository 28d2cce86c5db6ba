// The worker-to-parent line format and the campaign's summary.
#include <unistd.h>

#include <algorithm>
#include <cassert>

#include "campaign_reach.h"
#include "explore_report.h"
#include "faultfs/status_macros.h"
#include "json_util.h"
#include "torture/campaign.h"

namespace torture {

using faultfs::Result;
using faultfs::Status;
using json_util::Json;

namespace {

constexpr const char* kWhat = "worker report";

Json diff_json(const reports::KeyDiff& d) {
  Json j{{"missing_count", d.missing_count}, {"extra_count", d.extra_count},
         {"wrong_count", d.wrong_count},     {"first_missing", d.first_missing},
         {"first_extra", d.first_extra},     {"first_wrong", d.first_wrong},
         {"lo", d.allowed_seq_lo},           {"hi", d.allowed_seq_hi}};
  if (d.closest_seq) j["closest"] = *d.closest_seq;
  return j;
}

Result<std::vector<std::string>> strings(const Json& j, const char* key) {
  const auto it = j.find(key);
  if (it == j.end() || !it->is_array()) return json_util::corrupt(kWhat, key);
  std::vector<std::string> out;
  for (const Json& s : *it) {
    if (!s.is_string()) return json_util::corrupt(kWhat, key);
    out.push_back(s.get<std::string>());
  }
  return out;
}

Result<reports::KeyDiff> diff_from(const Json& j) {
  reports::KeyDiff d;
  for (auto [key, field] :
       {std::pair{"missing_count", &d.missing_count}, std::pair{"extra_count", &d.extra_count},
        std::pair{"wrong_count", &d.wrong_count}, std::pair{"lo", &d.allowed_seq_lo},
        std::pair{"hi", &d.allowed_seq_hi}}) {
    ASSIGN_OR_RETURN(auto v, json_util::get_u64(j, key, kWhat));
    *field = v;
  }
  for (auto [key, field] :
       {std::pair{"first_missing", &d.first_missing}, std::pair{"first_extra", &d.first_extra},
        std::pair{"first_wrong", &d.first_wrong}}) {
    ASSIGN_OR_RETURN(auto v, strings(j, key));
    *field = v;
  }
  if (j.contains("closest")) {
    ASSIGN_OR_RETURN(auto v, json_util::get_u64(j, "closest", kWhat));
    d.closest_seq = v;
  }
  return d;
}

}  // namespace

std::string report_to_json_line(const WorkloadReport& r) {
  Json violations = Json::array();
  for (const reports::Violation& v : r.violations) {
    violations.push_back(Json{{"id", v.id},
                              {"kind", v.kind},
                              {"durability", v.durability},
                              {"policy", v.policy},
                              {"mode", v.mode},
                              {"artifact", v.artifact},
                              {"replay", v.replay},
                              {"detail", v.detail},
                              {"crash_op", v.crash_op},
                              {"crash_file", v.crash_file},
                              {"diff", diff_json(v.diff)}});
  }
  Json j{{"index", r.index},
         {"durability", r.durability},
         {"mode", r.mode},
         {"crash_states", r.crash_states},
         {"states_by_policy", r.states_by_policy},
         {"io_faults_fired", r.io_faults_fired},
         {"known_suppressed", r.known_suppressed},
         {"complete", r.complete},
         {"violations", std::move(violations)},
         {"reach",
          {{"kill_points", r.reach.kill_points},
           {"recovery_outcomes", r.reach.recovery_outcomes},
           {"workload_features", r.reach.workload_features}}}};
  if (r.explore) j["explore"] = explore_counts_json(*r.explore);
  // Invalid UTF-8 (never expected: every text is ASCII) is replaced, not thrown.
  return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

namespace {

Status count_map_from_json(const Json& j, const char* key, std::map<std::string, uint64_t>* out) {
  const auto map = j.find(key);
  if (map == j.end() || !map->is_object()) return json_util::corrupt(kWhat, key);
  for (const auto& [name, count] : map->items()) {
    if (!count.is_number_unsigned()) return json_util::corrupt(kWhat, key);
    (*out)[name] = count.get<uint64_t>();
  }
  return Status::ok();
}

Status reach_from_json(const Json& j, reports::Reach* reach) {
  const auto it = j.find("reach");
  if (it == j.end() || !it->is_object()) return json_util::corrupt(kWhat, "reach");
  Status s = count_map_from_json(*it, "kill_points", &reach->kill_points);
  if (s.is_ok()) s = count_map_from_json(*it, "recovery_outcomes", &reach->recovery_outcomes);
  if (s.is_ok()) s = count_map_from_json(*it, "workload_features", &reach->workload_features);
  return s;
}

}  // namespace

Result<WorkloadReport> report_from_json_line(std::string_view line) {
  ASSIGN_OR_RETURN(auto parsed, json_util::parse(line, kWhat));
  const Json& j = parsed;
  WorkloadReport r;
  for (auto [key, field] :
       {std::pair{"index", &r.index}, std::pair{"crash_states", &r.crash_states},
        std::pair{"io_faults_fired", &r.io_faults_fired},
        std::pair{"known_suppressed", &r.known_suppressed}}) {
    ASSIGN_OR_RETURN(auto v, json_util::get_u64(j, key, kWhat));
    *field = v;
  }
  for (auto [key, field] : {std::pair{"durability", &r.durability}, std::pair{"mode", &r.mode}}) {
    ASSIGN_OR_RETURN(auto v, json_util::get_string(j, key, kWhat));
    *field = v;
  }
  ASSIGN_OR_RETURN(auto complete, json_util::get_bool(j, "complete", kWhat));
  r.complete = complete;
  const auto by_policy = j.find("states_by_policy");
  if (by_policy == j.end() || !by_policy->is_object()) return json_util::corrupt(kWhat, "policies");
  for (const auto& [name, count] : by_policy->items()) {
    if (!count.is_number_unsigned()) return json_util::corrupt(kWhat, "policy count");
    r.states_by_policy[name] = count.get<uint64_t>();
  }
  RETURN_IF_ERROR(reach_from_json(j, &r.reach));
  if (j.contains("explore")) {
    ASSIGN_OR_RETURN(auto counts, explore_counts_from_json(j["explore"]));
    r.explore = counts;
  }
  const auto violations = j.find("violations");
  if (violations == j.end() || !violations->is_array()) {
    return json_util::corrupt(kWhat, "violations");
  }
  for (const Json& vj : *violations) {
    reports::Violation v;
    for (auto [key, field] :
         {std::pair{"id", &v.id}, std::pair{"kind", &v.kind},
          std::pair{"durability", &v.durability}, std::pair{"policy", &v.policy},
          std::pair{"mode", &v.mode}, std::pair{"artifact", &v.artifact},
          std::pair{"replay", &v.replay}, std::pair{"detail", &v.detail},
          std::pair{"crash_op", &v.crash_op}, std::pair{"crash_file", &v.crash_file}}) {
      ASSIGN_OR_RETURN(auto s, json_util::get_string(vj, key, kWhat));
      *field = s;
    }
    const auto diff = vj.find("diff");
    if (diff == vj.end()) return json_util::corrupt(kWhat, "diff");
    ASSIGN_OR_RETURN(auto d, diff_from(*diff));
    v.diff = d;
    r.violations.push_back(std::move(v));
  }
  return r;
}

reports::Summary build_summary(const CampaignOptions& options, const CampaignTotals& totals) {
  reports::Summary s;
  reports::CampaignConfig& c = s.config;
  c.target = options.target;
  c.durability = durability_names(options.durabilities);
  c.modes = options.modes;
  c.policies = policy_names(options.policies);
  c.fs_model = faultfs::fs_model_name(options.fs_model);
  c.seed = options.seed;
  c.shard.count = options.shard_count;
  c.shard.indices = {options.shard_index};
  c.ops = options.ops;
  c.threads = options.threads;
  c.jobs = options.jobs;
  c.io_errors = options.io_errors;
  c.time_limit_s = options.time_s;
  c.workloads_limit = options.workloads;
  reports::Counters& n = s.counters;
  if (const targets::TargetInfo* target = targets::find_target(options.target)) {
    n.reach = expected_reach(options, *target);
  }
  for (const WorkloadReport& w : totals.workloads) {
    add_reach(w.reach, &n.reach);
    ++n.workloads;
    n.crash_states += w.crash_states;
    n.io_errors_injected += w.io_faults_fired;
    n.known_suppressed += w.known_suppressed;
    n.crash_states_by_mode[w.mode] += w.crash_states;
    n.crash_states_by_durability[w.durability] += w.crash_states;
    for (const auto& [policy, count] : w.states_by_policy) {
      n.crash_states_by_policy[policy] += count;
      n.crash_states_by_case[reports::CaseKey{w.durability, policy, w.mode}] += count;
    }
    for (const reports::Violation& v : w.violations) s.violations.push_back(v);
  }
  std::sort(s.violations.begin(), s.violations.end(),
            [](const reports::Violation& a, const reports::Violation& b) { return a.id < b.id; });
  if (s.violations.size() > reports::kViolationsMax) s.violations.resize(reports::kViolationsMax);
  s.elapsed_s = totals.elapsed_s;
  s.interrupted = totals.interrupted;
  if (!s.violations.empty()) s.first_violation_s = totals.first_violation_s.value_or(s.elapsed_s);
  s.rate_series = totals.rate_series;
  // The series is sampled while workers still run; it never exceeds the total.
  for (reports::RatePoint& p : s.rate_series)
    p.crash_states = std::min(p.crash_states, n.crash_states);
  if (s.rate_series.size() > reports::kRatePointsMax) s.rate_series.resize(reports::kRatePointsMax);
  if (options.explore) s.exploration = explore_summary(options, totals);
  s.fault_model = reports::describe_fault_model(c.fs_model, c.policies, options.sector_bytes);
  s.engine_version = std::string("dbx ") + DBX_TORTURE_VERSION;
  s.toolkit_version = reports::toolkit_version();
  s.started_unix_ms = totals.started_unix_ms;
  s.finished_unix_ms = std::max(totals.finished_unix_ms, totals.started_unix_ms);
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
  s.hostname = host[0] != '\0' ? host : "unknown";
  return s;
}

}  // namespace torture
