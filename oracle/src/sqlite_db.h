// A thin RAII layer over the SQLite C API with errors as faultfs::Status.
//
// Every SQLite failure becomes kIoError with SQLite's own message, so that a
// broken oracle log is an error the harness sees, never a silent pass.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "faultfs/status.h"

namespace oracle::sql {

class Statement;

class Db {
 public:
  // Opens (creating if missing) the database at `path`; ":memory:" is private.
  [[nodiscard]] static faultfs::Result<std::unique_ptr<Db>> open(const std::string& path);
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  // Runs one or more statements that return no rows.
  [[nodiscard]] faultfs::Status exec(const char* sql);
  [[nodiscard]] faultfs::Result<std::unique_ptr<Statement>> prepare(const char* sql);
  // The connection's one prepared copy of `sql`, reset with no bindings:
  // the checker runs the same few queries once per judged state, and parsing
  // them each time cost more than some of the queries. The handle resets the
  // statement when it goes, so no read stays open; one handle per `sql` at a
  // time (asserted).
  class Cached;
  [[nodiscard]] faultfs::Result<Cached> cached(const char* sql);
  // Moves whenever this connection inserts, updates or deletes a row or
  // rolls a transaction back: a checker's copy of the log read at one
  // revision is the log until this moves. (SQLite's change count alone
  // misses a rollback, which undoes rows it counted.)
  int64_t revision() const { return sqlite3_total_changes64(db_) + rollbacks_; }
  // Builds a Status from the connection's last error.
  faultfs::Status error(std::string_view what) const;

  sqlite3* handle() { return db_; }

 private:
  explicit Db(sqlite3* db);
  static void on_rollback(void* self);
  sqlite3* db_;
  int64_t rollbacks_ = 0;
  struct Slot {
    std::unique_ptr<Statement> stmt;
    bool in_use = false;
  };
  // By SQL text. Finalized before the connection closes (~Db).
  std::unordered_map<std::string, Slot> cache_;
};

// A prepared statement. Bind parameters are 1-based, columns 0-based.
class Statement {
 public:
  Statement(Db* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  [[nodiscard]] faultfs::Status bind_int(int index, int64_t value);
  [[nodiscard]] faultfs::Status bind_blob(int index, std::string_view value);
  [[nodiscard]] faultfs::Status bind_null(int index);

  // Steps once: true while a row is available, false when done.
  [[nodiscard]] faultfs::Result<bool> step();
  // Steps a statement that returns no rows, then resets it for reuse.
  [[nodiscard]] faultfs::Status run();
  // Resets for re-execution and clears the bindings.
  [[nodiscard]] faultfs::Status reset();

  int64_t column_int(int column) const { return sqlite3_column_int64(stmt_, column); }
  bool column_is_null(int column) const {
    return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
  }
  // Valid until the next step() or reset().
  std::string_view column_blob(int column) const;

 private:
  Db* db_;
  sqlite3_stmt* stmt_;
};

class Db::Cached {
 public:
  Cached(Statement* stmt, bool* in_use) : stmt_(stmt), in_use_(in_use) {}
  Cached(Cached&& other) noexcept
      : stmt_(std::exchange(other.stmt_, nullptr)), in_use_(other.in_use_) {}
  Cached& operator=(Cached&&) = delete;
  ~Cached();

  Statement& operator*() const { return *stmt_; }
  Statement* operator->() const { return stmt_; }

 private:
  Statement* stmt_;
  bool* in_use_;
};

}  // namespace oracle::sql
