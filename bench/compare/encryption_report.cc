// DBX encrypted vs plain: its own small table, results section and targets.
// Both columns are DBX in the same bench/run ("dbx" and "dbx-encrypted",
// kv_engine.h), so the ratio is the cost of sealing every WAL record and WOS
// entry, on the same disk at the same time; the engines table keeps its columns.
#include <cmath>
#include <cstdio>
#include <optional>
#include <sstream>
#include <string>

#include "kv_engine.h"
#include "report.h"

namespace bench {
namespace {

struct EncryptionRow {
  const char* label;
  const char* figure;
  const char* unit;
};

constexpr EncryptionRow kEncryptionRows[] = {
    {"fill lazy", "fillrandom_lazy", "ops/s"},      {"fill full", "fillseq_sync", "ops/s"},
    {"readrandom", "readrandom", "ops/s"},          {"recovery", "recovery_s", "s"},
    {"recovery MB/s", "recovery_wal_mb_s", "MB/s"},
};

std::optional<double> figure_of(const Summary& s, const std::string& figure,
                                std::string_view engine) {
  const auto w = s.workloads.find(figure);
  if (w == s.workloads.end()) return std::nullopt;
  const auto e = w->second.find(std::string(engine));
  if (e == w->second.end()) return std::nullopt;
  return e->second;
}

// encrypted / plain, when both ran.
std::optional<double> ratio_of(const Summary& s, const std::string& figure) {
  const std::optional<double> plain = figure_of(s, figure, "dbx");
  const std::optional<double> sealed = figure_of(s, figure, kDbxEncryptedName);
  if (!plain || !sealed || *plain <= 0) return std::nullopt;
  return *sealed / *plain;
}

std::string cell(const char* unit, std::optional<double> value) {
  if (!value) return "—";
  char buf[64];
  if (std::string_view(unit) == "s") {
    std::snprintf(buf, sizeof buf, "%.3f", *value);
    return buf;
  }
  return with_thousands(*value);
}

TargetCheck against_plain(const Summary& s, const std::string& figure, double required) {
  TargetCheck check;
  char name[128];
  std::snprintf(name, sizeof name, "encrypted %s ≥ %.2f × plain", figure.c_str(), required);
  check.name = name;
  check.dbx = figure_of(s, figure, kDbxEncryptedName);
  check.reference = figure_of(s, figure, "dbx");
  check.reference_name = "dbx plain";
  check.required = required;
  check.ratio = ratio_of(s, figure);
  return check;
}

// The most encrypted fill lazy can reach against plain on this machine: a
// Lazy write seals its record on the writing thread before it returns, so
// each costs at least one record seal more than a plain write:
// ceiling = 1 / (1 + plain ops/s / record seals/s).
std::string fill_lazy_ceiling(const Summary& s) {
  const std::optional<double> plain = figure_of(s, "fillrandom_lazy", "dbx");
  const auto seals = s.limits.find("xchacha20poly1305_record_seals_per_s");
  if (!plain || *plain <= 0 || seals == s.limits.end() || seals->second <= 0) return "";
  const double seal_us = 1e6 / seals->second;
  const double write_us = 1e6 / *plain;
  char line[320];
  std::snprintf(line, sizeof line,
                "\nPer-record floor: one WAL record seal costs %.2f µs "
                "(xchacha20poly1305_record_seals_per_s) and a plain Lazy write %.2f µs, so "
                "encrypted fill lazy cannot pass %.2f × plain here.\n",
                seal_us, write_us, write_us / (write_us + seal_us));
  return line;
}

}  // namespace

std::vector<TargetCheck> encryption_targets(const Summary& s) {
  return {against_plain(s, "fillrandom_lazy", 0.85), against_plain(s, "recovery_wal_mb_s", 0.70)};
}

nlohmann::json encryption_results_json(const Summary& s) {
  nlohmann::json out = nlohmann::json::object();
  auto or_null = [](std::optional<double> v) {
    return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
  };
  for (const EncryptionRow& row : kEncryptionRows) {
    out[row.figure] = {
        {"dbx", or_null(figure_of(s, row.figure, "dbx"))},
        {std::string(kDbxEncryptedName), or_null(figure_of(s, row.figure, kDbxEncryptedName))},
        {"ratio", or_null(ratio_of(s, row.figure))}};
  }
  return out;
}

std::string encryption_markdown(const Summary& s) {
  std::ostringstream md;
  md << "\n| DBX encrypted vs plain | figure | unit | dbx | dbx-encrypted | encrypted / plain |\n"
     << "|---|---|---|--:|--:|--:|\n";
  for (const EncryptionRow& row : kEncryptionRows) {
    char ratio[32] = "—";
    if (const std::optional<double> r = ratio_of(s, row.figure)) {
      std::snprintf(ratio, sizeof ratio, "%.2f", *r);
    }
    md << "| " << row.label << " | " << row.figure << " | " << row.unit << " | "
       << cell(row.unit, figure_of(s, row.figure, "dbx")) << " | "
       << cell(row.unit, figure_of(s, row.figure, kDbxEncryptedName)) << " | " << ratio << " |\n";
  }
  md << "\ndbx-encrypted: XChaCha20-Poly1305 under a raw 32-byte key (no Argon2id in any timed "
        "open). For recovery (seconds) a ratio above 1 is the slowdown.\n";
  md << fill_lazy_ceiling(s);
  return md.str();
}

}  // namespace bench
