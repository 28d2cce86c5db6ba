// dbx::Database: the public handle of a DBX database.
//
// Thread-safe: any number of threads may read and write through one handle.
// Every write gets a sequence number and writes apply in sequence order; what
// survives a crash is set by the durability level (options.h, README).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "dbx/error.h"
#include "dbx/options.h"
#include "dbx/transaction.h"
#include "dbx/write_batch.h"

namespace dbx {

class DatabaseImpl;

// Figures of the last open's recovery, for logs and tests.
struct RecoveryStats {
  uint64_t checkpoint_sequence = 0;         // Sequence covered by the WOS.
  uint64_t records_replayed = 0;            // WAL records applied to the delta.
  uint64_t records_skipped = 0;             // At or below the checkpoint, or bad (kSkipCorrupted).
  uint64_t checkpoint_covered_records = 0;  // Of records_skipped: covered by the WOS.
  uint64_t bytes_replayed = 0;
  uint64_t torn_bytes_dropped = 0;  // Incomplete tail truncated.
  // The log ended where a recycled file's stale bytes of an older epoch begin.
  bool ended_in_recycled_space = false;
  // The open finished a compaction switch a crash had interrupted.
  bool compaction_rolled_forward = false;
  double elapsed_s = 0;
};

class Database {
 public:
  using Row = std::pair<std::string, std::string>;

  // Opens or creates the database in directory `path`. Throws dbx::Error.
  static std::unique_ptr<Database> open(const std::string& path);  // Lazy.
  static std::unique_ptr<Database> open(const std::string& path, const Options& options);
  static std::unique_ptr<Database> open_safe(const std::string& path);  // Full.
  static std::unique_ptr<Database> open_fast(const std::string& path);  // None.
  static std::unique_ptr<Database> open_with_durability(const std::string& path,
                                                        Durability durability);
  // Options::read_only set: opens an existing database without writing to it.
  static std::unique_ptr<Database> open_read_only(const std::string& path);
  static std::unique_ptr<Database> open_read_only(const std::string& path, Options options);
  // A database with no files at all; everything is lost at close.
  static std::unique_ptr<Database> open_in_memory();
  // Options::encryption set (dbx/encryption.h): opens or creates an
  // encrypted database. A wrong key throws invalid_key.
  static std::unique_ptr<Database> open_encrypted(const std::string& path,
                                                  const EncryptionConfig& config,
                                                  Durability durability = Durability::kLazy);
  static std::unique_ptr<Database> open_in_memory_encrypted(const EncryptionConfig& config);

  // Re-wraps the data keys with `new_config`'s key, crash-atomically: after a
  // crash at any point exactly one of the old and the new key opens the
  // database. With `reencrypt`, a fresh data key also replaces the old one:
  // a checkpoint rewrites every live entry under it (writers wait) and the log
  // is cut, then the old data key is dropped. Returns the number of entries
  // rewritten (0 without `reencrypt`). invalid_argument on a plain database.
  uint64_t rotate_key(const EncryptionConfig& new_config, bool reencrypt = false);
  bool is_encrypted() const;

  ~Database();  // Closes cleanly; errors are logged, not thrown.
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // Upsert. Returns the write's sequence number.
  uint64_t insert(std::string_view table, std::string_view key, std::string_view value);
  std::optional<std::string> get(std::string_view table, std::string_view key) const;
  // Returns whether the key existed. A delete is logged either way.
  bool remove(std::string_view table, std::string_view key);
  // Atomic upsert of many rows into one table.
  uint64_t insert_batch(std::string_view table, const std::vector<Row>& rows);
  // Atomic application of a batch spanning tables.
  uint64_t write(const WriteBatch& batch);

  uint64_t count(std::string_view table) const;
  // All rows of a table in key order (bytewise).
  std::vector<Row> scan(std::string_view table) const;
  // Rows with begin <= key < end in key order.
  std::vector<Row> range(std::string_view table, std::string_view begin,
                         std::string_view end) const;
  // Tables holding at least one row, sorted.
  std::vector<std::string> table_names() const;

  // A read-only view pinned at the last applied write (dbx/transaction.h).
  std::unique_ptr<Snapshot> snapshot() const;
  // A snapshot-isolated transaction; see dbx/transaction.h for the rules.
  std::unique_ptr<Transaction> begin_transaction();
  // Old versions kept for live snapshots and transactions: 0 once the last
  // one has ended.
  uint64_t old_version_count() const;

  // Checkpoint: delta store → WOS (crash-atomic), then the WAL is cut. Writers
  // may continue meanwhile; what they write is left for the next checkpoint.
  void flush();
  // Sets the period of the background flush; zero stops it.
  void set_flush_interval(std::chrono::milliseconds interval);
  // Flushes (None) or syncs (Lazy, Full) and releases every resource. Idempotent.
  // Throws read_only (after releasing everything) if the handle had become
  // read-only, e.g. through a failed background checkpoint: nothing written
  // since was made durable by this close.
  void close();

  // Only with Options::background_threads == false (invalid_argument
  // otherwise): runs the background work due at `now`, a clock the caller
  // keeps (any origin, never going back), exactly as the threads would have
  // by then: a Lazy WAL sync when none ran in the last sync_interval (the
  // first call counts as due), then a checkpoint if one was requested or
  // flush_interval has passed since the last. Throws dbx::Error as flush()
  // does; a failed sync makes the handle read-only, as on the thread.
  void run_background_work(std::chrono::nanoseconds now);

  uint64_t last_sequence() const;
  Durability durability() const;
  RecoveryStats recovery_stats() const;

 private:
  explicit Database(std::shared_ptr<DatabaseImpl> impl);
  // Shared with the snapshots, transactions and iterators, which may outlive
  // the handle: they then find the engine closed.
  std::shared_ptr<DatabaseImpl> impl_;
};

}  // namespace dbx
