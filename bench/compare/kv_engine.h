// KvEngine: the one narrow interface every compared engine (DBX, SQLite,
// RocksDB, LevelDB) is driven through, so that every workload runs the same
// code path against each of them and only the adapter differs.
//
// Errors are values (faultfs::Status / Result): a benchmark that ignores a
// failed write would report the speed of doing nothing.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "faultfs/status.h"
#include "targets/types.h"

namespace bench {

// Matched durability levels, the lab's own (targets/types.h; DBX's setting
// for each is targets::to_dbx_durability): Full is DBX kFull = SQLite
// synchronous=FULL = RocksDB/LevelDB sync=true; Lazy is DBX kLazy = SQLite
// synchronous=NORMAL = sync=false. kNone (no log at all) exists only for DBX,
// the figure DBX's durability table needs; the peers refuse it.
using Durability = targets::Durability;

struct EngineOptions {
  Durability durability = Durability::kLazy;
  // Sizes memtables / delta thresholds / autocheckpoints so that no write of a
  // recovery run leaves the log before the crash: recovery then replays them all.
  bool keep_all_in_wal = false;
};

struct ScanTotals {
  uint64_t rows = 0;
  uint64_t bytes = 0;  // Keys plus values: proves every row was touched.
};

using Row = std::pair<std::string, std::string>;

// Thread-safety: put() and get() may be called from several threads at once
// between open() and close(); every other call is exclusive.
class KvEngine {
 public:
  virtual ~KvEngine() = default;

  virtual std::string_view name() const = 0;

  // Opens or creates the database in directory `dir` (created if missing).
  [[nodiscard]] virtual faultfs::Status open(const std::string& dir,
                                             const EngineOptions& options) = 0;
  // Upsert, acknowledged at the durability open() was given.
  [[nodiscard]] virtual faultfs::Status put(std::string_view key, std::string_view value) = 0;
  // All rows in one atomic write (one transaction / write batch).
  [[nodiscard]] virtual faultfs::Status put_batch(std::span<const Row> rows) = 0;
  // true and *value set when found; false when absent.
  [[nodiscard]] virtual faultfs::Result<bool> get(std::string_view key, std::string* value) = 0;
  // Visits every row in key order.
  [[nodiscard]] virtual faultfs::Result<ScanTotals> scan() = 0;
  // Positions a fresh iterator (or statement) at the first row with key >=
  // `key` and visits up to `count` rows from there in key order, with the
  // engine's native cursor. When `keys` is not null the visited keys are
  // appended to it (tests check the order; timed loops pass nullptr).
  [[nodiscard]] virtual faultfs::Result<ScanTotals> seek_and_next(
      std::string_view key, uint64_t count, std::vector<std::string>* keys) = 0;
  // Moves everything written into the engine's main store (memtable to tables,
  // WAL checkpointed), so that a reopen replays no log.
  [[nodiscard]] virtual faultfs::Status flush() = 0;
  [[nodiscard]] virtual faultfs::Status close() = 0;

  // Whether `file_name` (a name inside the database directory) is part of the
  // log that crash recovery replays; recovery MB/s is computed over these.
  virtual bool is_log_file(std::string_view file_name) const = 0;
};

// The engine names, in the order tables list them.
inline constexpr std::string_view kEngineNames[] = {"dbx", "sqlite", "rocksdb", "leveldb"};

// DBX with encryption at rest (dbx_engine.cc). Not in kEngineNames: it is no
// peer and no column of the engines table, but a row pair of its own table
// (encryption_report.cc), compared with plain "dbx".
inline constexpr std::string_view kDbxEncryptedName = "dbx-encrypted";

// kInvalidArgument for a name neither in kEngineNames nor kDbxEncryptedName.
[[nodiscard]] faultfs::Result<std::unique_ptr<KvEngine>> make_engine(std::string_view name);
// make_engine, then open() in `dir` with `options`.
[[nodiscard]] faultfs::Result<std::unique_ptr<KvEngine>> open_engine(std::string_view name,
                                                                     const std::string& dir,
                                                                     const EngineOptions& options);

std::unique_ptr<KvEngine> make_dbx_engine();
std::unique_ptr<KvEngine> make_dbx_encrypted_engine();
std::unique_ptr<KvEngine> make_sqlite_engine();
std::unique_ptr<KvEngine> make_rocksdb_engine();
std::unique_ptr<KvEngine> make_leveldb_engine();

}  // namespace bench
