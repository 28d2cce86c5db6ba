#include "summary_json_exploration.h"

#include <string>

namespace reports {

namespace {

using Json = nlohmann::json;

Status bad(const std::string& key, const char* want) {
  return format_error("exploration." + key + ": missing or not " + want);
}

Status read_u64(const Json& v, const char* key, uint64_t* out) {
  const auto it = v.find(key);
  if (it == v.end() || !it->is_number_unsigned()) return bad(key, "an unsigned number");
  *out = it->get<uint64_t>();
  return Status();
}

Status read_names(const Json& v, const char* key, std::vector<std::string>* out) {
  const auto it = v.find(key);
  if (it == v.end() || !it->is_array() || it->size() > kNamesMax) {
    return bad(key, "an array of at most 64 strings");
  }
  for (const Json& s : *it) {
    if (!s.is_string()) return bad(key, "an array of strings");
    out->push_back(s.get<std::string>());
  }
  return Status();
}

}  // namespace

nlohmann::ordered_json exploration_json(const Exploration& e) {
  return nlohmann::ordered_json{
      {"max_ops", e.max_ops},
      {"ops_from", e.ops_from},
      {"alphabet", e.alphabet},
      {"fs_models", e.fs_models},
      {"workloads", e.workloads},
      {"runs", e.runs},
      {"runs_done", e.runs_done},
      {"points", e.points},
      {"enumerations", e.enumerations},
      {"enumerations_partial", e.enumerations_partial},
      {"partial_by_policy", e.partial_by_policy},
      {"distinct_images", e.images},
      {"duplicates_in_walks", e.duplicates},
      {"duplicates_skipped", e.skipped},
      {"sampled_images", e.sampled},
      {"covered", e.covered},
      {"coverage", e.coverage},
  };
}

Status read_exploration(const Json& v, Exploration* e) {
  if (!v.is_object()) return format_error("exploration: not an object");
  uint64_t max_ops = 0;
  Status s = read_u64(v, "max_ops", &max_ops);
  e->max_ops = static_cast<uint32_t>(max_ops);
  if (s.is_ok() && max_ops > UINT32_MAX) s = bad("max_ops", "a 32-bit number");
  for (auto [key, field] :
       {std::pair{"workloads", &e->workloads}, std::pair{"runs", &e->runs},
        std::pair{"runs_done", &e->runs_done}, std::pair{"points", &e->points},
        std::pair{"enumerations", &e->enumerations},
        std::pair{"enumerations_partial", &e->enumerations_partial},
        std::pair{"distinct_images", &e->images}, std::pair{"duplicates_in_walks", &e->duplicates},
        std::pair{"duplicates_skipped", &e->skipped}, std::pair{"sampled_images", &e->sampled}}) {
    if (s.is_ok()) s = read_u64(v, key, field);
  }
  if (s.is_ok()) s = read_names(v, "ops_from", &e->ops_from);
  if (s.is_ok()) s = read_names(v, "alphabet", &e->alphabet);
  if (s.is_ok()) s = read_names(v, "fs_models", &e->fs_models);
  if (!s.is_ok()) return s;
  const auto partial = v.find("partial_by_policy");
  if (partial == v.end() || !partial->is_object() || partial->size() > kNamesMax) {
    return bad("partial_by_policy", "an object");
  }
  for (const auto& [name, count] : partial->items()) {
    if (!count.is_number_unsigned()) return bad("partial_by_policy", "counts");
    e->partial_by_policy[name] = count.get<uint64_t>();
  }
  const auto covered = v.find("covered");
  const auto coverage = v.find("coverage");
  if (covered == v.end() || !covered->is_boolean()) return bad("covered", "a boolean");
  if (coverage == v.end() || !coverage->is_string()) return bad("coverage", "a string");
  e->covered = covered->get<bool>();
  e->coverage = coverage->get<std::string>();
  if (e->runs_done > e->runs) return format_error("exploration.runs_done: more than runs");
  return Status();
}

}  // namespace reports
