#include "sqlite/sqlite_connection.h"

#include "faultfs/assert.h"
#include "faultfs/status_macros.h"
#include "sqlite/sqlite_status.h"

namespace targets::sqlite {

using faultfs::ErrorCode;
using faultfs::Result;
using faultfs::Status;

namespace {

// Binds bytes as a BLOB (never NULL, even when empty), valid until the
// statement is reset.
int bind_bytes(sqlite3_stmt* stmt, int index, std::string_view bytes) {
  return sqlite3_bind_blob(stmt, index, bytes.empty() ? "" : bytes.data(),
                           static_cast<int>(bytes.size()), SQLITE_STATIC);
}

std::string column_bytes(sqlite3_stmt* stmt, int column) {
  const void* data = sqlite3_column_blob(stmt, column);
  const int n = sqlite3_column_bytes(stmt, column);
  return data == nullptr ? std::string() : std::string(static_cast<const char*>(data), n);
}

}  // namespace

Result<std::unique_ptr<Connection>> Connection::open(faultfs::FileSystem& fs,
                                                     const std::string& path) {
  std::shared_ptr<FaultVfs> vfs = FaultVfs::acquire(fs);
  if (vfs == nullptr) return Status(ErrorCode::kIoError, "SQLite refused to register the VFS");
  clear_last_vfs_error();
  sqlite3* db = nullptr;
  // NOMUTEX: the target serializes the connection itself.
  const int rc = sqlite3_open_v2(path.c_str(), &db,
                                 SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                                 vfs->name());
  if (rc != SQLITE_OK) {
    Status s = sqlite_error(rc, db, "open " + path);
    sqlite3_close_v2(db);  // Frees the handle SQLite returns even on failure.
    return s;
  }
  sqlite3_extended_result_codes(db, 1);
  return std::unique_ptr<Connection>(new Connection(std::move(vfs), db));
}

Connection::~Connection() {
  if (db_ != nullptr) close().ignore_error();
}

Status Connection::exec(const std::string& sql) {
  DBX_ASSERT(db_ != nullptr);
  clear_last_vfs_error();
  const int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr);
  return rc == SQLITE_OK ? Status::ok() : sqlite_error(rc, db_, sql);
}

Result<std::string> Connection::query_text(const std::string& sql) {
  sqlite3_stmt* stmt = nullptr;
  RETURN_IF_ERROR(prepare(sql.c_str(), &stmt));
  const int rc = sqlite3_step(stmt);
  std::string text;
  if (rc == SQLITE_ROW) text = column_bytes(stmt, 0);
  Status s = rc == SQLITE_ROW || rc == SQLITE_DONE ? Status::ok() : sqlite_error(rc, db_, sql);
  sqlite3_finalize(stmt);  // Returns the step's error again, reported above.
  if (!s.is_ok()) return s;
  return text;
}

Status Connection::prepare(const char* sql, sqlite3_stmt** out) {
  clear_last_vfs_error();
  const int rc = sqlite3_prepare_v2(db_, sql, -1, out, nullptr);
  return rc == SQLITE_OK ? Status::ok() : sqlite_error(rc, db_, std::string("prepare ") + sql);
}

Status Connection::prepare_statements() {
  RETURN_IF_ERROR(prepare("INSERT OR REPLACE INTO kv(tbl, k, v) VALUES(?1, ?2, ?3)", &put_));
  RETURN_IF_ERROR(prepare("DELETE FROM kv WHERE tbl = ?1 AND k = ?2", &del_));
  RETURN_IF_ERROR(prepare("UPDATE meta SET seq = seq + 1 RETURNING seq", &bump_));
  return prepare("SELECT tbl, k, v FROM kv ORDER BY tbl, k", &scan_);
}

Status Connection::step_done(sqlite3_stmt* stmt, const char* what) {
  clear_last_vfs_error();
  const int rc = sqlite3_step(stmt);
  Status s = rc == SQLITE_DONE ? Status::ok() : sqlite_error(rc, db_, what);
  sqlite3_reset(stmt);  // Returns the step's error again, reported above.
  return s;
}

