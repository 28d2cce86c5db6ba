// How much of `db` is in key order: the longest prefix in which each table's
// entries come in strictly increasing key order, that is, one sorted run per
// table. A range read of that prefix is a few large sequential reads; every
// checkpoint appended out of order beyond it is one more run that a range
// read has to visit. Compaction decides on it (see "Compaction" in
// engine/doc/wos_format.md), and a compacted db is in order as a whole.
//
// It is derived state, never persisted: open recomputes it while it replays
// db, and entry order is no part of the format, so a wrong figure could only
// cost speed. Still, it is exact: every entry written or replayed passes
// through add(), in file order.
//
// Invariant: while whole(), last_keys_ holds each table's greatest key so
// far; once broken, last_keys_ is empty and stays so until reset.
#pragma once

#include <cstdint>
#include <functional>  // std::less<>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "delta.h"

namespace dbx::wos {

class KeyOrder {
 public:
  // Whether every entry added so far came in order.
  bool whole() const { return !broken_at_.has_value(); }

  // The entry of (table, key) at `offset` follows every entry added so far.
  void add(std::string_view table, std::string_view key, uint64_t offset);

  // Whether appending `delta` (in its order: tables by name, keys in order)
  // would keep the whole file in order: each table's first key of the delta
  // must follow that table's last key. A first key that is a delete of an
  // absent key (which writes nothing) counts too: an overestimate of disorder
  // costs at most an early compaction.
  bool would_stay_whole(const Delta& delta) const;

  // The in-order prefix of a db of `length` bytes: all of it while whole(),
  // else up to the first entry out of order.
  uint64_t ordered_length(uint64_t length) const {
    return broken_at_.has_value() && *broken_at_ < length ? *broken_at_ : length;
  }

 private:
  bool in_order(std::string_view table, std::string_view key) const;

  // Few tables, and a lookup in a map of one name is one comparison.
  std::map<std::string, std::string, std::less<>> last_keys_;
  std::optional<uint64_t> broken_at_;
};

}  // namespace dbx::wos
