// TxnEngine: the transactional seam of the comparison, beside KvEngine so
// that the plain suites' rows and adapters stay exactly as they were. Each
// engine's own transaction API sits behind it: DBX begin_transaction, RocksDB
// TransactionDB (pessimistic locks) and OptimisticTransactionDB (validation at
// commit), SQLite BEGIN IMMEDIATE, and LevelDB, which has snapshots but no
// transactions.
//
// A conflict is a value, not an error: read_modify_write() returns false when
// the engine refused the transaction because of a concurrent one (a write
// conflict at commit, a lock wait or busy wait that timed out, a deadlock).
// Nothing of it was applied, and the caller retries and counts the retry.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "faultfs/status.h"
#include "kv_engine.h"

namespace bench {

struct TxnOptions {
  Durability durability = Durability::kLazy;
  // How long a transaction waits for a lock (RocksDB TransactionDB) or the
  // write lock (SQLite busy timeout) before giving up: a conflict.
  int64_t wait_ms = 1000;
};

// Called inside the transaction with the values read, in key order; it
// checks them and rewrites them in place. An error aborts the transaction.
using Modify = std::function<faultfs::Status(std::span<std::string> values)>;

// One thread's handle (SQLite: its own connection). A session is used by one
// thread at a time; several sessions run concurrently.
class TxnSession {
 public:
  virtual ~TxnSession() = default;

  // In one transaction: reads every key (each must exist), lets `modify`
  // rewrite the values, writes them all back and commits. `keys` are distinct
  // and ascending, so lock-based engines take their locks in one global order.
  // true: committed. false: a conflict; nothing was applied.
  [[nodiscard]] virtual faultfs::Result<bool> read_modify_write(
      std::span<const std::string_view> keys, const Modify& modify) = 0;

  // A read-only view of the state as of begin_snapshot(): later writes by
  // anyone stay invisible to snapshot_get() until end_snapshot().
  [[nodiscard]] virtual faultfs::Status begin_snapshot() = 0;
  // true and *value set when found; false when absent. Inside a snapshot.
  [[nodiscard]] virtual faultfs::Result<bool> snapshot_get(std::string_view key,
                                                           std::string* value) = 0;
  [[nodiscard]] virtual faultfs::Status end_snapshot() = 0;
  // The same read outside any snapshot: the rate a snapshot's gets are
  // compared with. Never inside a snapshot.
  [[nodiscard]] virtual faultfs::Result<bool> plain_get(std::string_view key,
                                                        std::string* value) = 0;
};

class TxnEngine {
 public:
  virtual ~TxnEngine() = default;

  virtual std::string_view name() const = 0;
  // false (LevelDB): read_modify_write() fails with kInvalidArgument.
  virtual bool has_transactions() const = 0;

  [[nodiscard]] virtual faultfs::Status open(const std::string& dir, const TxnOptions& options) = 0;
  // A plain atomic write of all rows, outside any transaction. Callable while
  // sessions exist, from one thread at a time.
  [[nodiscard]] virtual faultfs::Status load(std::span<const Row> rows) = 0;
  [[nodiscard]] virtual faultfs::Result<std::unique_ptr<TxnSession>> session() = 0;
  // Every session must have been destroyed.
  [[nodiscard]] virtual faultfs::Status close() = 0;
};

// The engine names the transactional suite runs, in the order its table
// lists them. RocksDB appears twice: its two transaction flavours.
inline constexpr std::string_view kTxnEngineNames[] = {"dbx", "sqlite", "rocksdb-txn",
                                                       "rocksdb-occ", "leveldb"};

// kInvalidArgument for a name not in kTxnEngineNames.
[[nodiscard]] faultfs::Result<std::unique_ptr<TxnEngine>> make_txn_engine(std::string_view name);

std::unique_ptr<TxnEngine> make_dbx_txn_engine();
std::unique_ptr<TxnEngine> make_sqlite_txn_engine();
std::unique_ptr<TxnEngine> make_rocksdb_txn_engine(bool optimistic);
std::unique_ptr<TxnEngine> make_leveldb_txn_engine();

}  // namespace bench
