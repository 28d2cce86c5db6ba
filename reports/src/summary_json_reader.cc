// summary_from_json(): the reader half of summary_json.h. Every access is
// type-checked first, so malformed input yields an error naming the key, and
// nlohmann's exceptions are confined to parse().
#include <algorithm>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>

#include "faultfs/status_macros.h"
#include "reports/summary_json.h"
#include "summary_json_exploration.h"

namespace reports {
namespace {

using Json = nlohmann::json;

// Deeper nesting than any summary has is rejected before parsing, so no
// parser or destructor can recurse on hostile input.
constexpr size_t kNestingDepthMax = 16;

Status check_nesting(std::string_view text) {
  size_t depth = 0;
  bool in_string = false;
  bool escaped = false;
  for (const char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      depth++;
      if (depth > kNestingDepthMax) {
        return format_error("summary.json: nested deeper than " + std::to_string(kNestingDepthMax) +
                            " levels");
      }
    } else if ((c == ']' || c == '}') && depth > 0) {
      depth--;
    }
  }
  return Status();
}

Status wrong_type(const std::string& field, const char* expected, const Json& value) {
  return format_error(field + ": expected " + expected + ", got " + value.type_name());
}

Status read(const Json& value, const std::string& field, std::string* out) {
  if (!value.is_string()) return wrong_type(field, "a string", value);
  *out = value.get<std::string>();
  return Status();
}

Status read(const Json& value, const std::string& field, uint64_t* out) {
  if (!value.is_number_unsigned()) return wrong_type(field, "an unsigned integer", value);
  *out = value.get<uint64_t>();
  return Status();
}

Status read(const Json& value, const std::string& field, uint32_t* out) {
  uint64_t wide = 0;
  RETURN_IF_ERROR(read(value, field, &wide));
  if (wide > std::numeric_limits<uint32_t>::max()) {
    return format_error(field + ": " + std::to_string(wide) + " does not fit 32 bits");
  }
  *out = static_cast<uint32_t>(wide);
  return Status();
}

Status read(const Json& value, const std::string& field, double* out) {
  if (!value.is_number()) return wrong_type(field, "a number", value);
  *out = value.get<double>();
  return Status();
}

Status read(const Json& value, const std::string& field, bool* out) {
  if (!value.is_boolean()) return wrong_type(field, "true or false", value);
  *out = value.get<bool>();
  return Status();
}

template <typename T>
Status read(const Json& value, const std::string& field, std::optional<T>* out) {
  if (value.is_null()) {
    out->reset();
    return Status();
  }
  T inner{};
  Status status = read(value, field, &inner);
  if (status.is_ok()) *out = std::move(inner);
  return status;
}

template <typename T>
Status read(const Json& value, const std::string& field, std::vector<T>* out) {
  if (!value.is_array()) return wrong_type(field, "an array", value);
  out->clear();
  for (size_t i = 0; i < value.size(); i++) {
    T element{};
    RETURN_IF_ERROR(read(value[i], field + "[" + std::to_string(i) + "]", &element));
    out->push_back(std::move(element));
  }
  return Status();
}

Status read(const Json& value, const std::string& field, std::map<std::string, uint64_t>* out) {
  if (!value.is_object()) return wrong_type(field, "an object", value);
  out->clear();
  for (const auto& [name, count] : value.items()) {
    RETURN_IF_ERROR(read(count, field + "." + name, &(*out)[name]));
  }
  return Status();
}

template <typename T>
Status read_key(const Json& object, const std::string& parent, const char* key, T* out) {
  const std::string field = parent.empty() ? std::string(key) : parent + "." + key;
  if (!object.is_object()) return wrong_type(parent, "an object", object);
  const auto it = object.find(key);
  if (it == object.end()) return format_error(field + ": missing");
  return read(*it, field, out);
}

// The file-system model: "fs_model", or in a summary of an older build
// "dir_mode", whose "strict" is "posix"; its "lenient" is a retired model
// that merges with nothing now, so it is refused rather than misread.
Status read_fs_model(const Json& object, const std::string& parent, std::string* out) {
  if (!object.is_object() || object.contains("fs_model") || !object.contains("dir_mode")) {
    return read_key(object, parent, "fs_model", out);
  }
  std::string legacy;
  RETURN_IF_ERROR(read_key(object, parent, "dir_mode", &legacy));
  const std::string field = parent.empty() ? std::string("dir_mode") : parent + ".dir_mode";
  if (legacy != "strict") {
    return format_error(field + ": \"" + legacy + "\"" +
                        " is a retired directory mode (now --fs-model posix or ext4-ordered)");
  }
  *out = "posix";
  return Status();
}

// Keys newer than the first summaries (a crash point, an interruption): an
// absent key keeps the default, so older reports still read and merge.
template <typename T>
Status read_newer_key(const Json& object, const std::string& parent, const char* key, T* out) {
  if (!object.is_object() || !object.contains(key)) return Status();
  return read_key(object, parent, key, out);
}

// Rejects an array longer than `size_max` before its elements are copied.
Status read_bounded_array(const Json& object, const std::string& parent, const char* key,
                          size_t size_max, const Json** out) {
  const std::string field = parent.empty() ? std::string(key) : parent + "." + key;
  const auto it = object.find(key);
  if (it == object.end()) return format_error(field + ": missing");
  if (!it->is_array()) return wrong_type(field, "an array", *it);
  if (it->size() > size_max) {
    return format_error(field + ": more than " + std::to_string(size_max) + " entries");
  }
  *out = &*it;
  return Status();
}

Status read_diff(const Json& value, const std::string& field, KeyDiff* d) {
  Status s = read_key(value, field, "missing", &d->missing_count);
  if (s.is_ok()) s = read_key(value, field, "extra", &d->extra_count);
  if (s.is_ok()) s = read_key(value, field, "wrong", &d->wrong_count);
  if (s.is_ok()) s = read_key(value, field, "first_missing", &d->first_missing);
  if (s.is_ok()) s = read_key(value, field, "first_extra", &d->first_extra);
  if (s.is_ok()) s = read_key(value, field, "first_wrong", &d->first_wrong);
  if (s.is_ok()) s = read_key(value, field, "allowed_seq_lo", &d->allowed_seq_lo);
  if (s.is_ok()) s = read_key(value, field, "allowed_seq_hi", &d->allowed_seq_hi);
  if (s.is_ok()) s = read_key(value, field, "closest_seq", &d->closest_seq);
  if (s.is_ok()) s = read_key(value, field, "recovered_seq", &d->recovered_seq);
  return s;
}

Status read_violation(const Json& value, const std::string& field, Violation* v) {
  RETURN_IF_ERROR(read_key(value, field, "id", &v->id));
  RETURN_IF_ERROR(read_key(value, field, "kind", &v->kind));
  RETURN_IF_ERROR(read_key(value, field, "durability", &v->durability));
  RETURN_IF_ERROR(read_key(value, field, "policy", &v->policy));
  RETURN_IF_ERROR(read_key(value, field, "mode", &v->mode));
  RETURN_IF_ERROR(read_key(value, field, "artifact", &v->artifact));
  RETURN_IF_ERROR(read_key(value, field, "replay", &v->replay));
  RETURN_IF_ERROR(read_key(value, field, "detail", &v->detail));
  RETURN_IF_ERROR(read_newer_key(value, field, "crash_op", &v->crash_op));
  RETURN_IF_ERROR(read_newer_key(value, field, "crash_file", &v->crash_file));
  const auto diff = value.find("diff");
  if (diff == value.end()) return format_error(field + ".diff: missing");
  if (!diff->is_object()) return wrong_type(field + ".diff", "an object", *diff);
  return read_diff(*diff, field + ".diff", &v->diff);
}

Status read_config(const Json& root, CampaignConfig* c) {
  RETURN_IF_ERROR(read_key(root, "", "target", &c->target));
  RETURN_IF_ERROR(read_key(root, "", "durability", &c->durability));
  RETURN_IF_ERROR(read_key(root, "", "modes", &c->modes));
  RETURN_IF_ERROR(read_key(root, "", "policies", &c->policies));
  RETURN_IF_ERROR(read_fs_model(root, "", &c->fs_model));
  RETURN_IF_ERROR(read_key(root, "", "seed", &c->seed));
  RETURN_IF_ERROR(read_key(root, "", "ops", &c->ops));
  RETURN_IF_ERROR(read_key(root, "", "threads", &c->threads));
  RETURN_IF_ERROR(read_key(root, "", "jobs", &c->jobs));
  RETURN_IF_ERROR(read_key(root, "", "io_errors", &c->io_errors));
  RETURN_IF_ERROR(read_key(root, "", "time_limit_s", &c->time_limit_s));
  RETURN_IF_ERROR(read_key(root, "", "workloads_limit", &c->workloads_limit));
  const auto shard = root.find("shard");
  if (shard == root.end()) return format_error("shard: missing");
  if (!shard->is_object()) return wrong_type("shard", "an object", *shard);
  Status s = read_key(*shard, "shard", "count", &c->shard.count);
  const auto indices = shard->find("indices");
  if (s.is_ok() && indices != shard->end() && indices->is_array() &&
      indices->size() > kShardCountMax) {
    return format_error("shard.indices: more than " + std::to_string(kShardCountMax));
  }
  if (s.is_ok()) s = read_key(*shard, "shard", "indices", &c->shard.indices);
  return s;
}

// Newer than the first summaries: absent, every row is empty.
Status read_reach(const Json& root, Reach* reach) {
  const auto it = root.find("reach");
  if (it == root.end()) return Status();
  if (!it->is_object()) return wrong_type("reach", "an object", *it);
  Status s = read_newer_key(*it, "reach", "kill_points", &reach->kill_points);
  if (s.is_ok()) s = read_newer_key(*it, "reach", "recovery_outcomes", &reach->recovery_outcomes);
  if (s.is_ok()) s = read_newer_key(*it, "reach", "workload_features", &reach->workload_features);
  const size_t rows =
      reach->kill_points.size() + reach->recovery_outcomes.size() + reach->workload_features.size();
  if (s.is_ok() && rows > kNamesMax) {
    return format_error("reach: more than " + std::to_string(kNamesMax) + " rows");
  }
  return s;
}

Status read_counters(const Json& root, Counters* c) {
  Status s = read_key(root, "", "workloads", &c->workloads);
  if (s.is_ok()) s = read_key(root, "", "crash_states", &c->crash_states);
  if (s.is_ok()) s = read_key(root, "", "crash_states_by_policy", &c->crash_states_by_policy);
  if (s.is_ok()) s = read_key(root, "", "crash_states_by_mode", &c->crash_states_by_mode);
  if (s.is_ok()) {
    s = read_key(root, "", "crash_states_by_durability", &c->crash_states_by_durability);
  }
  if (s.is_ok()) s = read_key(root, "", "io_errors_injected", &c->io_errors_injected);
  // Absent from summaries written before --known existed: none suppressed.
  if (s.is_ok() && root.contains("known_suppressed")) {
    s = read_key(root, "", "known_suppressed", &c->known_suppressed);
  }
  if (s.is_ok()) s = read_reach(root, &c->reach);
  const Json* by_case = nullptr;
  if (s.is_ok()) s = read_bounded_array(root, "", "crash_states_by_case", kCasesMax, &by_case);
  if (!s.is_ok()) return s;
  for (size_t i = 0; i < by_case->size(); i++) {
    const std::string field = "crash_states_by_case[" + std::to_string(i) + "]";
    CaseKey key;
    uint64_t count = 0;
    RETURN_IF_ERROR(read_key((*by_case)[i], field, "durability", &key.durability));
    RETURN_IF_ERROR(read_key((*by_case)[i], field, "policy", &key.policy));
    RETURN_IF_ERROR(read_key((*by_case)[i], field, "mode", &key.mode));
    RETURN_IF_ERROR(read_key((*by_case)[i], field, "crash_states", &count));
    if (!c->crash_states_by_case.emplace(key, count).second) {
      return format_error(field + ": case " + case_name(key) + " appears twice");
    }
  }
  return Status();
}

Status read_fault_model(const Json& root, FaultModel* m) {
  const auto model = root.find("fault_model");
  if (model == root.end()) return format_error("fault_model: missing");
  if (!model->is_object()) return wrong_type("fault_model", "an object", *model);
  Status s = read_key(*model, "fault_model", "sector_size_bytes", &m->sector_size_bytes);
  if (s.is_ok()) s = read_fs_model(*model, "fault_model", &m->fs_model);
  if (s.is_ok()) s = read_key(*model, "fault_model", "beyond_contract", &m->beyond_contract);
  const Json* policies = nullptr;
  if (s.is_ok()) s = read_bounded_array(*model, "fault_model", "policies", kNamesMax, &policies);
  if (!s.is_ok()) return s;
  for (size_t i = 0; i < policies->size(); i++) {
    const std::string field = "fault_model.policies[" + std::to_string(i) + "]";
    PolicyDescription policy;
    RETURN_IF_ERROR(read_key((*policies)[i], field, "name", &policy.name));
    RETURN_IF_ERROR(read_key((*policies)[i], field, "description", &policy.description));
    m->policies.push_back(std::move(policy));
  }
  return Status();
}

Status read_summary(const Json& root, Summary* summary) {
  if (!root.is_object()) return wrong_type("summary.json", "an object", root);
  std::string format;
  uint64_t version = 0;
  Status s = read_key(root, "", "format", &format);
  if (s.is_ok() && format != "dbx-torture-summary") {
    return format_error("format: \"dbx-torture-summary\" expected");
  }
  if (s.is_ok()) s = read_key(root, "", "format_version", &version);
  if (s.is_ok() && version != kSummaryFormatVersion) {
    return format_error("format_version: " + std::to_string(version) + " is not " +
                        std::to_string(kSummaryFormatVersion) +
                        " (written by another dbx-torture version?)");
  }
  if (s.is_ok()) s = read_config(root, &summary->config);
  if (s.is_ok()) s = read_counters(root, &summary->counters);
  if (s.is_ok()) s = read_fault_model(root, &summary->fault_model);
  if (s.is_ok()) s = read_key(root, "", "elapsed_s", &summary->elapsed_s);
  if (s.is_ok()) s = read_key(root, "", "engine_version", &summary->engine_version);
  if (s.is_ok()) s = read_key(root, "", "toolkit_version", &summary->toolkit_version);
  if (s.is_ok()) s = read_key(root, "", "hostname", &summary->hostname);
  if (s.is_ok()) s = read_newer_key(root, "", "first_violation_s", &summary->first_violation_s);
  std::optional<std::string> interrupted;
  if (s.is_ok()) s = read_newer_key(root, "", "interrupted", &interrupted);
  summary->interrupted = interrupted.value_or("");
  const Json* violations = nullptr;
  if (s.is_ok()) s = read_bounded_array(root, "", "violations_list", kViolationsMax, &violations);
  if (!s.is_ok()) return s;
  for (size_t i = 0; i < violations->size(); i++) {
    const std::string field = "violations_list[" + std::to_string(i) + "]";
    if (!(*violations)[i].is_object()) return wrong_type(field, "an object", (*violations)[i]);
    Violation violation;
    RETURN_IF_ERROR(read_violation((*violations)[i], field, &violation));
    summary->violations.push_back(std::move(violation));
  }
  uint64_t violation_count = 0;
  RETURN_IF_ERROR(read_key(root, "", "violations", &violation_count));
  if (violation_count != summary->violations.size()) {
    return format_error("violations: " + std::to_string(violation_count) +
                        " differs from the length of violations_list (" +
                        std::to_string(summary->violations.size()) + ")");
  }
  const Json* series = nullptr;
  RETURN_IF_ERROR(read_bounded_array(root, "", "rate_series", kRatePointsMax, &series));
  for (size_t i = 0; i < series->size(); i++) {
    const std::string field = "rate_series[" + std::to_string(i) + "]";
    RatePoint point;
    RETURN_IF_ERROR(read_key((*series)[i], field, "t_s", &point.t_s));
    RETURN_IF_ERROR(read_key((*series)[i], field, "crash_states", &point.crash_states));
    summary->rate_series.push_back(point);
  }
  std::string started_at;
  std::string finished_at;
  RETURN_IF_ERROR(read_key(root, "", "started_at", &started_at));
  RETURN_IF_ERROR(read_key(root, "", "finished_at", &finished_at));
  Result<int64_t> started = parse_utc_timestamp(started_at);
  if (!started.is_ok()) return format_error("started_at: " + started.status().message());
  Result<int64_t> finished = parse_utc_timestamp(finished_at);
  if (!finished.is_ok()) return format_error("finished_at: " + finished.status().message());
  summary->started_unix_ms = started.value();
  summary->finished_unix_ms = finished.value();
  if (root.contains("exploration")) {
    summary->exploration.emplace();
    RETURN_IF_ERROR(read_exploration(root.at("exploration"), &*summary->exploration));
  }
  return Status();
}

}  // namespace

