// Snapshots, transactions and iterators: reads of one consistent state while
// writers go on (engine/doc/transactions.md).
//
// Snapshot isolation. A Snapshot, or a Transaction, is pinned at the sequence
// S that was last applied when it began: it reads the state at S (and a
// transaction, its own writes over it). Readers never block writers and
// writers never block readers. A transaction's writes are buffered in it;
// commit() makes them one write (one WAL record, one sequence number), in or
// out as a whole after any crash and durable as the database's level
// promises. commit() fails with write_conflict if any key it writes was
// written by anyone (another transaction, or a plain insert/remove/batch)
// after S: the first committer wins. A transaction that wrote nothing never
// conflicts. Rolled-back and uncommitted writes are never visible to anyone.
//
// Lifetime: a handle keeps the engine's memory alive, not the database open.
// Once the Database is closed or destroyed every call on it throws closed
// (destroying it stays safe). Old versions are kept only while some snapshot
// or transaction needs them: end long-lived ones to free that memory.
//
// Thread-safety: a Snapshot or an Iterator may be read by several threads
// only if none of them moves the iterator; a Transaction belongs to one
// thread at a time.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace dbx {

class DatabaseImpl;

// A streaming cursor over one table in bytewise key order, at a snapshot or
// inside a transaction. It reads rows in bounded chunks: a scan of a large
// table never holds the whole table, and a seek reads a small first chunk
// that doubles per refill (up to 512 rows). key() and value() stay valid
// until the next move.
class Iterator {
 public:
  struct Source;  // Internal: where chunks come from.
  explicit Iterator(std::shared_ptr<Source> source);
  ~Iterator();
  Iterator(const Iterator&) = delete;
  Iterator& operator=(const Iterator&) = delete;

  void seek_to_first();
  // The first row with key >= `key`.
  void seek(std::string_view key);
  bool valid() const;
  // Requires valid().
  void next();
  std::string_view key() const;
  std::string_view value() const;

 private:
  void fill(std::string begin);

  std::shared_ptr<Source> source_;
  std::vector<std::pair<std::string, std::string>> chunk_;
  size_t position_ = 0;
  // Rows the next chunk asks for: small after a seek, doubling per refill.
  size_t chunk_rows_ = 0;
  // Where the next chunk starts; nullopt when the table's end was read.
  std::optional<std::string> next_begin_;
};

// A read-only view pinned at one sequence.
class Snapshot {
 public:
  using Row = std::pair<std::string, std::string>;
  Snapshot(std::shared_ptr<DatabaseImpl> impl, uint64_t sequence);
  ~Snapshot();  // Releases the pin.
  Snapshot(const Snapshot&) = delete;
  Snapshot& operator=(const Snapshot&) = delete;

  uint64_t sequence() const { return sequence_; }
  std::optional<std::string> get(std::string_view table, std::string_view key) const;
  uint64_t count(std::string_view table) const;
  std::vector<Row> scan(std::string_view table) const;
  std::vector<Row> range(std::string_view table, std::string_view begin,
                         std::string_view end) const;
  std::unique_ptr<Iterator> iterator(std::string_view table) const;

 private:
  std::shared_ptr<DatabaseImpl> impl_;
  uint64_t sequence_;
};

class Transaction {
 public:
  using Row = std::pair<std::string, std::string>;
  Transaction(std::shared_ptr<DatabaseImpl> impl, uint64_t sequence);
  ~Transaction();  // Rolls back if still active.
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  // The sequence its reads see (its snapshot).
  uint64_t snapshot_sequence() const { return sequence_; }
  bool active() const { return active_; }

  std::optional<std::string> get(std::string_view table, std::string_view key) const;
  void insert(std::string_view table, std::string_view key, std::string_view value);
  // Whether the key existed, as this transaction sees it.
  bool remove(std::string_view table, std::string_view key);
  uint64_t count(std::string_view table) const;
  std::vector<Row> scan(std::string_view table) const;
  std::vector<Row> range(std::string_view table, std::string_view begin,
                         std::string_view end) const;
  std::unique_ptr<Iterator> iterator(std::string_view table) const;

  // Applies the writes as one write and returns its sequence number (the
  // snapshot's sequence when nothing was written). Throws write_conflict
  // (nothing applied, the transaction ends) or the write's own errors. Ends
  // the transaction either way; later calls throw closed.
  uint64_t commit();
  // Discards the writes; ends the transaction. Idempotent.
  void rollback();

  // Internal: the buffered writes, per table and key (nullopt: a delete).
  using WriteSet =
      std::map<std::string, std::map<std::string, std::optional<std::string>>, std::less<>>;

 private:
  void check_active() const;
  void release();

  std::shared_ptr<DatabaseImpl> impl_;
  uint64_t sequence_;
  bool active_ = true;
  WriteSet writes_;
};

}  // namespace dbx
