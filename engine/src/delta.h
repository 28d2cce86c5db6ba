// The delta store's shape: writes since the last checkpoint, per table, in key
// order. A mapped nullopt is a tombstone (a delete the WOS must learn about).
#pragma once

#include <map>
#include <optional>
#include <string>

namespace dbx {

using TableDelta = std::map<std::string, std::optional<std::string>, std::less<>>;
using Delta = std::map<std::string, TableDelta, std::less<>>;

}  // namespace dbx