Status Connection::put(std::string_view table, std::string_view key, std::string_view value) {
  DBX_ASSERT(put_ != nullptr);
  if (bind_bytes(put_, 1, table) != SQLITE_OK || bind_bytes(put_, 2, key) != SQLITE_OK ||
      bind_bytes(put_, 3, value) != SQLITE_OK) {
    return sqlite_error(sqlite3_errcode(db_), db_, "bind put");
  }
  return step_done(put_, "put");
}

Status Connection::del(std::string_view table, std::string_view key) {
  DBX_ASSERT(del_ != nullptr);
  if (bind_bytes(del_, 1, table) != SQLITE_OK || bind_bytes(del_, 2, key) != SQLITE_OK) {
    return sqlite_error(sqlite3_errcode(db_), db_, "bind delete");
  }
  return step_done(del_, "delete");
}

Result<uint64_t> Connection::bump_seq() {
  DBX_ASSERT(bump_ != nullptr);
  clear_last_vfs_error();
  int rc = sqlite3_step(bump_);
  if (rc != SQLITE_ROW) {
    Status s = rc == SQLITE_DONE ? Status(ErrorCode::kCorruption, "meta has no row")
                                 : sqlite_error(rc, db_, "bump seq");
    sqlite3_reset(bump_);
    return s;
  }
  const sqlite3_int64 seq = sqlite3_column_int64(bump_, 0);
  RETURN_IF_ERROR(step_done(bump_, "bump seq"));  // One row: the next step is DONE.
  if (seq <= 0) return Status(ErrorCode::kCorruption, "meta.seq " + std::to_string(seq));
  return static_cast<uint64_t>(seq);
}

Status Connection::rollback_after(const Status& error) {
  DBX_ASSERT(!error.is_ok());
  // SQLite rolls back by itself after some errors (an I/O error in COMMIT).
  if (sqlite3_get_autocommit(db_) != 0) return error;
  const Status rolled_back = exec("ROLLBACK");
  if (rolled_back.is_ok()) return error;
  return Status(error.code(), error.message() + "; then " + rolled_back.message());
}

Status Connection::checkpoint() {
  clear_last_vfs_error();
  int log_frames = 0;
  int copied = 0;
  const int rc =
      sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_TRUNCATE, &log_frames, &copied);
  if (rc != SQLITE_OK) return sqlite_error(rc, db_, "wal_checkpoint(TRUNCATE)");
  // A frame left uncopied would stay un-checkpointed (no reader holds it back
  // here, but the check costs nothing).
  if (log_frames != copied) {
    return Status(ErrorCode::kBusy, "wal_checkpoint(TRUNCATE) copied " + std::to_string(copied) +
                                        " of " + std::to_string(log_frames) + " frames");
  }
  return Status::ok();
}

Result<State> Connection::scan() {
  DBX_ASSERT(scan_ != nullptr);
  clear_last_vfs_error();
  State out;
  int rc;
  while ((rc = sqlite3_step(scan_)) == SQLITE_ROW) {
    out.push_back(Entry{column_bytes(scan_, 0), column_bytes(scan_, 1), column_bytes(scan_, 2)});
  }
  Status s = rc == SQLITE_DONE ? Status::ok() : sqlite_error(rc, db_, "scan");
  sqlite3_reset(scan_);
  if (!s.is_ok()) return s;
  return out;
}

void Connection::finalize_all() {
  for (sqlite3_stmt** stmt : {&put_, &del_, &bump_, &scan_}) {
    sqlite3_finalize(*stmt);  // An error here repeats the last step's, already reported.
    *stmt = nullptr;
  }
  // Anything else left open would keep the connection alive as a zombie.
  while (sqlite3_stmt* stray = sqlite3_next_stmt(db_, nullptr)) sqlite3_finalize(stray);
}

Status Connection::close() {
  DBX_ASSERT(db_ != nullptr);
  finalize_all();
  clear_last_vfs_error();
  const int rc = sqlite3_close_v2(db_);
  db_ = nullptr;
  Status s = rc == SQLITE_OK ? Status::ok() : sqlite_error(rc, nullptr, "close");
  const std::string ignored = last_vfs_error();
  if (s.is_ok() && !ignored.empty()) {
    // SQLite closes even when its closing checkpoint fails; the harness must
    // not take that close for one that made everything durable.
    s = Status(ErrorCode::kIoError, "close: SQLite went on past an I/O error: " + ignored);
  }
  vfs_.reset();
  return s;
}

}  // namespace targets::sqlite
