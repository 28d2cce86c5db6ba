// The history's live ops loaded into memory with interned keys: what the
// checker walks (several times on the violation path, so walks are plain
// vector loops with no hashing of strings).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "faultfs/status.h"
#include "oracle/types.h"
#include "sqlite_db.h"

namespace oracle::detail {

inline constexpr uint32_t kNoOp = UINT32_MAX;  // "absent" in a per-key op slot.

struct LoadedOp {
  uint64_t seq = 0;
  uint32_t key = 0;  // Index into LoadedHistory::keys: the log's key_id - 1.
  bool is_delete = false;
  uint64_t entry_hash = 0;  // hash_entry(hash_key(table, key), value); 0 for deletes.
  std::string_view value;   // In the history's arena; empty for deletes.
};

struct KeyName {
  std::string_view table;  // Both in the history's arena.
  std::string_view key;
};

// Append-only byte storage whose views stay valid for its lifetime, moves
// included: one allocation per chunk instead of one per value.
//
// Chunks start small and double up to kChunkBytesMax, and are never zeroed:
// every judged state loads its history into a fresh arena, and a 1 MiB
// zeroed first chunk (a fresh mapping, faulted in page by page, then unmapped)
// cost more than the whole check of a short history.
class Arena {
 public:
  std::string_view store(std::string_view bytes);

 private:
  static constexpr size_t kChunkBytesMin = size_t{4} << 10;
  static constexpr size_t kChunkBytesMax = size_t{1} << 20;
  std::vector<std::unique_ptr<char[]>> chunks_;
  std::vector<std::unique_ptr<char[]>> oversized_;
  size_t chunk_bytes_ = 0;  // Size of the last chunk.
  size_t used_ = 0;         // Bytes used of the last chunk.
};

// 64-bit hashes, 8 bytes per step. A row's hash is hash_entry(hash_key(table,
// key), value); the state's hash is the wrapping sum of its rows' hashes.
uint64_t hash_key(std::string_view table, std::string_view key);
uint64_t hash_entry(uint64_t key_hash, std::string_view value);
uint64_t hash_value(std::string_view value);

struct LoadedHistory {
  std::vector<LoadedOp> ops;         // Live ops with seq <= hi, in log order.
  std::vector<KeyName> keys;         // Every key ever logged, discarded writes' too.
  std::vector<uint64_t> key_hashes;  // hash_key() per key index.
  std::unique_ptr<Arena> arena = std::make_unique<Arena>();

  // Loads the live ops with seq <= hi from the log.
  [[nodiscard]] static faultfs::Result<LoadedHistory> load(sql::Db& db, uint64_t hi);
  // The index of (table, key) whose hash_key() is `h`, or kNoOp if no write
  // ever named it.
  uint32_t find(std::string_view table, std::string_view key, uint64_t h) const;

 private:
  void add_key(std::string_view table, std::string_view key);
  void grow();
  // Open addressing, linear probing: key index + 1, or 0 for an empty slot.
  // At most half full, so every probe ends.
  std::vector<uint32_t> slots_;
};

// The recovered state laid over the interned keys.
struct RecoveredIndex {
  std::vector<const std::string*> value_of;  // Per key index; null = absent.
  std::vector<const Entry*> unknown;         // Rows of keys no write ever named.
  uint64_t hash = 0;                         // Sum of hash_entry over all rows.

  static RecoveredIndex build(const LoadedHistory& history, const State& recovered);
  // Whether key `k` (absent when `value` is null) holds its recovered value.
  bool matches(uint32_t k, const std::string_view* value) const {
    const std::string* r = value_of[k];
    if (r == nullptr || value == nullptr) return r == nullptr && value == nullptr;
    return *r == *value;
  }
};

// A walk cursor: the state after the ops [0, next) as one op index per key.
class Cursor {
 public:
  explicit Cursor(const LoadedHistory& history)
      : history_(history), current_(history.keys.size(), kNoOp) {}

  size_t next() const { return next_; }
  bool done() const { return next_ == history_.ops.size(); }
  uint64_t next_seq() const { return history_.ops[next_].seq; }
  // The value key `k` holds now; null when absent.
  const std::string_view* value(uint32_t k) const {
    const uint32_t i = current_[k];
    return i == kNoOp ? nullptr : &history_.ops[i].value;
  }
  uint32_t current_op(uint32_t k) const { return current_[k]; }
  // Applies the next op; returns the op index it replaced on its key (or kNoOp).
  uint32_t apply_next() {
    const LoadedOp& op = history_.ops[next_];
    const uint32_t old = current_[op.key];
    current_[op.key] = op.is_delete ? kNoOp : static_cast<uint32_t>(next_);
    next_++;
    return old;
  }

 private:
  const LoadedHistory& history_;
  std::vector<uint32_t> current_;
  size_t next_ = 0;
};

}  // namespace oracle::detail
