#include "wos/wos_index.h"

#include <cassert>

#include "wos/wos_format.h"

namespace dbx::wos {

const Slot* WosIndex::find(std::string_view table, std::string_view key) const {
  const auto t = tables_.find(table);
  if (t == tables_.end()) return nullptr;
  const auto k = t->second.find(key);
  return k == t->second.end() ? nullptr : &k->second;
}

Slot* WosIndex::find_mutable(std::string_view table, std::string_view key) {
  const auto t = tables_.find(table);
  if (t == tables_.end()) return nullptr;
  const auto k = t->second.find(key);
  return k == t->second.end() ? nullptr : &k->second;
}

void WosIndex::put(std::string_view table, std::string_view key, Slot slot) {
  assert(!table.empty());
  assert(slot.offset >= kDbHeaderBytes);
  auto t = tables_.find(table);
  if (t == tables_.end()) t = tables_.emplace(std::string(table), TableIndex()).first;
  auto k = t->second.find(key);
  if (k == t->second.end()) {
    t->second.emplace(std::string(key), slot);
    live_entries_ += 1;
  } else {
    const uint64_t old_bytes = entry_bytes(table.size(), key.size(), k->second.value_bytes);
    assert(live_bytes_ >= old_bytes);
    live_bytes_ -= old_bytes;
    k->second = slot;
  }
  live_bytes_ += entry_bytes(table.size(), key.size(), slot.value_bytes);
}

bool WosIndex::erase(std::string_view table, std::string_view key) {
  const auto t = tables_.find(table);
  if (t == tables_.end()) return false;
  const auto k = t->second.find(key);
  if (k == t->second.end()) return false;
  const uint64_t old_bytes = entry_bytes(table.size(), key.size(), k->second.value_bytes);
  assert(live_bytes_ >= old_bytes && live_entries_ > 0);
  live_bytes_ -= old_bytes;
  live_entries_ -= 1;
  t->second.erase(k);
  if (t->second.empty()) tables_.erase(t);
  return true;
}

std::vector<WosIndex::RangeItem> WosIndex::range(std::string_view table, std::string_view begin,
                                                 std::optional<std::string_view> end) const {
  std::vector<RangeItem> out;
  const auto t = tables_.find(table);
  if (t == tables_.end()) return out;
  if (end.has_value() && *end <= begin) return out;
  for (auto k = t->second.lower_bound(begin); k != t->second.end(); ++k) {
    if (end.has_value() && std::string_view(k->first) >= *end) break;
    out.push_back(RangeItem{&k->first, k->second});
  }
  return out;
}

uint64_t WosIndex::count(std::string_view table) const {
  const auto t = tables_.find(table);
  return t == tables_.end() ? 0 : t->second.size();
}

std::vector<std::string> WosIndex::table_names() const {
  std::vector<std::string> names;
  names.reserve(tables_.size());
  for (const auto& [name, keys] : tables_) {
    assert(!keys.empty());
    names.push_back(name);
  }
  return names;
}

}  // namespace dbx::wos
