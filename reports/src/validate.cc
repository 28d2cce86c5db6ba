// validate(): the invariants of summary.h, checked in one place so that the
// reader, merge and the writers agree on what a well-formed report is.
#include <cmath>
#include <set>
#include <string>

#include "faultfs/status_macros.h"
#include "reports/summary.h"
#include "text.h"

namespace reports {
namespace {

// A bounded, printable rendering of a value for an error message.
std::string quoted(std::string_view value) {
  constexpr size_t kQuotedBytesMax = 48;
  std::string out("\"");  // Appended piecewise: see GCC bug 105651 in text.cc.
  out += display_key(value.substr(0, kQuotedBytesMax));
  if (value.size() > kQuotedBytesMax) out += "...";
  out += '"';
  return out;
}

Status check_name(const std::string& field, std::string_view value) {
  if (text::is_name(value, kNameBytesMax)) return Status();
  return format_error(field + ": " + quoted(value) + " is not a name ([A-Za-z0-9_-], 1 to " +
                      std::to_string(kNameBytesMax) + " bytes)");
}

Status check_text(const std::string& field, std::string_view value, bool required) {
  if (required && value.empty()) return format_error(field + ": must not be empty");
  if (value.size() > kTextBytesMax) {
    return format_error(field + ": " + std::to_string(value.size()) + " bytes, more than " +
                        std::to_string(kTextBytesMax));
  }
  return Status();
}

Status check_finite(const std::string& field, double value) {
  if (std::isfinite(value) && value >= 0) return Status();
  return format_error(field + ": must be a finite number >= 0");
}

Status check_name_list(const std::string& field, const std::vector<std::string>& names) {
  if (names.empty()) return format_error(field + ": must list at least one name");
  if (names.size() > kNamesMax) {
    return format_error(field + ": more than " + std::to_string(kNamesMax) + " entries");
  }
  std::set<std::string_view> seen;
  for (size_t i = 0; i < names.size(); i++) {
    RETURN_IF_ERROR(check_name(field + "[" + std::to_string(i) + "]", names[i]));
    if (!seen.insert(names[i]).second) {
      return format_error(field + ": " + quoted(names[i]) + " is listed twice");
    }
  }
  return Status();
}

Status check_name_map(const std::string& field, const std::map<std::string, uint64_t>& map) {
  if (map.size() > kNamesMax) {
    return format_error(field + ": more than " + std::to_string(kNamesMax) + " entries");
  }
  for (const auto& [name, count] : map) {
    RETURN_IF_ERROR(check_name(field + " key", name));
  }
  return Status();
}

Status check_config(const CampaignConfig& config) {
  RETURN_IF_ERROR(check_text("target", config.target, /*required=*/true));
  RETURN_IF_ERROR(check_name_list("durability", config.durability));
  RETURN_IF_ERROR(check_name_list("modes", config.modes));
  RETURN_IF_ERROR(check_name_list("policies", config.policies));
  RETURN_IF_ERROR(check_name("fs_model", config.fs_model));
  const Shard& shard = config.shard;
  if (shard.count == 0 || shard.count > kShardCountMax) {
    return format_error("shard.count: " + std::to_string(shard.count) + " is not in [1, " +
                        std::to_string(kShardCountMax) + "]");
  }
  if (shard.indices.empty()) return format_error("shard.indices: must not be empty");
  for (size_t i = 0; i < shard.indices.size(); i++) {
    if (shard.indices[i] >= shard.count) {
      return format_error("shard.indices: " + std::to_string(shard.indices[i]) +
                          " is not below shard.count " + std::to_string(shard.count));
    }
    if (i > 0 && shard.indices[i - 1] >= shard.indices[i]) {
      return format_error("shard.indices: must be sorted and unique");
    }
  }
  if (config.threads == 0) return format_error("threads: must be >= 1");
  if (config.jobs == 0) return format_error("jobs: must be >= 1");
  if (config.time_limit_s.has_value()) return check_finite("time_limit_s", *config.time_limit_s);
  return Status();
}

// Reach rows name paths ("dbx/wal/before_sync"): a name, or names joined by '/'.
Status check_reach_map(const std::string& field, const std::map<std::string, uint64_t>& map) {
  if (map.size() > kNamesMax) {
    return format_error(field + ": more than " + std::to_string(kNamesMax) + " entries");
  }
  for (const auto& [path, count] : map) {
    if (path.size() > kTextBytesMax) return check_text(field + " key", path, true);
    size_t start = 0;
    while (true) {
      const size_t slash = std::min(path.find('/', start), path.size());
      Status status =
          check_name(field + " key", std::string_view(path).substr(start, slash - start));
      if (!status.is_ok()) return status;
      if (slash == path.size()) break;
      start = slash + 1;
    }
  }
  return Status();
}

Status check_counters(const Counters& counters) {
  Status status = check_name_map("crash_states_by_policy", counters.crash_states_by_policy);
  if (status.is_ok()) status = check_reach_map("reach.kill_points", counters.reach.kill_points);
  if (status.is_ok()) {
    status = check_reach_map("reach.recovery_outcomes", counters.reach.recovery_outcomes);
  }
  if (status.is_ok()) {
    status = check_reach_map("reach.workload_features", counters.reach.workload_features);
  }
  if (status.is_ok())
    status = check_name_map("crash_states_by_mode", counters.crash_states_by_mode);
  if (status.is_ok()) {
    status = check_name_map("crash_states_by_durability", counters.crash_states_by_durability);
  }
  if (!status.is_ok()) return status;
  if (counters.crash_states_by_case.size() > kCasesMax) {
    return format_error("crash_states_by_case: more than " + std::to_string(kCasesMax) +
                        " entries");
  }
  for (const auto& [key, count] : counters.crash_states_by_case) {
    RETURN_IF_ERROR(check_name("crash_states_by_case durability", key.durability));
    RETURN_IF_ERROR(check_name("crash_states_by_case policy", key.policy));
    RETURN_IF_ERROR(check_name("crash_states_by_case mode", key.mode));
  }
  return Status();
}

Status check_first_keys(const std::string& field, const std::vector<std::string>& keys,
                        uint64_t count) {
  if (keys.size() > kDiffKeysMax || keys.size() > count) {
    return format_error(field + ": " + std::to_string(keys.size()) + " keys, more than its count " +
                        std::to_string(count) + " or " + std::to_string(kDiffKeysMax));
  }
  for (const std::string& key : keys) {
    RETURN_IF_ERROR(check_text(field + " key", key, /*required=*/false));
  }
  return Status();
}

Status check_violation(const std::string& field, const Violation& v) {
  if (!text::is_name(v.id, kIdBytesMax)) {
    return format_error(field + ".id: " + quoted(v.id) + " is not a name ([A-Za-z0-9_-], 1 to " +
                        std::to_string(kIdBytesMax) + " bytes)");
  }
  Status status = check_name(field + ".kind", v.kind);
  if (status.is_ok()) status = check_name(field + ".durability", v.durability);
  if (status.is_ok()) status = check_name(field + ".policy", v.policy);
  if (status.is_ok()) status = check_name(field + ".mode", v.mode);
  if (status.is_ok()) status = check_text(field + ".artifact", v.artifact, /*required=*/true);
  if (status.is_ok()) status = check_text(field + ".replay", v.replay, /*required=*/true);
  if (status.is_ok()) status = check_text(field + ".detail", v.detail, /*required=*/false);
  if (status.is_ok()) status = check_text(field + ".crash_op", v.crash_op, /*required=*/false);
  if (status.is_ok()) {
    status = check_text(field + ".crash_file", v.crash_file, /*required=*/false);
  }
  const KeyDiff& diff = v.diff;
  if (status.is_ok()) {
    status =
        check_first_keys(field + ".diff.first_missing", diff.first_missing, diff.missing_count);
  }
  if (status.is_ok()) {
    status = check_first_keys(field + ".diff.first_extra", diff.first_extra, diff.extra_count);
  }
  if (status.is_ok()) {
    status = check_first_keys(field + ".diff.first_wrong", diff.first_wrong, diff.wrong_count);
  }
  if (!status.is_ok()) return status;
  if (diff.allowed_seq_lo > diff.allowed_seq_hi) {
    return format_error(field + ".diff: allowed_seq_lo " + std::to_string(diff.allowed_seq_lo) +
                        " > allowed_seq_hi " + std::to_string(diff.allowed_seq_hi));
  }
  if (diff.closest_seq.has_value() &&
      (*diff.closest_seq < diff.allowed_seq_lo || *diff.closest_seq > diff.allowed_seq_hi)) {
    return format_error(field + ".diff.closest_seq: " + std::to_string(*diff.closest_seq) +
                        " is outside the allowed range");
  }
  return Status();
}

Status check_fault_model(const FaultModel& model, const CampaignConfig& config) {
  if (model.sector_size_bytes == 0 || model.sector_size_bytes > kSectorSizeBytesMax) {
    return format_error(
        "fault_model.sector_size_bytes: " + std::to_string(model.sector_size_bytes) +
        " is not in [1, " + std::to_string(kSectorSizeBytesMax) + "]");
  }
  if (model.fs_model != config.fs_model) {
    return format_error("fault_model.fs_model: " + quoted(model.fs_model) +
                        " differs from fs_model " + quoted(config.fs_model));
  }
  if (model.policies.size() > kNamesMax) {
    return format_error("fault_model.policies: more than " + std::to_string(kNamesMax));
  }
  for (const PolicyDescription& policy : model.policies) {
    Status status = check_name("fault_model.policies name", policy.name);
    if (status.is_ok()) {
      status = check_text("fault_model.policies description", policy.description, false);
    }
    if (!status.is_ok()) return status;
  }
  if (model.beyond_contract.size() > kFaultTextsMax) {
    return format_error("fault_model.beyond_contract: more than " + std::to_string(kFaultTextsMax) +
                        " entries");
  }
  for (const std::string& text : model.beyond_contract) {
    RETURN_IF_ERROR(check_text("fault_model.beyond_contract entry", text, /*required=*/true));
  }
  return Status();
}

Status check_rate_series(const std::vector<RatePoint>& series, uint64_t crash_states) {
  if (series.size() > kRatePointsMax) {
    return format_error("rate_series: more than " + std::to_string(kRatePointsMax) + " points");
  }
  for (size_t i = 0; i < series.size(); i++) {
    const std::string field = "rate_series[" + std::to_string(i) + "]";
    RETURN_IF_ERROR(check_finite(field + ".t_s", series[i].t_s));
    if (series[i].crash_states > crash_states) {
      return format_error(field + ".crash_states: more than the campaign's crash_states");
    }
    if (i > 0 && (series[i].t_s < series[i - 1].t_s ||
                  series[i].crash_states < series[i - 1].crash_states)) {
      return format_error(field + ": t_s and crash_states must not decrease");
    }
  }
  return Status();
}

Status check_exploration(const Exploration& e) {
  if (e.alphabet.size() > kNamesMax || e.ops_from.size() > kNamesMax ||
      e.fs_models.size() > kNamesMax || e.partial_by_policy.size() > kNamesMax) {
    return format_error("exploration: a list of more than " + std::to_string(kNamesMax));
  }
  if (e.runs_done > e.runs) return format_error("exploration.runs_done: more than runs");
  if (e.enumerations_partial > e.enumerations) {
    return format_error("exploration.enumerations_partial: more than enumerations");
  }
  if (e.covered && (e.runs_done != e.runs || e.enumerations_partial != 0)) {
    return format_error("exploration.covered: set with runs or walks left out");
  }
  return check_text("exploration.coverage", e.coverage, /*required=*/true);
}

}  // namespace

Status validate(const Summary& summary) {
  RETURN_IF_ERROR(check_config(summary.config));
  RETURN_IF_ERROR(check_counters(summary.counters));
  if (summary.violations.size() > kViolationsMax) {
    return format_error("violations_list: more than " + std::to_string(kViolationsMax) +
                        " entries");
  }
  std::set<std::string_view> ids;
  for (size_t i = 0; i < summary.violations.size(); i++) {
    const Violation& violation = summary.violations[i];
    RETURN_IF_ERROR(check_violation("violations_list[" + std::to_string(i) + "]", violation));
    if (!ids.insert(violation.id).second) {
      return format_error("violations_list: id " + quoted(violation.id) + " appears twice");
    }
  }
  Status status = check_finite("elapsed_s", summary.elapsed_s);
  if (status.is_ok())
    status = check_rate_series(summary.rate_series, summary.counters.crash_states);
  if (status.is_ok()) status = check_fault_model(summary.fault_model, summary.config);
  if (status.is_ok()) status = check_text("engine_version", summary.engine_version, true);
  if (status.is_ok()) status = check_text("toolkit_version", summary.toolkit_version, true);
  if (status.is_ok()) status = check_text("hostname", summary.hostname, /*required=*/false);
  if (!status.is_ok()) return status;
  if (!summary.interrupted.empty() && !text::is_name(summary.interrupted, kNameBytesMax)) {
    return format_error("interrupted: " + quoted(summary.interrupted) + " is not a name");
  }
  if (summary.first_violation_s) {
    RETURN_IF_ERROR(check_finite("first_violation_s", *summary.first_violation_s));
    if (summary.violations.empty()) {
      return format_error("first_violation_s: set without any violation");
    }
  }
  if (summary.started_unix_ms < 0 || summary.started_unix_ms > kUnixMsMax) {
    return format_error("started_at: out of range");
  }
  if (summary.finished_unix_ms < summary.started_unix_ms || summary.finished_unix_ms > kUnixMsMax) {
    return format_error("finished_at: before started_at or out of range");
  }
  if (summary.exploration) return check_exploration(*summary.exploration);
  return Status();
}

}  // namespace reports
