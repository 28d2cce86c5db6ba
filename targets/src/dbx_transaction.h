// The DBX adapter's transactions (targets::TargetTransaction over
// dbx::Transaction), and the isolation doubles built on the same engine
// (DbxTargetOptions::TxnBug).
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <tuple>

#include "dbx/database.h"
#include "dbx/transaction.h"
#include "dbx/write_batch.h"
#include "targets/dbx_target.h"
#include "targets/target.h"

namespace targets::detail {

// kSharedWriteBuffer's bug: one buffer for every open transaction of a
// handle, keyed (table, key) -> (writer id, value; nullopt: a delete).
struct SharedWriteBuffer {
  std::mutex mu;
  std::map<std::pair<std::string, std::string>, std::pair<uint64_t, std::optional<std::string>>>
      writes;
  uint64_t next_writer = 1;
};

// `op` (a put or a delete) into a batch, or into an engine transaction:
// the seam's Op in the engine's spelling.
void add_to_batch(const Op& op, dbx::WriteBatch* batch);
void write_into(dbx::Transaction& txn, const Op& op);

// A transaction on `db` (which must outlive it) behaving as `bug` says.
// `shared` is the handle's buffer (used by kSharedWriteBuffer only).
std::unique_ptr<TargetTransaction> make_dbx_transaction(dbx::Database& db,
                                                        DbxTargetOptions::TxnBug bug,
                                                        SharedWriteBuffer& shared);

}  // namespace targets::detail
