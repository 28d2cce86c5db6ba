// History's point lookups: what the isolation judge asks of the model one
// key at a time (the checker computes whole states in loaded_history.cc).
#include "faultfs/status_macros.h"
#include "oracle/history.h"
#include "sqlite_db.h"

namespace oracle {

using faultfs::Result;

Result<std::optional<std::string>> History::value_at(std::string_view table, std::string_view key,
                                                     uint64_t p) {
  // The last live op on the key at or before p: within a write, ops apply in
  // op_id order, so the highest op_id wins.
  ASSIGN_OR_RETURN(auto stmt, db_->prepare("SELECT o.value FROM ops AS o JOIN keys AS k"
                                           " ON k.key_id = o.key_id WHERE k.tbl = ?1"
                                           " AND k.key = ?2 AND o.live = 1 AND o.seq <= ?3"
                                           " ORDER BY o.op_id DESC LIMIT 1"));
  sql::Statement& q = *stmt;
  RETURN_IF_ERROR(q.bind_blob(1, table));
  RETURN_IF_ERROR(q.bind_blob(2, key));
  RETURN_IF_ERROR(q.bind_int(3, static_cast<int64_t>(p)));
  ASSIGN_OR_RETURN(auto row, q.step());
  if (!row || q.column_is_null(0)) return std::optional<std::string>();
  return std::optional<std::string>(std::string(q.column_blob(0)));
}

Result<uint64_t> History::last_write_between(std::string_view table, std::string_view key,
                                             uint64_t after, uint64_t through) {
  ASSIGN_OR_RETURN(auto stmt, db_->prepare("SELECT max(o.seq) FROM ops AS o JOIN keys AS k"
                                           " ON k.key_id = o.key_id WHERE k.tbl = ?1"
                                           " AND k.key = ?2 AND o.live = 1 AND o.seq > ?3"
                                           " AND o.seq <= ?4"));
  sql::Statement& q = *stmt;
  RETURN_IF_ERROR(q.bind_blob(1, table));
  RETURN_IF_ERROR(q.bind_blob(2, key));
  RETURN_IF_ERROR(q.bind_int(3, static_cast<int64_t>(after)));
  RETURN_IF_ERROR(q.bind_int(4, static_cast<int64_t>(through)));
  ASSIGN_OR_RETURN(auto row, q.step());
  if (!row || q.column_is_null(0)) return uint64_t{0};
  return static_cast<uint64_t>(q.column_int(0));
}

}  // namespace oracle
