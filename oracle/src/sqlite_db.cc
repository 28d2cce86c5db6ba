#include "sqlite_db.h"

#include <cassert>

#include "faultfs/status_macros.h"

namespace oracle::sql {

using faultfs::ErrorCode;
using faultfs::Result;
using faultfs::Status;

Result<std::unique_ptr<Db>> Db::open(const std::string& path) {
  sqlite3* raw = nullptr;
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string message = "sqlite open " + path + ": ";
    message += raw != nullptr ? sqlite3_errmsg(raw) : sqlite3_errstr(rc);
    sqlite3_close(raw);  // Accepts null; releases a half-opened handle.
    return Status(ErrorCode::kIoError, message);
  }
  return std::unique_ptr<Db>(new Db(raw));
}

Db::Db(sqlite3* db) : db_(db) { sqlite3_rollback_hook(db_, &Db::on_rollback, this); }

void Db::on_rollback(void* self) { ++static_cast<Db*>(self)->rollbacks_; }

Db::~Db() {
  cache_.clear();  // Finalizes the cached statements first.
  // Statements are owned by their users and must be gone by now; close_v2
  // defers the close if one leaked, instead of failing.
  sqlite3_close_v2(db_);
}

Status Db::error(std::string_view what) const {
  return Status(ErrorCode::kIoError, "sqlite " + std::string(what) + ": " + sqlite3_errmsg(db_));
}

Status Db::exec(const char* sql) {
  char* message = nullptr;
  const int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &message);
  if (rc == SQLITE_OK) return Status::ok();
  std::string text = "sqlite exec: ";
  text += message != nullptr ? message : sqlite3_errstr(rc);
  text += " in: ";
  text += sql;
  sqlite3_free(message);
  return Status(ErrorCode::kIoError, text);
}

Result<std::unique_ptr<Statement>> Db::prepare(const char* sql) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db_, sql, -1, &stmt, nullptr) != SQLITE_OK) {
    return error(std::string("prepare ") + sql);
  }
  assert(stmt != nullptr);
  return std::make_unique<Statement>(this, stmt);
}

Result<Db::Cached> Db::cached(const char* sql) {
  Slot& slot = cache_[sql];
  if (slot.stmt == nullptr) {
    ASSIGN_OR_RETURN(slot.stmt, prepare(sql));
  }
  assert(!slot.in_use);  // A second live handle would rewind the first's rows.
  slot.in_use = true;
  return Cached(slot.stmt.get(), &slot.in_use);
}

Db::Cached::~Cached() {
  if (stmt_ == nullptr) return;  // Moved from.
  assert(*in_use_);
  *in_use_ = false;
  // Any error of the last step was returned by step() itself; this only
  // rewinds the statement and drops its bindings for the next handle.
  stmt_->reset().ignore_error();
}

Statement::~Statement() { sqlite3_finalize(stmt_); }

Status Statement::bind_int(int index, int64_t value) {
  if (sqlite3_bind_int64(stmt_, index, value) != SQLITE_OK) return db_->error("bind");
  return Status::ok();
}

Status Statement::bind_blob(int index, std::string_view value) {
  // A zero-length blob must still bind as a blob (not NULL): SQLite binds
  // NULL for a null pointer, so point at a static empty string instead.
  const char* data = value.empty() ? "" : value.data();
  if (sqlite3_bind_blob64(stmt_, index, data, value.size(), SQLITE_TRANSIENT) != SQLITE_OK) {
    return db_->error("bind");
  }
  return Status::ok();
}

Status Statement::bind_null(int index) {
  if (sqlite3_bind_null(stmt_, index) != SQLITE_OK) return db_->error("bind");
  return Status::ok();
}

Result<bool> Statement::step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return db_->error(std::string("step ") + sqlite3_sql(stmt_));
}

Status Statement::run() {
  auto stepped = step();
  if (!stepped.is_ok()) {
    sqlite3_reset(stmt_);  // The step's error is the one worth reporting.
    return stepped.status();
  }
  if (stepped.value()) {
    sqlite3_reset(stmt_);
    return Status(ErrorCode::kInvalidArgument,
                  std::string("sqlite statement returned rows: ") + sqlite3_sql(stmt_));
  }
  return reset();
}

Status Statement::reset() {
  const int rc = sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  if (rc != SQLITE_OK) return db_->error("reset");
  return Status::ok();
}

std::string_view Statement::column_blob(int column) const {
  const void* data = sqlite3_column_blob(stmt_, column);
  const int size = sqlite3_column_bytes(stmt_, column);
  if (data == nullptr || size <= 0) return std::string_view();
  return std::string_view(static_cast<const char*>(data), static_cast<size_t>(size));
}

}  // namespace oracle::sql
