// SQLite behind TxnEngine: one connection per session (per thread), the way
// SQLite's transactions are meant to be shared. A read-modify-write is
// BEGIN IMMEDIATE, the SELECTs, the upserts, COMMIT: IMMEDIATE takes the
// write lock before the reads, so two writers never both read and then fail
// to upgrade (what a deferred BEGIN would risk). A second writer waits in
// SQLite's busy handler for up to wait_ms (sqlite3_busy_timeout; it sleeps in
// steps of milliseconds) and then gets SQLITE_BUSY: a conflict to retry.
//
// One connection behind a mutex (what sqlite_engine.cc does for plain puts)
// would hold the mutex across whole transactions; it would serialize them in
// the application instead of measuring SQLite's own locking.
//
// Snapshots are a deferred BEGIN: in WAL mode the read snapshot is fixed at
// the first read, so begin_snapshot() reads once to pin it there.
#include <sqlite3.h>

#include <cassert>
#include <filesystem>
#include <system_error>
#include <vector>

#include "txn_engine.h"

namespace bench {
namespace {

constexpr const char* kFileName = "db.sqlite";

faultfs::Status sqlite_error(sqlite3* db, const std::string& what) {
  return faultfs::Status(faultfs::ErrorCode::kIoError,
                         "sqlite: " + what + ": " + (db != nullptr ? sqlite3_errmsg(db) : "?"));
}

bool is_busy(int rc) { return (rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED; }

// One connection and its prepared statements.
class Connection {
 public:
  ~Connection() {
    for (sqlite3_stmt* stmt : statements_) sqlite3_finalize(stmt);
    if (db_ != nullptr) sqlite3_close(db_);  // A destructor cannot report; close() can.
  }

  faultfs::Status open(const std::string& path, const TxnOptions& options) {
    assert(db_ == nullptr);
    if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) !=
        SQLITE_OK) {
      return sqlite_error(db_, "open " + path);
    }
    sqlite3_busy_timeout(db_, static_cast<int>(options.wait_ms));
    // synchronous is a per-connection setting; journal_mode=WAL is the file's.
    std::string setup = "PRAGMA journal_mode=WAL; PRAGMA synchronous=";
    setup += options.durability == Durability::kFull ? "FULL;" : "NORMAL;";
    setup += "CREATE TABLE IF NOT EXISTS kv (k BLOB PRIMARY KEY, v BLOB NOT NULL) WITHOUT ROWID;";
    char* message = nullptr;
    if (sqlite3_exec(db_, setup.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
      faultfs::Status error(faultfs::ErrorCode::kIoError,
                            std::string("sqlite setup: ") + (message ? message : "?"));
      sqlite3_free(message);
      return error;
    }
    for (const char* sql :
         {"BEGIN IMMEDIATE", "BEGIN", "COMMIT", "ROLLBACK", "SELECT v FROM kv WHERE k = ?1",
          "INSERT OR REPLACE INTO kv (k, v) VALUES (?1, ?2)", "SELECT 1 FROM kv LIMIT 1"}) {
      sqlite3_stmt* stmt = nullptr;
      if (sqlite3_prepare_v2(db_, sql, -1, &stmt, nullptr) != SQLITE_OK) {
        return sqlite_error(db_, std::string("prepare ") + sql);
      }
      statements_.push_back(stmt);
    }
    return faultfs::Status::ok();
  }

  enum Statement { kBeginImmediate, kBegin, kCommit, kRollback, kGet, kPut, kProbe };

  // Steps a statement with no result rows; returns SQLite's code.
  int run(Statement which) {
    sqlite3_stmt* stmt = statements_[which];
    int rc = sqlite3_step(stmt);
    while (rc == SQLITE_ROW) rc = sqlite3_step(stmt);  // kProbe: one row, then done.
    sqlite3_reset(stmt);
    return rc;
  }

  // SQLITE_ROW (found, *value set), SQLITE_DONE (absent) or an error code.
  int get(std::string_view key, std::string* value) {
    sqlite3_stmt* stmt = statements_[kGet];
    sqlite3_bind_blob(stmt, 1, key.data(), static_cast<int>(key.size()), SQLITE_STATIC);
    const int rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW) {
      const auto* bytes = static_cast<const char*>(sqlite3_column_blob(stmt, 0));
      value->assign(bytes, static_cast<size_t>(sqlite3_column_bytes(stmt, 0)));
    }
    sqlite3_reset(stmt);
    return rc;
  }

  int put(std::string_view key, std::string_view value) {
    sqlite3_stmt* stmt = statements_[kPut];
    sqlite3_bind_blob(stmt, 1, key.data(), static_cast<int>(key.size()), SQLITE_STATIC);
    sqlite3_bind_blob(stmt, 2, value.data(), static_cast<int>(value.size()), SQLITE_STATIC);
    const int rc = sqlite3_step(stmt);
    sqlite3_reset(stmt);
    return rc;
  }

  faultfs::Status close() {
    for (sqlite3_stmt* stmt : statements_) sqlite3_finalize(stmt);
    statements_.clear();
    const int rc = sqlite3_close(db_);
    faultfs::Status status = rc == SQLITE_OK ? faultfs::Status::ok() : sqlite_error(db_, "close");
    db_ = nullptr;
    return status;
  }

  sqlite3* db() const { return db_; }

