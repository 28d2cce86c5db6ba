// A delta's whole contents as a comparable value, for the replay tests.
#pragma once

#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "delta.h"

namespace dbx::testing {

// (table, key, value or nullopt for a tombstone), in table and key order.
using DeltaDump = std::vector<std::tuple<std::string, std::string, std::optional<std::string>>>;

inline DeltaDump dump(const Delta& delta) {
  DeltaDump out;
  delta.for_each([&](std::string_view table, std::string_view key, const Delta::Entry& entry) {
    std::optional<std::string> value;
    if (entry.has_value()) value = std::string(*entry);
    out.emplace_back(std::string(table), std::string(key), value);
  });
  return out;
}

}  // namespace dbx::testing
