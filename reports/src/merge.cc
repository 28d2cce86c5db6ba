#include "reports/merge.h"

#include <algorithm>
#include <cassert>
#include <limits>
#include <map>
#include <set>

namespace reports {
namespace {

// "2/4" for one shard, "{0,1,3}/4" for a merged summary.
std::string shard_label(const Shard& shard) {
  assert(!shard.indices.empty());
  std::string label;
  if (shard.indices.size() == 1) {
    label = std::to_string(shard.indices[0]);
  } else {
    label = "{";
    for (size_t i = 0; i < shard.indices.size(); i++) {
      if (i > 0) label += ',';
      label += std::to_string(shard.indices[i]);
    }
    label += "}";
  }
  return label + "/" + std::to_string(shard.count);
}

std::string join(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& name : names) out += (out.empty() ? "" : ",") + name;
  return "[" + out + "]";
}

template <typename T>
std::string optional_text(const std::optional<T>& value) {
  return value.has_value() ? std::to_string(*value) : "none";
}

// The first field in which `b` is not the campaign `a` is, as "field: a vs b".
std::optional<std::string> campaign_difference(const Summary& a, const Summary& b) {
  const CampaignConfig& x = a.config;
  const CampaignConfig& y = b.config;
  auto differ = [](const std::string& field, const std::string& u, const std::string& v) {
    return std::optional<std::string>(field + " " + u + " vs " + v);
  };
  if (x.target != y.target) return differ("target", x.target, y.target);
  if (x.durability != y.durability) {
    return differ("durability", join(x.durability), join(y.durability));
  }
  if (x.modes != y.modes) return differ("modes", join(x.modes), join(y.modes));
  if (x.policies != y.policies) return differ("policies", join(x.policies), join(y.policies));
  if (x.fs_model != y.fs_model) return differ("fs_model", x.fs_model, y.fs_model);
  if (x.seed != y.seed) return differ("seed", std::to_string(x.seed), std::to_string(y.seed));
  if (x.shard.count != y.shard.count) {
    return differ("shard count", std::to_string(x.shard.count), std::to_string(y.shard.count));
  }
  if (x.ops != y.ops) return differ("ops", std::to_string(x.ops), std::to_string(y.ops));
  if (x.threads != y.threads) {
    return differ("threads", std::to_string(x.threads), std::to_string(y.threads));
  }
  if (x.io_errors != y.io_errors) {
    return differ("io_errors", x.io_errors ? "on" : "off", y.io_errors ? "on" : "off");
  }
  if (x.time_limit_s != y.time_limit_s) {
    return differ("time_limit_s", optional_text(x.time_limit_s), optional_text(y.time_limit_s));
  }
  if (x.workloads_limit != y.workloads_limit) {
    return differ("workloads_limit", optional_text(x.workloads_limit),
                  optional_text(y.workloads_limit));
  }
  if (a.fault_model.sector_size_bytes != b.fault_model.sector_size_bytes) {
    return differ("fault_model.sector_size_bytes", std::to_string(a.fault_model.sector_size_bytes),
                  std::to_string(b.fault_model.sector_size_bytes));
  }
  if (a.fault_model != b.fault_model) {
    return std::optional<std::string>(
        "fault_model: the declared policies or beyond-contract "
        "texts differ");
  }
  if (a.engine_version != b.engine_version) {
    return differ("engine_version", a.engine_version, b.engine_version);
  }
  if (a.toolkit_version != b.toolkit_version) {
    return differ("toolkit_version", a.toolkit_version, b.toolkit_version);
  }
  return std::nullopt;
}

[[nodiscard]] bool add_checked(uint64_t* total, uint64_t value) {
  return !__builtin_add_overflow(*total, value, total);
}

template <typename Key>
[[nodiscard]] bool add_map(std::map<Key, uint64_t>* total, const std::map<Key, uint64_t>& part) {
  for (const auto& [key, count] : part) {
    if (!add_checked(&(*total)[key], count)) return false;
  }
  return true;
}

[[nodiscard]] bool add_counters(Counters* total, const Counters& part) {
  return add_checked(&total->workloads, part.workloads) &&
         add_checked(&total->crash_states, part.crash_states) &&
         add_checked(&total->io_errors_injected, part.io_errors_injected) &&
         add_checked(&total->known_suppressed, part.known_suppressed) &&
         add_map(&total->crash_states_by_policy, part.crash_states_by_policy) &&
         add_map(&total->crash_states_by_mode, part.crash_states_by_mode) &&
         add_map(&total->crash_states_by_durability, part.crash_states_by_durability) &&
         add_map(&total->crash_states_by_case, part.crash_states_by_case) &&
         add_map(&total->reach.kill_points, part.reach.kill_points) &&
         add_map(&total->reach.recovery_outcomes, part.reach.recovery_outcomes) &&
         add_map(&total->reach.workload_features, part.reach.workload_features);
}

// The sum of the shards' cumulative curves: each point contributes its
// increase at its time, and the merged curve steps at every distinct time.
std::vector<RatePoint> merge_rate_series(const std::vector<const Summary*>& shards) {
  std::vector<RatePoint> steps;  // crash_states holds the increase at t_s.
  for (const Summary* shard : shards) {
    uint64_t previous = 0;
    for (const RatePoint& point : shard->rate_series) {
      assert(point.crash_states >= previous);
      steps.push_back({point.t_s, point.crash_states - previous});
      previous = point.crash_states;
    }
  }
  std::stable_sort(steps.begin(), steps.end(),
                   [](const RatePoint& l, const RatePoint& r) { return l.t_s < r.t_s; });
  std::vector<RatePoint> merged;
  uint64_t total = 0;
  for (const RatePoint& step : steps) {
    total += step.crash_states;  // Bounded by the summed crash_states, checked already.
    if (!merged.empty() && merged.back().t_s == step.t_s) {
      merged.back().crash_states = total;
    } else {
      merged.push_back({step.t_s, total});
    }
  }
  if (merged.size() <= kRatePointsMax) return merged;
  // Thin out evenly, always keeping the last point (the final count).
  std::vector<RatePoint> thinned;
  thinned.reserve(kRatePointsMax);
  for (size_t i = 0; i < kRatePointsMax; i++) {
    thinned.push_back(merged[(i + 1) * merged.size() / kRatePointsMax - 1]);
  }
  assert(thinned.back() == merged.back());
  return thinned;
}

std::string merge_hostnames(const std::vector<const Summary*>& shards) {
  std::set<std::string> hosts;
  for (const Summary* shard : shards) {
    std::string_view rest = shard->hostname;
    while (!rest.empty()) {
      const size_t comma = rest.find(", ");
      hosts.emplace(rest.substr(0, comma));
      rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 2);
    }
  }
  std::string joined;
  for (const std::string& host : hosts) {
    if (host.empty()) continue;
    if (joined.size() + host.size() + 2 > kTextBytesMax - 8) {
      joined += ", ...";
      break;
    }
    joined += (joined.empty() ? "" : ", ") + host;
  }
  assert(joined.size() <= kTextBytesMax);
  return joined;
}

}  // namespace

