// KeyTable<V>: the in-memory map from a key to a small value V that both the
// delta and the WOS index are built on. Point operations are hash lookups;
// key order is materialized only when someone asks for it.
//
// Why this shape: the engine's hot paths are point operations (a write lands
// in the delta, a checkpoint moves each delta key into the WOS index, a get
// probes both). An ordered tree pays a cache miss per level on each of them;
// with a million keys that was most of the engine's CPU time. Range reads are
// the only users of order, so the order is a second structure (a B-tree of
// key views) brought up to date lazily: the keys inserted or erased since the
// last ordered read are remembered and merged in at the next one, or, when
// they are many, the order is dropped and rebuilt by one sort. A workload
// that never reads a range never pays for order.
//
// Keys are PackedKeys (util/packed_key.h): short ones inside the slot, long
// ones in a ByteArena. An erased long key's bytes stay in the arena (the
// order or the pending list may still point at them) until the abandoned
// bytes outweigh the live ones; then every live long key is copied into a
// fresh arena and the order is dropped.
//
// Invariants:
//  - every long key held by map_, ordered_ or touched_ points into arena_;
//  - when order_valid_: ordered_ with the keys of touched_ reconciled against
//    map_ (present: in, absent: out) equals the key set of map_;
//  - arena_key_bytes_live_ == sum of the sizes of map_'s keys too long to be
//    inline.
// Thread-safety: const methods may run concurrently with each other (the
// lazy order is guarded by its own mutex); mutators need exclusive access.
#pragma once

#include <absl/container/btree_set.h>
#include <absl/container/flat_hash_map.h>

#include <algorithm>
#include <cassert>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "util/byte_arena.h"
#include "util/packed_key.h"

namespace dbx {

template <typename V>
class KeyTable {
 public:
  // Abandoned key bytes below this never trigger a rebuild: small tables
  // would otherwise rebuild on every few erases.
  static constexpr uint64_t kAbandonedKeyBytesMin = uint64_t{1} << 20;
  // Pending order changes beyond max(this, size() / 2) drop the order
  // instead: one sort beats that many B-tree inserts, and it bounds the
  // pending list's memory.
  static constexpr size_t kTouchedKeysMin = 4096;
  // How far ahead of its insert or lookup a bulk pass starts a key's probe
  // (prefetch()): far enough to cover a miss (~200 ns here) with the work in
  // between, near enough that the lines are still in L1 when used.
  static constexpr size_t kPrefetchAheadKeys = 16;

  KeyTable() = default;
  KeyTable(const KeyTable&) = delete;
  KeyTable& operator=(const KeyTable&) = delete;

  size_t size() const { return map_.size(); }
  bool empty() const { return map_.empty(); }

  const V* find(std::string_view key) const {
    const auto it = map_.find(key);
    return it == map_.end() ? nullptr : &it->second;
  }
  V* find_mutable(std::string_view key) {
    const auto it = map_.find(key);
    return it == map_.end() ? nullptr : &it->second;
  }
  bool contains(std::string_view key) const { return map_.contains(key); }

  // Makes room for `entries` keys in all, so that inserts up to that size
  // never rehash. A bulk load that knows roughly how many keys are coming
  // calls it: growing a table far larger than the cache one doubling at a
  // time moves every key about twice more, each move a cache miss.
  void reserve(size_t entries) { map_.reserve(entries); }
  // Slots allocated, used or not: what reserve() and shrink_to_fit() change.
  size_t slot_count() const { return map_.bucket_count(); }

  // Gives back the room a reserve() guessed too high: after it, the table's
  // slots are no more than a small multiple of what its size needs.
  void shrink_to_fit() {
    const size_t slots_needed = map_.size() + map_.size() / 7 + 1;  // Max load 7/8.
    if (map_.bucket_count() > 4 * slots_needed) map_.rehash(0);
  }

  // Starts loading the memory a probe for `key` will touch first. A bulk
  // load issues it some keys ahead of their inserts, so that several cache
  // misses are in flight at once instead of one per insert.
  void prefetch(std::string_view key) const { map_.prefetch(key); }

  // Sets the value of `key`, copying the key in if it is new. Returns the
  // value it replaced, nullopt for a new key (callers that keep figures per
  // entry need the old value, and must not pay a second probe for it).
  std::optional<V> insert_or_assign(std::string_view key, const V& value) {
    // One probe: the key (copied into the arena when long) is built only if
    // the probe finds no slot for it.
    bool inserted = false;
    const auto it = map_.lazy_emplace(key, [&](const typename Map::constructor& construct) {
      inserted = true;
      if (PackedKey::fits_inline(key)) {
        construct(PackedKey::make(key, key), value);
      } else {
        construct(PackedKey::make(key, arena_.store(key)), value);
      }
    });
    if (!inserted) return std::exchange(it->second, value);
    if (!PackedKey::fits_inline(key)) arena_key_bytes_live_ += key.size();
    note_touched(it->first);
    return std::nullopt;
  }

