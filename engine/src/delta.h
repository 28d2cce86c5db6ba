// Delta: the writes since the last checkpoint, per table. An entry is a value
// or a tombstone (a delete the WOS must learn about). The engine applies every
// acknowledged write here (and the log replay at open does too); a checkpoint
// hands the whole delta to the WOS and clears it.
//
// Keys and values are copied into one arena per delta, so a write costs two
// memcpys and a hash insert, never a heap allocation per entry; overwritten
// values stay in the arena until clear() (bytes() counts them, so the flush
// threshold also bounds that garbage).
//
// Thread-safety: const methods may run concurrently with each other;
// mutators need exclusive access (the engine's state lock).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "staged_writes.h"
#include "util/byte_arena.h"
#include "util/key_table.h"

namespace dbx {

class Delta {
 public:
  // What the delta says about a key: a value, or nullopt for a tombstone.
  using Entry = std::optional<std::string_view>;

  // Per-entry bookkeeping counted into bytes() on top of the copied bytes.
  static constexpr uint64_t kEntryOverheadBytes = 32;

  Delta() = default;
  Delta(const Delta&) = delete;
  Delta& operator=(const Delta&) = delete;
  // A moved-from delta is empty and usable.
  Delta(Delta&& other) noexcept { *this = std::move(other); }
  Delta& operator=(Delta&& other) noexcept {
    if (this == &other) return *this;
    tables_ = std::move(other.tables_);
    values_ = std::move(other.values_);
    entries_ = std::exchange(other.entries_, 0);
    bytes_ = std::exchange(other.bytes_, 0);
    other.tables_.clear();
    return *this;
  }

  void put(std::string_view table, std::string_view key, std::string_view value);
  void remove(std::string_view table, std::string_view key);  // Records a tombstone.

  // The same as put() and remove() for each staged write in order, but with
  // the probes of later keys prefetched while earlier ones land, and the
  // batch's values taken over rather than copied again. `writes` is left
  // empty.
  void apply(StagedWrites&& writes);

  // Bulk-load hints (see KeyTable::reserve and shrink_to_fit): make room for
  // `entries` keys in `table` (if it has any yet); give back room guessed
  // too high.
  void reserve(std::string_view table, size_t entries);
  void shrink_to_fit();
  // Entries (values and tombstones) held for `table`, and the slots its
  // table has allocated for them (0 for an absent table).
  size_t entries_in(std::string_view table) const;
  size_t slots_in(std::string_view table) const;

  // nullopt: the delta says nothing about (table, key); otherwise its entry.
  // Views stay valid until clear().
  std::optional<Entry> find(std::string_view table, std::string_view key) const;
  bool contains(std::string_view table, std::string_view key) const;

  bool empty() const { return entries_ == 0; }
  uint64_t entries() const { return entries_; }
  // Bytes written into the delta since the last clear(), overwrites included:
  // what the flush threshold is compared with.
  uint64_t bytes() const { return bytes_; }

  void clear();

  // Table names with at least one entry, sorted.
  std::vector<std::string> table_names() const;

  // fn(table, key, entry) for every entry: tables in name order, keys in key
  // order within a table. fn must not modify the delta.
  template <typename Fn>
  void for_each(Fn&& fn) const {
    for (const auto& [table, rows] : tables_) {
      rows.for_each_ordered([&](std::string_view key, const Stored& stored) {
        fn(std::string_view(table), key, to_entry(stored));
      });
    }
  }

  // fn(table, key, entry) for every entry in no particular order: for the
  // passes that only add up or check, and need not pay for key order.
  template <typename Fn>
  void for_each_unordered(Fn&& fn) const {
    for (const auto& [table, rows] : tables_) {
      rows.for_each_unordered([&](std::string_view key, const Stored& stored) {
        fn(std::string_view(table), key, to_entry(stored));
      });
    }
  }

  // fn(key, entry) for every entry of `table`, in no particular order.
  template <typename Fn>
  void for_each_in_table(std::string_view table, Fn&& fn) const {
    const auto t = tables_.find(table);
    if (t == tables_.end()) return;
    t->second.for_each_unordered(
        [&](std::string_view key, const Stored& stored) { fn(key, to_entry(stored)); });
  }

  // fn(key, entry) for the keys of `table` in [begin, end), in key order. An
  // fn returning bool stops the walk by returning false.
  template <typename Fn>
  void for_each_in_range(std::string_view table, std::string_view begin,
                         std::optional<std::string_view> end, Fn&& fn) const {
    const auto t = tables_.find(table);
    if (t == tables_.end()) return;
    t->second.for_each_in_range(begin, end, [&](std::string_view key, const Stored& stored) {
      return fn(key, to_entry(stored));
    });
  }

 private:
  // A value's bytes in values_, or a tombstone.
  struct Stored {
    const char* data = nullptr;
    uint32_t size = 0;
    bool tombstone = false;
  };

  static Entry to_entry(const Stored& stored) {
    if (stored.tombstone) return std::nullopt;
    return std::string_view(stored.data, stored.size);
  }

  using Rows = KeyTable<Stored>;

  // The rows of `table`, created empty if absent.
  Rows& rows_of(std::string_view table);
  void set(Rows& rows, size_t table_name_bytes, std::string_view key, const Stored& stored);

  std::map<std::string, Rows, std::less<>> tables_;
  ByteArena values_;
  uint64_t entries_ = 0;
  uint64_t bytes_ = 0;
};

}  // namespace dbx
