// The table of bench/run --scale-keys: one column per scale engine, DBX over
// RocksDB beside them, then the two goals of the scale run judged against
// RocksDB (the peer whose memory use DBX is measured against).
#include <algorithm>
#include <cstdio>
#include <optional>
#include <sstream>

#include "kv_engine.h"
#include "scale.h"

namespace bench {
namespace {

struct ScaleRow {
  const char* label;
  const char* unit;
  const char* figure;  // A raw figure, or a derived one (below).
};

// "scale_*_per_key" figures are derived: bytes over the key count.
constexpr ScaleRow kScaleRows[] = {
    {"fill (Lazy, random order)", "ops/s", "scale_fill"},
    {"flush + close after the fill", "s", "scale_flush_s"},
    {"open (+ first get)", "s", "scale_open_s"},
    {"readrandom", "ops/s", "scale_readrandom"},
    {"first seek+next(100), alone", "s", "scale_first_seek_s"},
    {"seekrandom+next(100), after it", "seeks/s", "scale_seekrandom_next100"},
    {"RSS before the open (process baseline)", "MiB", "scale_baseline_rss_bytes"},
    {"peak RSS, fill process", "MiB", "scale_fill_peak_rss_bytes"},
    {"peak RSS, open + reads process", "MiB", "scale_read_peak_rss_bytes"},
    {"memory per key (larger peak RSS / N)", "B", "scale_memory_per_key"},
    {"disk per key (du / N)", "B", "scale_disk_per_key"},
};

std::optional<double> raw(const Summary& s, const std::string& figure, std::string_view engine) {
  const auto w = s.workloads.find(figure);
  if (w == s.workloads.end()) return std::nullopt;
  const auto e = w->second.find(std::string(engine));
  if (e == w->second.end()) return std::nullopt;
  return e->second;
}

std::optional<double> figure_of(const Summary& s, const std::string& figure,
                                std::string_view engine, uint64_t keys) {
  if (figure == "scale_memory_per_key") {
    const auto fill = raw(s, "scale_fill_peak_rss_bytes", engine);
    const auto read = raw(s, "scale_read_peak_rss_bytes", engine);
    if (!fill && !read) return std::nullopt;
    return std::max(fill.value_or(0), read.value_or(0)) / static_cast<double>(keys);
  }
  if (figure == "scale_disk_per_key") {
    const auto disk = raw(s, "scale_disk_bytes", engine);
    if (!disk) return std::nullopt;
    return *disk / static_cast<double>(keys);
  }
  return raw(s, figure, engine);
}

std::string shown(std::optional<double> value, const std::string& unit) {
  if (!value) return "—";
  char buf[64];
  if (unit == "s") {
    std::snprintf(buf, sizeof buf, *value < 0.01 ? "%.4f" : "%.3f", *value);
  } else if (unit == "MiB") {
    std::snprintf(buf, sizeof buf, "%.0f", *value / (1024.0 * 1024.0));
  } else if (unit == "B") {
    std::snprintf(buf, sizeof buf, "%.1f", *value);
  } else {
    return with_thousands(*value);
  }
  return buf;
}

std::string ratio_text(std::optional<double> dbx, std::optional<double> rocksdb) {
  if (!dbx || !rocksdb || *rocksdb <= 0) return "—";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", *dbx / *rocksdb);
  return buf;
}

void goal_row(std::ostringstream& md, const char* goal, std::optional<double> dbx,
              std::optional<double> rocksdb, double required, bool lower_is_better,
              const std::string& unit) {
  std::string met = "—";
  if (dbx && rocksdb && *rocksdb > 0) {
    const double ratio = *dbx / *rocksdb;
    met = (lower_is_better ? ratio <= required : ratio >= required) ? "yes" : "**no**";
  }
  md << "| " << goal << " | " << shown(dbx, unit) << " | " << shown(rocksdb, unit) << " | "
     << ratio_text(dbx, rocksdb) << " | " << met << " |\n";
}

}  // namespace

std::string scale_markdown(const Summary& s, uint64_t keys, const std::string& machine,
                           const std::string& date, const std::string& command) {
  std::ostringstream md;
  md << "Date: " << date << "  \nMachine: " << machine << "  \nCommand: `" << command
     << "`  \nKeys: " << with_thousands(static_cast<double>(keys))
     << " (16-byte keys, 100-byte values, Lazy); one run per engine.\n\n";
  md << "| figure | unit";
  for (const std::string_view engine : kScaleEngineNames) md << " | " << engine;
  md << " | dbx / rocksdb |\n|---|---|--:|--:|--:|--:|\n";
  for (const ScaleRow& row : kScaleRows) {
    md << "| " << row.label << " | " << row.unit;
    for (const std::string_view engine : kScaleEngineNames) {
      md << " | " << shown(figure_of(s, row.figure, engine, keys), row.unit);
    }
    md << " | "
       << ratio_text(figure_of(s, row.figure, "dbx", keys),
                     figure_of(s, row.figure, "rocksdb", keys))
       << " |\n";
  }
  md << "\n| goal | dbx | rocksdb | dbx / rocksdb | met |\n|---|--:|--:|--:|---|\n";
  goal_row(md, "memory per key ≤ 2.00 × rocksdb", figure_of(s, "scale_memory_per_key", "dbx", keys),
           figure_of(s, "scale_memory_per_key", "rocksdb", keys), 2.0, true, "B");
  goal_row(md, "readrandom ≥ 1.00 × rocksdb", figure_of(s, "scale_readrandom", "dbx", keys),
           figure_of(s, "scale_readrandom", "rocksdb", keys), 1.0, false, "ops/s");
  return md.str();
}

}  // namespace bench
