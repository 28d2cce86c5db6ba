// The seam's value types: what a target stores and returns, and the oracle
// and the torture harness judge.
//
// A *write* is the unit the contract numbers: one put, one delete, or an
// atomic batch of them. It gets one sequence number and is in or out of a
// recovered state as a whole. A *state* is the content of all tables: the
// rows a full scan of every table returns.
#pragma once

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace targets {

enum class OpKind : uint8_t { kPut, kDelete };

struct Op {
  OpKind kind = OpKind::kPut;
  std::string table;
  std::string key;
  std::string value;  // Empty for kDelete.

  static Op put(std::string_view table, std::string_view key, std::string_view value) {
    return Op{OpKind::kPut, std::string(table), std::string(key), std::string(value)};
  }
  static Op del(std::string_view table, std::string_view key) {
    return Op{OpKind::kDelete, std::string(table), std::string(key), std::string()};
  }
  bool operator==(const Op&) const = default;
};

// One sequence number's worth of operations, applied in order and atomically.
// Never empty: an empty write changes nothing and has no sequence number.
using Write = std::vector<Op>;

// One row of a recovered or expected state.
struct Entry {
  std::string table;
  std::string key;
  std::string value;

  // Ordered by (table, key) bytewise, as the engine's scan orders keys; the
  // value breaks ties only so that the ordering is total.
  auto operator<=>(const Entry&) const = default;
  bool operator==(const Entry&) const = default;
};

// A whole database's content, sorted by (table, key) with unique (table, key).
// Targets return it sorted; the checker re-sorts defensively and treats a
// duplicated (table, key) as an unreadable state.
using State = std::vector<Entry>;

// What survives a crash (the contract's rows, engine/doc/contract.md).
enum class Durability : uint8_t { kNone, kLazy, kFull };

// "none", "lazy", "full".
const char* durability_name(Durability durability);

// Sorts `state` by (table, key) in place; returns false if two entries share a
// (table, key) (a scan that returned a key twice).
[[nodiscard]] bool normalize_state(State* state);

}  // namespace targets
