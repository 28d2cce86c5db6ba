// summary_to_json(): the writer half of summary_json.h.
#include <cassert>
#include <nlohmann/json.hpp>

#include "reports/summary_json.h"
#include "summary_json_exploration.h"

namespace reports {
namespace {

// Keys in the order a person reading the file expects: identity, counts, verdict.
using Json = nlohmann::ordered_json;

Json optional_json(const std::optional<uint64_t>& value) {
  return value.has_value() ? Json(*value) : Json(nullptr);
}

Json violation_json(const Violation& v) {
  const KeyDiff& d = v.diff;
  Json diff = {
      {"missing", d.missing_count},
      {"extra", d.extra_count},
      {"wrong", d.wrong_count},
      {"first_missing", d.first_missing},
      {"first_extra", d.first_extra},
      {"first_wrong", d.first_wrong},
      {"allowed_seq_lo", d.allowed_seq_lo},
      {"allowed_seq_hi", d.allowed_seq_hi},
      {"closest_seq", optional_json(d.closest_seq)},
      {"recovered_seq", optional_json(d.recovered_seq)},
  };
  return Json{
      {"id", v.id},
      {"kind", v.kind},
      {"durability", v.durability},
      {"policy", v.policy},
      {"mode", v.mode},
      {"artifact", v.artifact},
      {"replay", v.replay},
      {"detail", v.detail},
      {"crash_op", v.crash_op},
      {"crash_file", v.crash_file},
      {"diff", std::move(diff)},
  };
}

Json count_map_json(const std::map<std::string, uint64_t>& map);

// "unreached" is derived (the reader recomputes it): for triage.
Json reach_json(const Reach& reach) {
  return Json{{"kill_points", count_map_json(reach.kill_points)},
              {"recovery_outcomes", count_map_json(reach.recovery_outcomes)},
              {"workload_features", count_map_json(reach.workload_features)},
              {"unreached", unreached(reach)}};
}

Json count_map_json(const std::map<std::string, uint64_t>& map) {
  Json object = Json::object();
  for (const auto& [name, count] : map) object[name] = count;
  return object;
}

// The sections below each append their keys to `root` in file order, so
// summary_to_json() calls them in the order the file shows them.

void add_config(const CampaignConfig& config, Json* root) {
  Json& r = *root;
  r["target"] = config.target;
  r["durability"] = config.durability;
  r["modes"] = config.modes;
  r["policies"] = config.policies;
  r["fs_model"] = config.fs_model;
  r["seed"] = config.seed;
  r["shard"] = {{"count", config.shard.count}, {"indices", config.shard.indices}};
  r["ops"] = config.ops;
  r["threads"] = config.threads;
  r["jobs"] = config.jobs;
  r["io_errors"] = config.io_errors;
  r["time_limit_s"] = config.time_limit_s.has_value() ? Json(*config.time_limit_s) : Json(nullptr);
  r["workloads_limit"] = optional_json(config.workloads_limit);
}

void add_counters(const Counters& counters, Json* root) {
  Json& r = *root;
  r["workloads"] = counters.workloads;
  r["crash_states"] = counters.crash_states;
  r["crash_states_by_policy"] = count_map_json(counters.crash_states_by_policy);
  r["crash_states_by_mode"] = count_map_json(counters.crash_states_by_mode);
  r["crash_states_by_durability"] = count_map_json(counters.crash_states_by_durability);
  Json by_case = Json::array();
  for (const auto& [key, count] : counters.crash_states_by_case) {
    by_case.push_back({{"durability", key.durability},
                       {"policy", key.policy},
                       {"mode", key.mode},
                       {"crash_states", count}});
  }
  r["crash_states_by_case"] = std::move(by_case);
  r["io_errors_injected"] = counters.io_errors_injected;
  r["known_suppressed"] = counters.known_suppressed;
  r["reach"] = reach_json(counters.reach);
}

void add_verdict(const Summary& summary, Json* root) {
  Json& r = *root;
  r["violations"] = summary.violations.size();
  Json violations = Json::array();
  for (const Violation& violation : summary.violations) {
    violations.push_back(violation_json(violation));
  }
  r["violations_list"] = std::move(violations);
  // Derived from violations_list (the reader recomputes it): for triage.
  Json causes = Json::array();
  for (const CauseGroup& group : group_by_cause(summary.violations)) {
    causes.push_back({{"kind", group.cause.kind},
                      {"policy", group.cause.policy},
                      {"crash_op", group.cause.crash_op},
                      {"crash_file", group.cause.crash_file},
                      {"violations", group.violations},
                      {"first_id", group.first_id}});
  }
  r["distinct_causes"] = causes.size();
  r["causes"] = std::move(causes);
  r["first_violation_s"] =
      summary.first_violation_s.has_value() ? Json(*summary.first_violation_s) : Json(nullptr);
  r["interrupted"] = summary.interrupted.empty() ? Json(nullptr) : Json(summary.interrupted);
}

void add_rate(const Summary& summary, Json* root) {
  Json& r = *root;
  r["elapsed_s"] = summary.elapsed_s;
  r["crash_states_per_s"] = crash_states_per_s(summary);
  Json series = Json::array();
  for (const RatePoint& point : summary.rate_series) {
    series.push_back({{"t_s", point.t_s}, {"crash_states", point.crash_states}});
  }
  r["rate_series"] = std::move(series);
}

void add_provenance(const Summary& summary, Json* root) {
  Json& r = *root;
  const FaultModel& model = summary.fault_model;
  Json policies = Json::array();
  for (const PolicyDescription& policy : model.policies) {
    policies.push_back({{"name", policy.name}, {"description", policy.description}});
  }
  r["fault_model"] = {{"sector_size_bytes", model.sector_size_bytes},
                      {"fs_model", model.fs_model},
                      {"policies", std::move(policies)},
                      {"beyond_contract", model.beyond_contract}};
  r["engine_version"] = summary.engine_version;
  r["toolkit_version"] = summary.toolkit_version;
  r["started_at"] = format_utc_timestamp(summary.started_unix_ms);
  r["finished_at"] = format_utc_timestamp(summary.finished_unix_ms);
  r["hostname"] = summary.hostname;
}

}  // namespace

std::string summary_to_json(const Summary& summary) {
  assert(validate(summary).is_ok());
  Json root = Json::object();
  root["format"] = "dbx-torture-summary";
  root["format_version"] = kSummaryFormatVersion;
  add_config(summary.config, &root);
  add_counters(summary.counters, &root);
  add_verdict(summary, &root);
  add_rate(summary, &root);
  add_provenance(summary, &root);
  if (summary.exploration) root["exploration"] = exploration_json(*summary.exploration);
  assert(root.at("violations") == summary.violations.size());
  // `replace`: invalid UTF-8 (a non-UTF-8 path, say) becomes U+FFFD instead of
  // throwing, so writing a report cannot fail on the data it reports.
  return root.dump(2, ' ', /*ensure_ascii=*/false, Json::error_handler_t::replace) + "\n";
}

}  // namespace reports