  // Removes `key`; returns its value, nullopt if it was absent.
  std::optional<V> erase(std::string_view key) {
    const auto it = map_.find(key);
    if (it == map_.end()) return std::nullopt;
    const PackedKey stored = it->first;
    const V removed = it->second;
    map_.erase(it);
    if (!PackedKey::fits_inline(stored.view())) arena_key_bytes_live_ -= stored.size();
    note_touched(stored);
    assert(!map_.contains(stored.view()));
    const uint64_t abandoned_bytes = arena_.bytes_stored() - arena_key_bytes_live_;
    if (abandoned_bytes > std::max(arena_key_bytes_live_, kAbandonedKeyBytesMin)) {
      rebuild_arena();
    }
    return removed;
  }

  // Removes everything and frees the arena.
  void clear() {
    map_.clear();
    arena_.clear();
    arena_key_bytes_live_ = 0;
    drop_order();
  }

  // Calls fn(key, value) for every entry, in no particular order. The key
  // view is valid until the next mutation.
  template <typename Fn>
  void for_each_unordered(Fn&& fn) const {
    for (const auto& [key, value] : map_) fn(key.view(), value);
  }

  // Calls fn(key, value) for every key in [begin, end) in key order (`end`
  // nullopt: unbounded). fn must not modify the table. The key view stays
  // valid until the next mutation. An fn that returns bool stops the walk by
  // returning false (a bounded read of a long range).
  template <typename Fn>
  void for_each_in_range(std::string_view begin, std::optional<std::string_view> end,
                         Fn&& fn) const {
    if (end.has_value() && *end <= begin) return;
    materialize_order();
    // Once materialized the order changes only under a mutator, which the
    // caller excludes, so the walk below needs no lock.
    // Each key's value is a probe into a table that may be far larger than
    // the cache: the probe kPrefetchAheadKeys keys ahead is started early so
    // that the misses of a long range overlap.
    auto ahead = ordered_.lower_bound(begin);
    for (size_t i = 0; i < kPrefetchAheadKeys && ahead != ordered_.end(); ++i, ++ahead) {
      map_.prefetch(ahead->view());
    }
    for (auto it = ordered_.lower_bound(begin); it != ordered_.end(); ++it) {
      const std::string_view key = it->view();  // Stable: the order's node holds it.
      if (end.has_value() && key >= *end) break;
      if (ahead != ordered_.end()) {
        map_.prefetch(ahead->view());
        ++ahead;
      }
      const auto entry = map_.find(key);
      assert(entry != map_.end());
      if constexpr (std::is_same_v<std::invoke_result_t<Fn&, std::string_view, const V&>, bool>) {
        if (!fn(key, entry->second)) break;
      } else {
        fn(key, entry->second);
      }
    }
  }

  // Calls fn(key, value) for every entry in key order.
  template <typename Fn>
  void for_each_ordered(Fn&& fn) const {
    for_each_in_range(std::string_view(), std::nullopt, std::forward<Fn>(fn));
  }

 private:
  using Map = absl::flat_hash_map<PackedKey, V, PackedKeyHash, PackedKeyEq>;

  void note_touched(const PackedKey& key) {
    if (!order_valid_) return;  // A rebuild will see every key anyway.
    touched_.push_back(key);
    if (touched_.size() > std::max(kTouchedKeysMin, map_.size() / 2)) drop_order();
  }

  void drop_order() {
    order_valid_ = false;
    ordered_.clear();
    touched_.clear();
    touched_.shrink_to_fit();
  }

  void materialize_order() const {
    std::lock_guard lock(order_mutex_);
    if (!order_valid_) {
      std::vector<PackedKey> keys;
      keys.reserve(map_.size());
      for (const auto& entry : map_) keys.push_back(entry.first);
      std::sort(keys.begin(), keys.end(), PackedKeyLess());
      ordered_ = absl::btree_set<PackedKey, PackedKeyLess>(keys.begin(), keys.end());
      touched_.clear();
      order_valid_ = true;
    } else if (!touched_.empty()) {
      std::sort(touched_.begin(), touched_.end(), PackedKeyLess());
      for (const PackedKey& key : touched_) {
        const auto entry = map_.find(key.view());
        if (entry != map_.end()) {
          ordered_.insert(entry->first);
        } else {
          ordered_.erase(key.view());
        }
      }
      touched_.clear();
    }
    assert(ordered_.size() == map_.size());
  }

  // Copies the live long keys into a fresh arena and re-keys the map.
  void rebuild_arena() {
    ByteArena fresh;
    Map rekeyed;
    rekeyed.reserve(map_.size());
    for (const auto& [key, value] : map_) {
      const std::string_view bytes = key.view();
      const std::string_view stable = PackedKey::fits_inline(bytes) ? bytes : fresh.store(bytes);
      rekeyed.emplace(PackedKey::make(bytes, stable), value);
    }
    assert(rekeyed.size() == map_.size());
    map_ = std::move(rekeyed);
    arena_ = std::move(fresh);
    assert(arena_.bytes_stored() == arena_key_bytes_live_);
    drop_order();  // It pointed into the old arena.
  }

  Map map_;
  ByteArena arena_;  // The bytes of keys too long to be inline.
  uint64_t arena_key_bytes_live_ = 0;

  mutable std::mutex order_mutex_;
  mutable absl::btree_set<PackedKey, PackedKeyLess> ordered_;
  mutable std::vector<PackedKey> touched_;
  // An empty table's empty order is valid.
  mutable bool order_valid_ = true;
};

}  // namespace dbx
