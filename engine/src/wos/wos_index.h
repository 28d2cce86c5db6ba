// The WOS's in-memory index: table -> key -> where the live entry sits in `db`.
// Each table is a KeyTable (util/key_table.h): hash lookups for the point
// reads and checkpoint updates, key order materialized for range reads only.
//
// It holds keys and offsets, never values, so that memory grows with the key
// set and a point read is one positioned read of one entry. It also keeps the
// live figures (entry count, live bytes) that conf records and compaction
// decides on.
//
// Invariants:
//  - a table present in the map has at least one live key (empty tables are
//    erased, so table_names() needs no filtering);
//  - live_bytes() == sum of entry_bytes(table, key, value) + seal bytes over
//    live slots;
//  - live_entries() == number of slots.
#pragma once

#include <cassert>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/key_table.h"

namespace dbx::wos {

// Where a live put entry is: its first byte in `db`, and its value's length
// (the table and key lengths are known from the index path that leads here).
struct Slot {
  uint64_t offset = 0;
  uint32_t value_bytes = 0;
};

class WosIndex {
 public:
  const Slot* find(std::string_view table, std::string_view key) const;
  Slot* find_mutable(std::string_view table, std::string_view key);

  // Inserts or replaces the slot of (table, key). Returns whether the table
  // was created by it (a bulk load sizes a new table).
  bool put(std::string_view table, std::string_view key, Slot slot);
  // Removes (table, key); returns whether it was live.
  bool erase(std::string_view table, std::string_view key);

  // The keys of `table` in [begin, end), in order; `end` nullopt is unbounded.
  // Each key view stays valid until the index is next modified.
  struct RangeItem {
    std::string_view key;
    Slot slot;
  };
  // At most `limit` items: the first ones in key order.
  std::vector<RangeItem> range(std::string_view table, std::string_view begin,
                               std::optional<std::string_view> end, size_t limit = SIZE_MAX) const;

  uint64_t count(std::string_view table) const;

  // Bulk-load hints for open (see KeyTable): room for `entries` keys in
  // `table` if it exists; the start of a lookup of (table, key), issued some
  // keys ahead; room guessed too high given back.
  void reserve(std::string_view table, size_t entries);
  void prefetch(std::string_view table, std::string_view key) const;
  void shrink_to_fit();
  std::vector<std::string> table_names() const;

  uint64_t live_entries() const { return live_entries_; }
  uint64_t live_bytes() const { return live_bytes_; }
  // A sealed store's per-entry overhead, counted in live_bytes(). Set before
  // the first put.
  void set_seal_bytes(uint32_t bytes) {
    assert(live_entries_ == 0);
    seal_bytes_ = bytes;
  }

 private:
  // Few tables, many keys: an ordered map of names is cheap and keeps
  // table_names() sorted.
  std::map<std::string, KeyTable<Slot>, std::less<>> tables_;
  uint64_t live_entries_ = 0;
  uint64_t live_bytes_ = 0;
  uint32_t seal_bytes_ = 0;
};

}  // namespace dbx::wos
