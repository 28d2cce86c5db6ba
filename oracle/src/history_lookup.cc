// History's point lookups: what the isolation judge asks of the model one
// key at a time (the checker computes whole states in loaded_history.cc).
// Both run once per transactional read or commit: prepared once per
// connection (Db::cached).
#include <initializer_list>

#include "faultfs/status_macros.h"
#include "oracle/history.h"
#include "sqlite_db.h"

namespace oracle {

using faultfs::Result;
using faultfs::Status;

namespace {

// The last live op on the key at or before ?3: within a write, ops apply in
// op_id order, so the highest op_id wins.
constexpr const char* kValueAtSql =
    "SELECT o.value FROM ops AS o JOIN keys AS k ON k.key_id = o.key_id"
    " WHERE k.tbl = ?1 AND k.key = ?2 AND o.live = 1 AND o.seq <= ?3"
    " ORDER BY o.op_id DESC LIMIT 1";
constexpr const char* kLastWriteSql =
    "SELECT max(o.seq) FROM ops AS o JOIN keys AS k ON k.key_id = o.key_id"
    " WHERE k.tbl = ?1 AND k.key = ?2 AND o.live = 1 AND o.seq > ?3 AND o.seq <= ?4";

// Binds (table, key) to ?1, ?2 and `seqs` to ?3, ?4, ...
Status bind_key_and_seqs(sql::Statement& q, std::string_view table, std::string_view key,
                         std::initializer_list<uint64_t> seqs) {
  RETURN_IF_ERROR(q.bind_blob(1, table));
  RETURN_IF_ERROR(q.bind_blob(2, key));
  int index = 3;
  for (const uint64_t seq : seqs) RETURN_IF_ERROR(q.bind_int(index++, static_cast<int64_t>(seq)));
  return Status::ok();
}

}  // namespace

Result<std::optional<std::string>> History::value_at(std::string_view table, std::string_view key,
                                                     uint64_t p) {
  ASSIGN_OR_RETURN(auto stmt, db_->cached(kValueAtSql));
  sql::Statement& q = *stmt;
  RETURN_IF_ERROR(bind_key_and_seqs(q, table, key, {p}));
  ASSIGN_OR_RETURN(auto row, q.step());
  if (!row || q.column_is_null(0)) return std::optional<std::string>();
  return std::optional<std::string>(std::string(q.column_blob(0)));
}

Result<uint64_t> History::last_write_between(std::string_view table, std::string_view key,
                                             uint64_t after, uint64_t through) {
  ASSIGN_OR_RETURN(auto stmt, db_->cached(kLastWriteSql));
  sql::Statement& q = *stmt;
  RETURN_IF_ERROR(bind_key_and_seqs(q, table, key, {after, through}));
  ASSIGN_OR_RETURN(auto row, q.step());
  if (!row || q.column_is_null(0)) return uint64_t{0};
  return static_cast<uint64_t>(q.column_int(0));
}

}  // namespace oracle
