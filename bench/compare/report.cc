#include "report.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstdio>
#include <istream>
#include <limits>
#include <sstream>
#include <utility>

#include "kv_engine.h"
#include "txn_engine.h"

namespace bench {
namespace {

// Rows of the engines table, in the order.
constexpr const char* kWorkloadOrder[] = {
    "fillseq_sync", "fillrandom_sync_4t", "fillrandom_lazy",
    "readrandom",   "seekrandom_next100", "scan",
    "open_s",       "recovery_s",         "recovery_wal_mb_s"};
constexpr const char* kLimitOrder[] = {
    "fdatasync_per_s", "fdatasync_overwrite_per_s", "seq_write_mb_s",
    "crc32c_gb_s",     "xchacha20poly1305_gb_s",    "xchacha20poly1305_record_seals_per_s"};

std::string unit_of(const std::string& name) {
  if (name.ends_with("_mb_s")) return "MB/s";
  if (name.ends_with("_gb_s")) return "GB/s";
  if (name.ends_with("_per_s")) return "ops/s";
  if (name.ends_with("_s")) return "s";
  return "ops/s";
}

std::string format_value(const std::string& name, std::optional<double> value) {
  if (!value) return "—";
  const std::string unit = unit_of(name);
  char buf[64];
  if (unit == "s") {
    std::snprintf(buf, sizeof buf, *value < 0.01 ? "%.4f" : "%.3f", *value);
    return buf;
  }
  if (unit == "GB/s") {
    std::snprintf(buf, sizeof buf, "%.2f", *value);
    return buf;
  }
  return with_thousands(*value);
}

std::optional<double> lookup(const Summary& s, const std::string& workload,
                             const std::string& engine) {
  const auto w = s.workloads.find(workload);
  if (w == s.workloads.end()) return std::nullopt;
  const auto e = w->second.find(engine);
  if (e == w->second.end()) return std::nullopt;
  return e->second;
}

// SQLite's recovery run commits 1,000 rows at a time (recovery.cc): it replays
// a thousandth of the commits the others replay, so it sets no recovery target.
bool comparable_peer(std::string_view engine, const std::string& workload) {
  if (engine == "dbx") return false;
  return !(engine == "sqlite" && workload.starts_with("recovery"));
}

// The best comparable peer: the highest rate, or the lowest time.
std::pair<std::optional<double>, std::string> best_peer(const Summary& s,
                                                        const std::string& workload,
                                                        bool lower_is_better) {
  std::optional<double> best;
  std::string best_name;
  for (const std::string_view engine : kEngineNames) {
    if (!comparable_peer(engine, workload)) continue;
    const std::optional<double> v = lookup(s, workload, std::string(engine));
    if (!v) continue;
    if (!best || (lower_is_better ? *v < *best : *v > *best)) {
      best = v;
      best_name = engine;
    }
  }
  return {best, best_name};
}

TargetCheck against_peer(const Summary& s, const std::string& workload, double required,
                         bool lower_is_better) {
  TargetCheck check;
  char name[128];
  std::snprintf(name, sizeof name, "%s %s %.2f × best peer", workload.c_str(),
                lower_is_better ? "≤" : "≥", required);
  check.name = name;
  check.dbx = lookup(s, workload, "dbx");
  auto [best, best_name] = best_peer(s, workload, lower_is_better);
  check.reference = best;
  check.reference_name = best_name;
  check.required = required;
  check.lower_is_better = lower_is_better;
  if (check.dbx && best && *best > 0) check.ratio = *check.dbx / *best;
  return check;
}

// Against the best transactional peer (SQLite BEGIN IMMEDIATE, RocksDB's
// TransactionDB and OptimisticTransactionDB; LevelDB has none).
TargetCheck against_txn_peer(const Summary& s, const std::string& workload, double required) {
  TargetCheck check;
  char name[128];
  std::snprintf(name, sizeof name, "%s ≥ %.2f × best peer", workload.c_str(), required);
  check.name = name;
  check.dbx = lookup(s, workload, "dbx");
  check.required = required;
  for (const std::string_view engine : kTxnEngineNames) {
    if (engine == "dbx" || engine == "leveldb") continue;
    const std::optional<double> v = lookup(s, workload, std::string(engine));
    if (v && (!check.reference || *v > *check.reference)) {
      check.reference = v;
      check.reference_name = engine;
    }
  }
  if (check.dbx && check.reference && *check.reference > 0) {
    check.ratio = *check.dbx / *check.reference;
  }
  return check;
}

nlohmann::json optional_json(std::optional<double> v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

}  // namespace

std::string with_thousands(double value) {
  const auto rounded = static_cast<long long>(std::llround(value));
  std::string digits = std::to_string(rounded < 0 ? -rounded : rounded);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return rounded < 0 ? "-" + out : out;
}

std::string to_json_line(const Measurement& m) {
  return nlohmann::json{{"engine", m.engine}, {"workload", m.workload}, {"value", m.value}}.dump();
}

faultfs::Result<Measurements> parse_lines(std::istream& in) {
  Measurements out;
  std::string line;
  for (size_t number = 1; std::getline(in, line); ++number) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    const nlohmann::json j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    const bool well_formed = j.is_object() && j.contains("engine") && j["engine"].is_string() &&
                             j.contains("workload") && j["workload"].is_string() &&
                             j.contains("value") && j["value"].is_number();
    if (!well_formed) {
      return faultfs::Status(
          faultfs::ErrorCode::kInvalidArgument,
          "raw line " + std::to_string(number) + " is not a measurement: " + line);
    }
    out.push_back({j["engine"].get<std::string>(), j["workload"].get<std::string>(),
                   j["value"].get<double>()});
  }
  return out;
}

double median(std::vector<double> values) {
  assert(!values.empty());
  std::sort(values.begin(), values.end());
  const size_t mid = values.size() / 2;
  return values.size() % 2 == 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
}

Summary summarize(const Measurements& all) {
  std::map<std::pair<std::string, std::string>, std::vector<double>> runs;
  for (const Measurement& m : all) runs[{m.workload, m.engine}].push_back(m.value);
  Summary summary;
  for (const auto& [key, values] : runs) {
    const auto& [workload, engine] = key;
    if (engine == "limits") {
      summary.limits[workload] = median(values);
    } else if (workload.find("_capped_") != std::string::npos) {
      summary.capped[workload][engine] = median(values);
    } else {
      summary.workloads[workload][engine] = median(values);
    }
  }
  return summary;
}

bool TargetCheck::met() const {
  if (!ratio) return false;
  return lower_is_better ? *ratio <= required : *ratio >= required;
}

std::vector<TargetCheck> check_targets(const Summary& s) {
  std::vector<TargetCheck> checks;
  checks.push_back(against_peer(s, "fillseq_sync", 1.2, false));
  TargetCheck disk;
  disk.name = "fillseq_sync ≥ 0.80 × fdatasync_overwrite_per_s";
  disk.dbx = lookup(s, "fillseq_sync", "dbx");
  const auto limit = s.limits.find("fdatasync_overwrite_per_s");
  if (limit != s.limits.end()) disk.reference = limit->second;
  disk.reference_name = "disk";
  disk.required = 0.8;
  if (disk.dbx && disk.reference && *disk.reference > 0) disk.ratio = *disk.dbx / *disk.reference;
  checks.push_back(disk);
  checks.push_back(against_peer(s, "fillrandom_sync_4t", 2.0, false));
  checks.push_back(against_peer(s, "fillrandom_lazy", 1.0, false));
  checks.push_back(against_peer(s, "readrandom", 1.0, false));
  checks.push_back(against_peer(s, "seekrandom_next100", 1.0, false));
  checks.push_back(against_peer(s, "recovery_s", 0.25, true));
  for (const char* rmw : {"txn_rmw_2key_4t_full", "txn_rmw_2key_4t_lazy"}) {
    checks.push_back(against_txn_peer(s, rmw, 1.5));
  }
  // Ten gets in a snapshot against the same ten gets plain, on one database.
  TargetCheck snap;
  snap.name = "txn_snapshot_10get ≥ 0.80 × txn_plain_10get (dbx)";
  snap.dbx = lookup(s, "txn_snapshot_10get", "dbx");
  snap.reference = lookup(s, "txn_plain_10get", "dbx");
  snap.reference_name = "plain gets";
  snap.required = 0.8;
  if (snap.dbx && snap.reference && *snap.reference > 0) snap.ratio = *snap.dbx / *snap.reference;
  checks.push_back(snap);
  for (TargetCheck& t : encryption_targets(s)) checks.push_back(std::move(t));
  return checks;
}

nlohmann::json to_results_json(const Summary& s, const std::string& machine,
                               const std::string& date, const std::string& command) {
  nlohmann::json workloads = nlohmann::json::object();
  for (const char* workload : kWorkloadOrder) {
    nlohmann::json row = nlohmann::json::object();
    for (const std::string_view engine : kEngineNames) {
      row[std::string(engine)] = optional_json(lookup(s, workload, std::string(engine)));
    }
    workloads[workload] = row;
  }
  nlohmann::json limits = nlohmann::json::object();
  for (const auto& [name, value] : s.limits) limits[name] = value;
  nlohmann::json durability = {
      {"full_inserts_per_s", optional_json(lookup(s, "fillseq_sync", "dbx"))},
      {"lazy_inserts_per_s", optional_json(lookup(s, "fillrandom_lazy", "dbx"))},
      {"none_inserts_per_s", optional_json(lookup(s, "fillrandom_none", "dbx"))},
      {"recovery_mb_s", optional_json(lookup(s, "recovery_wal_mb_s", "dbx"))},
  };
  nlohmann::json targets = nlohmann::json::array();
  for (const TargetCheck& t : check_targets(s)) {
    targets.push_back({{"target", t.name},
                       {"dbx", optional_json(t.dbx)},
                       {"reference", optional_json(t.reference)},
                       {"reference_name", t.reference_name},
                       {"ratio", optional_json(t.ratio)},
                       {"met", t.met()}});
  }
  nlohmann::json capped = nlohmann::json::object();
  for (const auto& [figure, engines] : s.capped) {
    for (const auto& [engine, done] : engines) capped[figure][engine] = done;
  }
  return nlohmann::json{{"workloads", workloads},
                        {"limits", limits},
                        {"dbx_durability", durability},
                        {"targets", targets},
                        {"transactions", txn_results_json(s)},
                        {"encryption", encryption_results_json(s)},
                        {"capped", capped},
                        {"units",
                         "ops/s; seconds for *_s; MB/s (10^6 B) for *_mb_s; GB/s for "
                         "*_gb_s; medians of 3 runs"},
                        {"machine", machine},
                        {"date", date},
                        {"command", command}};
}

std::string to_markdown(const Summary& s, const std::string& machine, const std::string& date,
                        const std::string& command) {
  std::ostringstream md;
  md << "Date: " << date << "  \nMachine: " << machine << "  \nCommand: `" << command
     << "`  \nMedians of 3 runs.\n\n";
  md << "| workload | unit | dbx | sqlite | rocksdb | leveldb |\n";
  md << "|---|---|--:|--:|--:|--:|\n";
  for (const char* workload : kWorkloadOrder) {
    md << "| " << workload << " | " << unit_of(workload);
    for (const std::string_view engine : kEngineNames) {
      md << " | " << format_value(workload, lookup(s, workload, std::string(engine)));
    }
    md << " |\n";
  }
  md << txn_markdown(s);
  md << encryption_markdown(s);
  md << "\nSQLite's recovery run commits 1,000 rows per transaction (one-row commits would "
        "log a 4 KiB page each: a 4 GB WAL); it is shown but sets no recovery target.\n";
  for (const auto& [figure, engines] : s.capped) {
    for (const auto& [engine, done] : engines) {
      md << "\nTime cap hit: " << engine << " " << figure << " = " << with_thousands(done)
         << " (median), not the planned count; its rate covers only those.\n";
    }
  }
  md << "\n| target | dbx | reference | dbx / reference | met |\n|---|--:|--:|--:|---|\n";
  for (const TargetCheck& t : check_targets(s)) {
    const std::string workload = t.name.substr(0, t.name.find(' '));
    char ratio[32] = "—";
    if (t.ratio) std::snprintf(ratio, sizeof ratio, "%.2f", *t.ratio);
    std::string verdict = t.met() ? "yes" : "**no**";
    if (t.ratio && !t.met()) {
      // How far DBX must move: a speed-up factor (or a time cut) to reach the target.
      const double factor = t.lower_is_better ? *t.ratio / t.required : t.required / *t.ratio;
      char gap[64];
      std::snprintf(gap, sizeof gap, " (needs %.2f× %s)", factor,
                    t.lower_is_better ? "less time" : "more");
      verdict += gap;
    }
    md << "| " << t.name << " | " << format_value(workload, t.dbx) << " | "
       << format_value(workload, t.reference) << " (" << t.reference_name << ") | " << ratio
       << " | " << verdict << " |\n";
  }
  md << "\n| physical limit | value | unit |\n|---|--:|---|\n";
  for (const char* limit : kLimitOrder) {
    const auto it = s.limits.find(limit);
    const std::string shown = it == s.limits.end() ? "—" : format_value(limit, it->second);
    md << "| " << limit << " | " << shown << " | " << unit_of(limit) << " |\n";
  }
  md << "\n| DBX durability | inserts/s |\n|---|--:|\n";
  md << "| Full (fillseq_sync, 1 thread) | " << format_value("x", lookup(s, "fillseq_sync", "dbx"))
     << " |\n";
  md << "| Lazy (fillrandom_lazy) | " << format_value("x", lookup(s, "fillrandom_lazy", "dbx"))
     << " |\n";
  md << "| None (fillrandom_none) | " << format_value("x", lookup(s, "fillrandom_none", "dbx"))
     << " |\n";
  md << "| recovery, WAL MB/s | "
     << format_value("recovery_wal_mb_s", lookup(s, "recovery_wal_mb_s", "dbx")) << " |\n";
  return md.str();
}

}  // namespace bench