Result<Summary> summary_from_json(std::string_view text) {
  if (text.size() > kSummaryJsonBytesMax) {
    return format_error("summary.json: " + std::to_string(text.size()) + " bytes, more than " +
                        std::to_string(kSummaryJsonBytesMax));
  }
  RETURN_IF_ERROR(check_nesting(text));
  Json root;
  try {
    root = Json::parse(text);
  } catch (const Json::exception& error) {
    // nlohmann's message names the byte offset and what it expected there.
    return format_error(std::string("summary.json is not valid JSON: ") + error.what());
  }
  Summary summary;
  RETURN_IF_ERROR(read_summary(root, &summary));
  RETURN_IF_ERROR(validate(summary));
  // Derived, not stored in the model: a value that disagrees means the file
  // was edited by hand or by a buggy writer, and its counts cannot be trusted.
  double rate = 0;
  RETURN_IF_ERROR(read_key(root, "", "crash_states_per_s", &rate));
  const double expected = crash_states_per_s(summary);
  if (!(std::fabs(rate - expected) <= 1e-9 * std::max(1.0, expected))) {
    return format_error("crash_states_per_s: " + std::to_string(rate) +
                        " is not crash_states / elapsed_s (" + std::to_string(expected) + ")");
  }
  return summary;
}

}  // namespace reports
