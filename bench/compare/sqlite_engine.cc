// The SQLite adapter: a WITHOUT ROWID table in WAL mode through prepared
// statements, the fastest configuration a careful application would pick.
//
// One connection serves every thread behind a mutex: SQLite has one writer at
// a time anyway, and a second connection would only add SQLITE_BUSY retries
// (the default busy handler sleeps whole milliseconds).
#include <sqlite3.h>

#include <cassert>
#include <filesystem>
#include <mutex>
#include <system_error>

#include "kv_engine.h"

namespace bench {
namespace {

constexpr const char* kFileName = "db.sqlite";

faultfs::Status sqlite_error(sqlite3* db, const std::string& what) {
  return faultfs::Status(faultfs::ErrorCode::kIoError,
                         "sqlite: " + what + ": " + (db != nullptr ? sqlite3_errmsg(db) : "?"));
}

class SqliteEngine final : public KvEngine {
 public:
  ~SqliteEngine() override {
    if (db_ != nullptr) close().ignore_error();  // Destructors cannot report.
  }

  std::string_view name() const override { return "sqlite"; }

  faultfs::Status open(const std::string& dir, const EngineOptions& options) override {
    assert(db_ == nullptr);
    if (options.durability == Durability::kNone) {
      return faultfs::Status(faultfs::ErrorCode::kInvalidArgument, "sqlite: no kNone level");
    }
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec)
      return faultfs::Status(faultfs::ErrorCode::kIoError, "mkdir " + dir + ": " + ec.message());
    const std::string path = dir + "/" + kFileName;
    if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) !=
        SQLITE_OK) {
      faultfs::Status error = sqlite_error(db_, "open " + path);
      sqlite3_close(db_);
      db_ = nullptr;
      return error;
    }
    const bool full = options.durability == Durability::kFull;
    std::string setup = "PRAGMA journal_mode=WAL; PRAGMA synchronous=";
    setup += full ? "FULL;" : "NORMAL;";
    // Never checkpoint on commit: the recovery run must leave every write in the WAL.
    if (options.keep_all_in_wal) setup += "PRAGMA wal_autocheckpoint=0;";
    setup += "CREATE TABLE IF NOT EXISTS kv (k BLOB PRIMARY KEY, v BLOB NOT NULL) WITHOUT ROWID;";
    if (faultfs::Status st = exec(setup); !st.is_ok()) return st;
    if (faultfs::Status st = prepare("INSERT OR REPLACE INTO kv (k, v) VALUES (?1, ?2)", &put_);
        !st.is_ok()) {
      return st;
    }
    if (faultfs::Status st = prepare("SELECT v FROM kv WHERE k = ?1", &get_); !st.is_ok())
      return st;
    if (faultfs::Status st = prepare("SELECT k, v FROM kv ORDER BY k", &scan_); !st.is_ok()) {
      return st;
    }
    return prepare("SELECT k, v FROM kv WHERE k >= ?1 ORDER BY k LIMIT ?2", &seek_);
  }

  faultfs::Status put(std::string_view key, std::string_view value) override {
    std::lock_guard lock(mutex_);
    return put_locked(key, value);
  }

  faultfs::Status put_batch(std::span<const Row> rows) override {
    std::lock_guard lock(mutex_);
    if (faultfs::Status st = exec("BEGIN"); !st.is_ok()) return st;
    for (const Row& row : rows) {
      if (faultfs::Status st = put_locked(row.first, row.second); !st.is_ok()) {
        exec("ROLLBACK").ignore_error();  // The put's error is the one to report.
        return st;
      }
    }
    return exec("COMMIT");
  }

  faultfs::Result<bool> get(std::string_view key, std::string* value) override {
    assert(value != nullptr);
    std::lock_guard lock(mutex_);
    assert(get_ != nullptr);
    sqlite3_bind_blob(get_, 1, key.data(), static_cast<int>(key.size()), SQLITE_STATIC);
    const int rc = sqlite3_step(get_);
    bool found = false;
    if (rc == SQLITE_ROW) {
      const auto* bytes = static_cast<const char*>(sqlite3_column_blob(get_, 0));
      value->assign(bytes, static_cast<size_t>(sqlite3_column_bytes(get_, 0)));
      found = true;
    }
    sqlite3_reset(get_);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return sqlite_error(db_, "get");
    return found;
  }

  faultfs::Result<ScanTotals> scan() override {
    std::lock_guard lock(mutex_);
    assert(scan_ != nullptr);
    ScanTotals totals;
    int rc;
    while ((rc = sqlite3_step(scan_)) == SQLITE_ROW) {
      ++totals.rows;
      totals.bytes += static_cast<uint64_t>(sqlite3_column_bytes(scan_, 0)) +
                      static_cast<uint64_t>(sqlite3_column_bytes(scan_, 1));
    }
    sqlite3_reset(scan_);
    if (rc != SQLITE_DONE) return sqlite_error(db_, "scan");
    return totals;
  }

  faultfs::Result<ScanTotals> seek_and_next(std::string_view key, uint64_t count,
                                            std::vector<std::string>* keys) override {
    std::lock_guard lock(mutex_);
    assert(seek_ != nullptr);
    sqlite3_bind_blob(seek_, 1, key.data(), static_cast<int>(key.size()), SQLITE_STATIC);
    sqlite3_bind_int64(seek_, 2, static_cast<sqlite3_int64>(count));
    ScanTotals totals;
    int rc;
    while ((rc = sqlite3_step(seek_)) == SQLITE_ROW) {
      ++totals.rows;
      const auto key_bytes = static_cast<size_t>(sqlite3_column_bytes(seek_, 0));
      totals.bytes += key_bytes + static_cast<uint64_t>(sqlite3_column_bytes(seek_, 1));
      if (keys != nullptr) {
        keys->emplace_back(static_cast<const char*>(sqlite3_column_blob(seek_, 0)), key_bytes);
      }
    }
    sqlite3_reset(seek_);
    if (rc != SQLITE_DONE) return sqlite_error(db_, "seek");
    return totals;
  }

  faultfs::Status flush() override {
    std::lock_guard lock(mutex_);
    return exec("PRAGMA wal_checkpoint(TRUNCATE)");
  }

  faultfs::Status close() override {
    std::lock_guard lock(mutex_);
    if (db_ == nullptr) return faultfs::Status::ok();
    for (sqlite3_stmt** stmt : {&put_, &get_, &scan_, &seek_}) {
      sqlite3_finalize(*stmt);
      *stmt = nullptr;
    }
    const int rc = sqlite3_close(db_);
    faultfs::Status status = rc == SQLITE_OK ? faultfs::Status::ok() : sqlite_error(db_, "close");
    db_ = nullptr;
    return status;
  }

  bool is_log_file(std::string_view file_name) const override {
    return file_name == std::string(kFileName) + "-wal";
  }

 private:
  faultfs::Status put_locked(std::string_view key, std::string_view value) {
    assert(put_ != nullptr);
    sqlite3_bind_blob(put_, 1, key.data(), static_cast<int>(key.size()), SQLITE_STATIC);
    sqlite3_bind_blob(put_, 2, value.data(), static_cast<int>(value.size()), SQLITE_STATIC);
    const int rc = sqlite3_step(put_);
    sqlite3_reset(put_);
    if (rc != SQLITE_DONE) return sqlite_error(db_, "put");
    return faultfs::Status::ok();
  }

  faultfs::Status exec(const std::string& sql) {
    char* message = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message) == SQLITE_OK) {
      return faultfs::Status::ok();
    }
    faultfs::Status error(faultfs::ErrorCode::kIoError,
                          "sqlite: " + sql + ": " + (message != nullptr ? message : "?"));
    sqlite3_free(message);
    return error;
  }

  faultfs::Status prepare(const char* sql, sqlite3_stmt** stmt) {
    if (sqlite3_prepare_v2(db_, sql, -1, stmt, nullptr) != SQLITE_OK) {
      return sqlite_error(db_, std::string("prepare ") + sql);
    }
    return faultfs::Status::ok();
  }

  std::mutex mutex_;
  sqlite3* db_ = nullptr;
  sqlite3_stmt* put_ = nullptr;
  sqlite3_stmt* get_ = nullptr;
  sqlite3_stmt* scan_ = nullptr;
  sqlite3_stmt* seek_ = nullptr;
};

}  // namespace

std::unique_ptr<KvEngine> make_sqlite_engine() { return std::make_unique<SqliteEngine>(); }

}  // namespace bench
