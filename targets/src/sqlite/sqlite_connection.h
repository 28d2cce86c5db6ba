// Connection: one SQLite connection on a FaultVfs, with the few statements
// the SQLite targets run (sqlite_target.h), each returning a faultfs Status.
// Not thread-safe: its target serializes every call.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "faultfs/file_system.h"
#include "faultfs/status.h"
#include "sqlite/fault_vfs.h"
#include "targets/types.h"

namespace targets::sqlite {

class Connection {
 public:
  // Opens (creating if missing) the database file `path` of `fs`.
  [[nodiscard]] static faultfs::Result<std::unique_ptr<Connection>> open(faultfs::FileSystem& fs,
                                                                         const std::string& path);
  // Closes as a process exit would if close() was not called: errors go nowhere.
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  [[nodiscard]] faultfs::Status exec(const std::string& sql);
  // The first column of the first row of `sql`, as text.
  [[nodiscard]] faultfs::Result<std::string> query_text(const std::string& sql);
  // Prepares the statements put(), del(), bump_seq() and scan() run.
  [[nodiscard]] faultfs::Status prepare_statements();

  // Inside a transaction: one row stored or removed, and the sequence bumped.
  [[nodiscard]] faultfs::Status put(std::string_view table, std::string_view key,
                                    std::string_view value);
  [[nodiscard]] faultfs::Status del(std::string_view table, std::string_view key);
  [[nodiscard]] faultfs::Result<uint64_t> bump_seq();
  // Rolls back the open transaction, if SQLite has not already, and returns
  // `error` (with the rollback's own failure added to its message).
  [[nodiscard]] faultfs::Status rollback_after(const faultfs::Status& error);

  // A WAL checkpoint that copies every frame and truncates the WAL.
  [[nodiscard]] faultfs::Status checkpoint();
  // Every row, sorted by (table, key) bytewise.
  [[nodiscard]] faultfs::Result<State> scan();

  // Finalizes every statement and closes; an I/O error that SQLite went on
  // past while closing (its closing checkpoint) is an error here.
  [[nodiscard]] faultfs::Status close();

 private:
  Connection(std::shared_ptr<FaultVfs> vfs, sqlite3* db) : vfs_(std::move(vfs)), db_(db) {}
  [[nodiscard]] faultfs::Status prepare(const char* sql, sqlite3_stmt** out);
  [[nodiscard]] faultfs::Status step_done(sqlite3_stmt* stmt, const char* what);
  void finalize_all();

  std::shared_ptr<FaultVfs> vfs_;  // Outlives db_: unregistered after the close.
  sqlite3* db_ = nullptr;
  sqlite3_stmt* put_ = nullptr;
  sqlite3_stmt* del_ = nullptr;
  sqlite3_stmt* bump_ = nullptr;
  sqlite3_stmt* scan_ = nullptr;
};

}  // namespace targets::sqlite
