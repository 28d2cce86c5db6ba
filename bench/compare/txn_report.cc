// The transactional suite's table and results section: its own columns
// (kTxnEngineNames, RocksDB's two flavours side by side), so the engines table
// above keeps its rows and columns unchanged.
#include <cmath>
#include <cstdio>
#include <sstream>

#include "report.h"
#include "txn_engine.h"

namespace bench {
namespace {

struct TxnRow {
  const char* figure;
  const char* unit;
  bool needs_transactions;  // LevelDB's cell says n/a.
};

constexpr TxnRow kTxnRows[] = {
    {"txn_rmw_2key_4t_full", "txns/s", true},
    {"txn_rmw_2key_4t_full_conflict_rate", "% of attempts", true},
    {"txn_rmw_2key_4t_full_retries", "retries", true},
    {"txn_rmw_2key_4t_lazy", "txns/s", true},
    {"txn_rmw_2key_4t_lazy_conflict_rate", "% of attempts", true},
    {"txn_rmw_2key_4t_lazy_retries", "retries", true},
    {"txn_snapshot_10get", "snapshots/s", false},
    {"txn_plain_10get", "rounds/s", false},
};

std::optional<double> find(const Summary& s, const std::string& figure, std::string_view engine) {
  const auto w = s.workloads.find(figure);
  if (w == s.workloads.end()) return std::nullopt;
  const auto e = w->second.find(std::string(engine));
  if (e == w->second.end()) return std::nullopt;
  return e->second;
}

std::string cell(const TxnRow& row, std::string_view engine, std::optional<double> value) {
  if (row.needs_transactions && engine == "leveldb") return "n/a";
  if (!value) return "—";
  char buf[64];
  if (std::string_view(row.unit).starts_with("%")) {
    std::snprintf(buf, sizeof buf, "%.3f", *value * 100);
    return buf;
  }
  return with_thousands(*value);  // As the engines table.
}

}  // namespace

nlohmann::json txn_results_json(const Summary& s) {
  nlohmann::json out = nlohmann::json::object();
  for (const TxnRow& row : kTxnRows) {
    nlohmann::json engines = nlohmann::json::object();
    for (const std::string_view engine : kTxnEngineNames) {
      const std::optional<double> v = find(s, row.figure, engine);
      engines[std::string(engine)] = v ? nlohmann::json(*v) : nlohmann::json(nullptr);
    }
    out[row.figure] = engines;
  }
  return out;
}

std::string txn_markdown(const Summary& s) {
  std::ostringstream md;
  md << "\n| transactions | unit |";
  for (const std::string_view engine : kTxnEngineNames) md << " " << engine << " |";
  md << "\n|---|---|";
  for (size_t i = 0; i < std::size(kTxnEngineNames); ++i) md << "--:|";
  md << "\n";
  for (const TxnRow& row : kTxnRows) {
    md << "| " << row.figure << " | " << row.unit << " |";
    for (const std::string_view engine : kTxnEngineNames) {
      md << " " << cell(row, engine, find(s, row.figure, engine)) << " |";
    }
    md << "\n";
  }
  md << "\nrocksdb-txn is TransactionDB (GetForUpdate locks), rocksdb-occ "
        "OptimisticTransactionDB; SQLite is BEGIN IMMEDIATE, one connection per thread. "
        "LevelDB has snapshots but no transactions.\n";
  return md.str();
}

}  // namespace bench
