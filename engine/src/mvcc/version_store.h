// VersionStore: the old versions that snapshots and transactions read.
//
// The engine's layers (delta, frozen delta, WOS) hold only each key's newest
// value. A reader pinned at sequence S needs the value each key had after
// write S. While at least one reader is pinned, every write w > (oldest pin)
// records, for each key it changes, the value the key had just before w (an
// "undo": (w, previous value or absent)). The value at S of a key is then:
//   - the previous value of its first undo with w > S, if there is one;
//   - otherwise its current value (no write after S changed it).
// This holds because a pin at S is taken with the writers held (no write is
// half applied) and every later write is recorded while the pin lives.
// A key's undos are in write order; two undos of one batch share a w, and
// the first of them holds the value before the batch.
//
// Garbage collection: an undo with w <= the oldest pin is never read again
// (every reader is at S >= w) and is dropped when a pin goes; with no pin,
// nothing is kept, so memory returns to its baseline.
//
// Not thread-safe: DatabaseImpl guards it with its state mutex (exclusive for
// record/pin/unpin, shared for reads).
#pragma once

#include <absl/container/btree_map.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace dbx::mvcc {

class VersionStore {
 public:
  using Row = std::pair<std::string, std::string>;
  // A value as of some sequence: nullopt is "absent".
  using Value = std::optional<std::string>;

  void pin(uint64_t sequence);
  // Releases one pin at `sequence` (which must be pinned) and drops what no
  // remaining pin can read.
  void unpin(uint64_t sequence);
  bool any_pinned() const { return !pins_.empty(); }
  // Whether a write at `sequence` must record undos: some reader is older.
  bool needs_undo(uint64_t sequence) const {
    return !pins_.empty() && pins_.begin()->first < sequence;
  }
  size_t pins() const;

  // The write `sequence` changed (table, key), whose value was `previous`.
  void record(std::string_view table, std::string_view key, uint64_t sequence, Value previous);

  // The value at `sequence` if a later write changed it; nullopt if no write
  // after `sequence` did (the current value is the value at `sequence`).
  std::optional<Value> value_at(std::string_view table, std::string_view key,
                                uint64_t sequence) const;
  // Whether a write after `sequence` changed (table, key).
  bool written_after(std::string_view table, std::string_view key, uint64_t sequence) const;
  // `current` (rows of `table` in [begin, end) in key order, as of now) made
  // the rows as of `sequence`. `end` nullopt: unbounded.
  std::vector<Row> rows_at(std::vector<Row> current, std::string_view table, std::string_view begin,
                           std::optional<std::string_view> end, uint64_t sequence) const;

  // Undos held, and their bytes of keys and values (for tests and limits).
  size_t undo_count() const { return undo_count_; }
  uint64_t undo_bytes() const { return undo_bytes_; }

 private:
  struct Undo {
    uint64_t sequence;  // The write that replaced `previous`.
    Value previous;
  };
  using Keys = absl::btree_map<std::string, std::vector<Undo>, std::less<>>;

  // The first undo of `undos` with sequence > `sequence`, or nullptr.
  static const Undo* first_after(const std::vector<Undo>& undos, uint64_t sequence);
  void drop_through(uint64_t sequence);

  std::map<uint64_t, uint32_t> pins_;  // Sequence -> readers pinned there.
  absl::btree_map<std::string, Keys, std::less<>> tables_;
  size_t undo_count_ = 0;
  uint64_t undo_bytes_ = 0;
};

}  // namespace dbx::mvcc
