#include "targets/types.h"

#include <algorithm>

namespace targets {

const char* durability_name(Durability durability) {
  switch (durability) {
    case Durability::kNone:
      return "none";
    case Durability::kLazy:
      return "lazy";
    case Durability::kFull:
      return "full";
  }
  return "?";
}

bool normalize_state(State* state) {
  const auto by_key = [](const Entry& a, const Entry& b) {
    if (a.table != b.table) return a.table < b.table;
    return a.key < b.key;
  };
  if (!std::is_sorted(state->begin(), state->end(), by_key)) {
    std::sort(state->begin(), state->end(), by_key);
  }
  const auto same_key = [](const Entry& a, const Entry& b) {
    return a.table == b.table && a.key == b.key;
  };
  return std::adjacent_find(state->begin(), state->end(), same_key) == state->end();
}

}  // namespace targets