Result<Summary> merge_summaries(const std::vector<Summary>& shards) {
  if (shards.empty()) return format_error("merge: no summaries to merge");
  std::map<uint32_t, size_t> owner;  // Shard index -> position in `shards`.
  for (size_t i = 0; i < shards.size(); i++) {
    Status status = validate(shards[i]);
    if (!status.is_ok())
      return format_error("merge: summary " + std::to_string(i + 1) +
                          " is malformed: " + status.message());
    const std::optional<std::string> difference = campaign_difference(shards[0], shards[i]);
    if (difference.has_value()) {
      return format_error("merge: shard " + shard_label(shards[i].config.shard) +
                          " is from another campaign than shard " +
                          shard_label(shards[0].config.shard) + ": " + *difference);
    }
    for (const uint32_t index : shards[i].config.shard.indices) {
      const auto [it, inserted] = owner.emplace(index, i);
      if (!inserted) {
        return format_error("merge: shard " + std::to_string(index) + "/" +
                            std::to_string(shards[i].config.shard.count) +
                            " appears twice (summaries " + std::to_string(it->second + 1) +
                            " and " + std::to_string(i + 1) + ")");
      }
    }
  }
  // Shard order, not argument order: merge(a, b) == merge(b, a).
  std::vector<const Summary*> ordered;
  for (const Summary& shard : shards) ordered.push_back(&shard);
  std::sort(ordered.begin(), ordered.end(), [](const Summary* l, const Summary* r) {
    return l->config.shard.indices[0] < r->config.shard.indices[0];
  });

  Summary merged = *ordered[0];
  merged.config.shard.indices.clear();
  for (const auto& [index, position] : owner) merged.config.shard.indices.push_back(index);
  merged.counters = Counters();
  merged.violations.clear();
  merged.first_violation_s.reset();
  merged.interrupted.clear();
  uint64_t jobs = 0;
  std::set<std::string_view> violation_ids;
  for (const Summary* shard : ordered) {
    if (!add_counters(&merged.counters, shard->counters)) {
      return format_error("merge: a counter overflows 64 bits");
    }
    jobs += shard->config.jobs;
    merged.elapsed_s = std::max(merged.elapsed_s, shard->elapsed_s);
    merged.started_unix_ms = std::min(merged.started_unix_ms, shard->started_unix_ms);
    merged.finished_unix_ms = std::max(merged.finished_unix_ms, shard->finished_unix_ms);
    // Shards run side by side: the first violation of any is the campaign's.
    if (shard->first_violation_s) {
      merged.first_violation_s = std::min(
          merged.first_violation_s.value_or(*shard->first_violation_s), *shard->first_violation_s);
    }
    if (merged.interrupted.empty()) merged.interrupted = shard->interrupted;
    for (const Violation& violation : shard->violations) {
      if (!violation_ids.insert(violation.id).second) {
        return format_error("merge: violation id \"" + violation.id +
                            "\" appears in two shards; ids must be unique in a campaign");
      }
      merged.violations.push_back(violation);
    }
  }
  if (jobs > std::numeric_limits<uint32_t>::max()) {
    return format_error("merge: jobs overflow 32 bits");
  }
  merged.config.jobs = static_cast<uint32_t>(jobs);
  merged.rate_series = merge_rate_series(ordered);
  merged.hostname = merge_hostnames(ordered);

  Status status = validate(merged);
  if (!status.is_ok()) return format_error("merge: the merged summary " + status.message());
  assert(merged.config.shard.indices.size() == owner.size());
  return merged;
}

}  // namespace reports
