#include "explore_report.h"

#include <cstdio>

#include "faultfs/status_macros.h"

namespace torture {

using faultfs::Result;

namespace {

constexpr const char* kWhat = "worker report explore";

// Runs of this shard: indices i < runs with i mod N == K.
uint64_t shard_runs(uint64_t runs, uint32_t index, uint32_t count) {
  if (index >= runs) return 0;
  return (runs - index + count - 1) / count;
}

std::string percent(uint64_t part, uint64_t whole) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f%%", whole == 0 ? 100.0 : 100.0 * part / whole);
  return buf;
}

// Why runs are missing or walks partial; empty when nothing is.
std::string shortfall(const CampaignOptions& options, const CampaignTotals& totals,
                      const reports::Exploration& e, uint64_t stopped_by_violation) {
  std::string why;
  const auto add = [&why](const std::string& part) { why += (why.empty() ? "" : "; ") + part; };
  if (!totals.interrupted.empty()) add("interrupted by " + totals.interrupted);
  if (options.time_s && totals.elapsed_s >= *options.time_s && e.runs_done < e.runs) {
    add("--time ran out");
  }
  if (stopped_by_violation > 0) {
    add(std::to_string(stopped_by_violation) + " runs stopped at their first violation");
  }
  const uint64_t reported = e.runs_done + stopped_by_violation;
  if (reported < e.runs && stopped_by_violation > 0) add("then --max-violations ended the rest");
  if (e.enumerations_partial > 0) {
    std::string policies;
    for (const auto& [policy, n] : e.partial_by_policy) {
      policies += (policies.empty() ? "" : ", ") + policy + ": " + std::to_string(n);
    }
    add(std::to_string(e.enumerations_partial) + " of " + std::to_string(e.enumerations) +
        " (point, policy) walks over their candidate budget, sampled (" + policies +
        "): corrupt's space is every bit of every byte (budget 4096), torn's every sector "
        "fate of a write (over 8 sectors: 4^9 and more)");
  }
  return why;
}

}  // namespace

json_util::Json explore_counts_json(const ExploreCounts& c) {
  return json_util::Json{{"points", c.points},
                         {"enumerations", c.enumerations},
                         {"enumerations_partial", c.enumerations_partial},
                         {"images", c.images},
                         {"duplicates", c.duplicates},
                         {"skipped", c.skipped},
                         {"sampled", c.sampled},
                         {"partial_by_policy", c.partial_by_policy}};
}

Result<ExploreCounts> explore_counts_from_json(const json_util::Json& j) {
  ExploreCounts c;
  for (auto [key, field] :
       {std::pair{"points", &c.points}, std::pair{"enumerations", &c.enumerations},
        std::pair{"enumerations_partial", &c.enumerations_partial}, std::pair{"images", &c.images},
        std::pair{"duplicates", &c.duplicates}, std::pair{"skipped", &c.skipped},
        std::pair{"sampled", &c.sampled}}) {
    ASSIGN_OR_RETURN(auto v, json_util::get_u64(j, key, kWhat));
    *field = v;
  }
  const auto partial = j.find("partial_by_policy");
  if (partial == j.end() || !partial->is_object()) {
    return json_util::corrupt(kWhat, "partial_by_policy");
  }
  for (const auto& [name, count] : partial->items()) {
    if (!count.is_number_unsigned()) return json_util::corrupt(kWhat, "partial_by_policy");
    c.partial_by_policy[name] = count.get<uint64_t>();
  }
  return c;
}

reports::Exploration explore_summary(const CampaignOptions& options, const CampaignTotals& totals) {
  const ExploreOptions& x = *options.explore;
  reports::Exploration e;
  e.max_ops = x.max_ops;
  e.ops_from = x.ops_from;
  for (const ExploreLetter& letter : x.alphabet) e.alphabet.push_back(letter.name);
  for (faultfs::FsModel m : x.fs_models) e.fs_models.emplace_back(faultfs::fs_model_name(m));
  e.workloads = explore_workload_count(x.alphabet.size(), x.max_ops);
  e.runs = shard_runs(explore_run_count(x, options.durabilities.size()), options.shard_index,
                      options.shard_count);
  ExploreCounts sum;
  uint64_t stopped_by_violation = 0;
  for (const WorkloadReport& w : totals.workloads) {
    if (w.explore) sum += *w.explore;
    if (!w.violations.empty()) {
      ++stopped_by_violation;
    } else if (w.complete && w.explore) {
      ++e.runs_done;
    }
  }
  e.points = sum.points;
  e.enumerations = sum.enumerations;
  e.enumerations_partial = sum.enumerations_partial;
  e.partial_by_policy = sum.partial_by_policy;
  e.images = sum.images;
  e.duplicates = sum.duplicates;
  e.skipped = sum.skipped;
  e.sampled = sum.sampled;
  const std::string why = shortfall(options, totals, e, stopped_by_violation);
  e.covered = why.empty() && e.runs_done == e.runs;
  if (e.covered) {
    e.coverage = "covered all of it: every run, every crash point, every distinct image";
  } else {
    e.coverage = "covered " + std::to_string(e.runs_done) + " of " + std::to_string(e.runs) +
                 " runs whole (" + percent(e.runs_done, e.runs) + ")" +
                 (why.empty() ? std::string() : ": " + why);
  }
  return e;
}

void print_exploration(const reports::Summary& summary, std::ostream& out) {
  if (!summary.exploration) return;
  const reports::Exploration& e = *summary.exploration;
  out << "exploration: every workload of at most " << e.max_ops << " ops over " << e.alphabet.size()
      << " letters: " << e.workloads << " workloads, " << e.runs << " runs (x durability levels x "
      << e.fs_models.size() << " fs models); " << e.points << " crash points, " << e.enumerations
      << " (point, policy) walks, " << e.images << " distinct images, " << e.duplicates
      << " duplicate choices in walks, " << e.skipped << " images skipped as already judged, "
      << e.sampled << " sampled\n";
  out << "exploration: " << e.coverage << "\n";
}

}  // namespace torture