 private:
  sqlite3* db_ = nullptr;
  std::vector<sqlite3_stmt*> statements_;
};

class SqliteSession final : public TxnSession {
 public:
  faultfs::Status open(const std::string& path, const TxnOptions& options) {
    return connection_.open(path, options);
  }

  faultfs::Result<bool> read_modify_write(std::span<const std::string_view> keys,
                                          const Modify& modify) override {
    const int begin = connection_.run(Connection::kBeginImmediate);
    if (is_busy(begin)) return false;  // The busy timeout ran out: nothing began.
    if (begin != SQLITE_DONE) return sqlite_error(connection_.db(), "BEGIN IMMEDIATE");
    values_.resize(keys.size());
    for (size_t i = 0; i < keys.size(); ++i) {
      const int rc = connection_.get(keys[i], &values_[i]);
      if (rc != SQLITE_ROW) return abort(rc, "transaction read of a loaded key");
    }
    if (faultfs::Status st = modify(values_); !st.is_ok()) {
      connection_.run(Connection::kRollback);  // The modify's error is the one to report.
      return st;
    }
    for (size_t i = 0; i < keys.size(); ++i) {
      const int rc = connection_.put(keys[i], values_[i]);
      if (rc != SQLITE_DONE) return abort(rc, "put");
    }
    const int rc = connection_.run(Connection::kCommit);
    if (rc != SQLITE_DONE) return abort(rc, "COMMIT");
    return true;
  }

  faultfs::Status begin_snapshot() override {
    if (connection_.run(Connection::kBegin) != SQLITE_DONE) {
      return sqlite_error(connection_.db(), "BEGIN");
    }
    if (connection_.run(Connection::kProbe) != SQLITE_DONE) {
      return sqlite_error(connection_.db(), "pin the read snapshot");
    }
    return faultfs::Status::ok();
  }

  faultfs::Result<bool> snapshot_get(std::string_view key, std::string* value) override {
    assert(value != nullptr);
    const int rc = connection_.get(key, value);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    return sqlite_error(connection_.db(), "snapshot get");
  }

  faultfs::Result<bool> plain_get(std::string_view key, std::string* value) override {
    assert(value != nullptr);
    const int rc = connection_.get(key, value);  // Autocommit: its own read transaction.
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    return sqlite_error(connection_.db(), "get");
  }

  faultfs::Status end_snapshot() override {
    if (connection_.run(Connection::kCommit) != SQLITE_DONE) {
      return sqlite_error(connection_.db(), "COMMIT of a read transaction");
    }
    return faultfs::Status::ok();
  }

 private:
  // Rolls back; busy is a conflict, anything else (a missing key too) an error.
  faultfs::Result<bool> abort(int rc, const char* what) {
    faultfs::Status error = sqlite_error(connection_.db(), what);
    // Some errors end the transaction themselves; only an open one is rolled back.
    if (sqlite3_get_autocommit(connection_.db()) == 0 &&
        connection_.run(Connection::kRollback) != SQLITE_DONE) {
      return sqlite_error(connection_.db(), "ROLLBACK");
    }
    if (is_busy(rc)) return false;
    return error;
  }

  Connection connection_;
  std::vector<std::string> values_;
};

class SqliteTxnEngine final : public TxnEngine {
 public:
  std::string_view name() const override { return "sqlite"; }
  bool has_transactions() const override { return true; }

  faultfs::Status open(const std::string& dir, const TxnOptions& options) override {
    if (options.durability == Durability::kNone) {
      return faultfs::Status(faultfs::ErrorCode::kInvalidArgument, "sqlite: no kNone level");
    }
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) {
      return faultfs::Status(faultfs::ErrorCode::kIoError, "mkdir " + dir + ": " + ec.message());
    }
    path_ = dir + "/" + kFileName;
    options_ = options;
    main_ = std::make_unique<Connection>();
    return main_->open(path_, options);
  }

  faultfs::Status load(std::span<const Row> rows) override {
    assert(main_ != nullptr);
    if (main_->run(Connection::kBeginImmediate) != SQLITE_DONE) {
      return sqlite_error(main_->db(), "BEGIN IMMEDIATE (load)");
    }
    for (const Row& row : rows) {
      if (main_->put(row.first, row.second) != SQLITE_DONE) {
        faultfs::Status error = sqlite_error(main_->db(), "load");
        main_->run(Connection::kRollback);  // The put's error is the one to report.
        return error;
      }
    }
    if (main_->run(Connection::kCommit) != SQLITE_DONE) {
      return sqlite_error(main_->db(), "COMMIT (load)");
    }
    return faultfs::Status::ok();
  }

  faultfs::Result<std::unique_ptr<TxnSession>> session() override {
    auto session = std::make_unique<SqliteSession>();
    if (faultfs::Status st = session->open(path_, options_); !st.is_ok()) return st;
    return std::unique_ptr<TxnSession>(std::move(session));
  }

  faultfs::Status close() override {
    if (main_ == nullptr) return faultfs::Status::ok();
    faultfs::Status status = main_->close();
    main_.reset();
    return status;
  }

 private:
  std::string path_;
  TxnOptions options_;
  std::unique_ptr<Connection> main_;
};

}  // namespace

std::unique_ptr<TxnEngine> make_sqlite_txn_engine() { return std::make_unique<SqliteTxnEngine>(); }

}  // namespace bench
