#include "wos/wos_index.h"

#include <cassert>

#include "wos/wos_format.h"

namespace dbx::wos {

const Slot* WosIndex::find(std::string_view table, std::string_view key) const {
  const auto t = tables_.find(table);
  return t == tables_.end() ? nullptr : t->second.find(key);
}

Slot* WosIndex::find_mutable(std::string_view table, std::string_view key) {
  const auto t = tables_.find(table);
  return t == tables_.end() ? nullptr : t->second.find_mutable(key);
}

bool WosIndex::put(std::string_view table, std::string_view key, Slot slot) {
  assert(!table.empty());
  assert(slot.offset >= kDbHeaderBytes);
  auto t = tables_.find(table);
  const bool new_table = t == tables_.end();
  if (new_table) t = tables_.try_emplace(std::string(table)).first;
  const std::optional<Slot> old = t->second.insert_or_assign(key, slot);
  if (!old.has_value()) {
    live_entries_ += 1;
  } else {
    const uint64_t old_bytes =
        entry_bytes(table.size(), key.size(), old->value_bytes) + seal_bytes_;
    assert(live_bytes_ >= old_bytes);
    live_bytes_ -= old_bytes;
  }
  live_bytes_ += entry_bytes(table.size(), key.size(), slot.value_bytes) + seal_bytes_;
  assert(t->second.contains(key));
  return new_table;
}

bool WosIndex::erase(std::string_view table, std::string_view key) {
  const auto t = tables_.find(table);
  if (t == tables_.end()) return false;
  const std::optional<Slot> old = t->second.erase(key);
  if (!old.has_value()) return false;
  const uint64_t old_bytes = entry_bytes(table.size(), key.size(), old->value_bytes) + seal_bytes_;
  assert(live_bytes_ >= old_bytes);
  assert(live_entries_ > 0);
  live_bytes_ -= old_bytes;
  live_entries_ -= 1;
  if (t->second.empty()) tables_.erase(t);
  return true;
}

std::vector<WosIndex::RangeItem> WosIndex::range(std::string_view table, std::string_view begin,
                                                 std::optional<std::string_view> end,
                                                 size_t limit) const {
  std::vector<RangeItem> out;
  const auto t = tables_.find(table);
  if (t == tables_.end() || limit == 0) return out;
  t->second.for_each_in_range(begin, end, [&](std::string_view key, const Slot& slot) {
    out.push_back(RangeItem{key, slot});
    return out.size() < limit;
  });
  assert(out.size() <= limit);
  return out;
}

uint64_t WosIndex::count(std::string_view table) const {
  const auto t = tables_.find(table);
  return t == tables_.end() ? 0 : t->second.size();
}

void WosIndex::reserve(std::string_view table, size_t entries) {
  const auto t = tables_.find(table);
  if (t != tables_.end()) t->second.reserve(entries);
}

void WosIndex::prefetch(std::string_view table, std::string_view key) const {
  const auto t = tables_.find(table);
  if (t != tables_.end()) t->second.prefetch(key);
}

void WosIndex::shrink_to_fit() {
  for (auto& [name, keys] : tables_) keys.shrink_to_fit();
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
