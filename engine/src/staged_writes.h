// StagedWrites: a batch of writes copied out of the log, ready to be applied
// to a Delta in one pass (Delta::apply).
//
// Why: recovery replays logs of millions of writes into a hash table far
// larger than the cache. Applied one by one as the reader meets them, each
// write waits for its own cache miss. Staged in a batch, the writes can be
// applied with the probes of later keys prefetched while earlier ones land,
// and a batch can be staged on one thread while another applies the last.
// Values are copied once, into an arena the delta then takes over whole.
//
// A batch is bounded (kItemsMax writes, kTablesMax tables, one arena chunk of
// values unless a single value is larger): has_room_for() says when it is
// full, and the caller hands it on and starts another.
//
// Invariants: every item's table indexes tables_; a put's value view points
// into values_ (or is empty); a long key points into long_keys_.
// Thread-safety: none; a batch belongs to one thread at a time.
#pragma once

#include <cassert>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "util/byte_arena.h"
#include "util/packed_key.h"

namespace dbx {

class StagedWrites {
 public:
  static constexpr size_t kItemsMax = 16384;
  static constexpr size_t kTablesMax = 64;

  StagedWrites() = default;
  StagedWrites(const StagedWrites&) = delete;
  StagedWrites& operator=(const StagedWrites&) = delete;
  StagedWrites(StagedWrites&&) noexcept = default;
  StagedWrites& operator=(StagedWrites&&) noexcept = default;

  // Whether a put of `value` (or a delete: an empty value) into `table` fits
  // this batch. An empty batch always has room.
  bool has_room_for(std::string_view table, std::string_view value) const {
    if (items_.empty()) return true;
    if (items_.size() >= kItemsMax) return false;
    if (values_.needs_new_chunk(value.size())) return false;
    return tables_.size() < kTablesMax || find_table(table) != kNoTable;
  }

  // Stages a put (is_delete false) or a delete (value ignored). Precondition:
  // has_room_for(table, value) (a delete: has_room_for(table, {})).
  void add(bool is_delete, std::string_view table, std::string_view key, std::string_view value) {
    assert(has_room_for(table, is_delete ? std::string_view() : value));
    assert(value.size() <= std::numeric_limits<uint32_t>::max());
    uint16_t table_index = find_table(table);
    if (table_index == kNoTable) {
      table_index = static_cast<uint16_t>(tables_.size());
      tables_.emplace_back(table);
    }
    last_table_ = table_index;
    Item item;
    item.key = PackedKey::make(key, PackedKey::fits_inline(key) ? key : long_keys_.store(key));
    item.table = table_index;
    item.is_delete = is_delete;
    if (!is_delete) {
      const std::string_view stored = values_.store(value);
      item.value = stored.data();
      item.value_size = static_cast<uint32_t>(stored.size());
    }
    items_.push_back(item);
    assert(items_.size() <= kItemsMax);
  }

  size_t size() const { return items_.size(); }
  bool empty() const { return items_.empty(); }
  const std::vector<std::string>& tables() const { return tables_; }
  // How many of this batch's writes go to each of tables(), in one pass.
  std::vector<size_t> writes_per_table() const {
    std::vector<size_t> counts(tables_.size(), 0);
    for (const Item& item : items_) counts[item.table] += 1;
    return counts;
  }

 private:
  friend class Delta;

  static constexpr uint16_t kNoTable = std::numeric_limits<uint16_t>::max();
  static_assert(kTablesMax < kNoTable);

  struct Item {
    PackedKey key;
    const char* value = nullptr;
    uint32_t value_size = 0;
    uint16_t table = 0;
    bool is_delete = false;
  };

  // Batches are nearly always one table: the last one is checked first.
  uint16_t find_table(std::string_view table) const {
    if (last_table_ < tables_.size() && tables_[last_table_] == table) return last_table_;
    for (size_t i = 0; i < tables_.size(); ++i) {
      if (tables_[i] == table) return static_cast<uint16_t>(i);
    }
    return kNoTable;
  }

  std::vector<std::string> tables_;
  std::vector<Item> items_;
  ByteArena values_;     // Taken over by the delta the batch is applied to.
  ByteArena long_keys_;  // Only needed while applying: the tables copy new keys.
  uint16_t last_table_ = kNoTable;
};

}  // namespace dbx
