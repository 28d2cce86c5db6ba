#include "delta.h"

#include <cassert>
#include <limits>

namespace dbx {

void Delta::put(std::string_view table, std::string_view key, std::string_view value) {
  assert(value.size() <= std::numeric_limits<uint32_t>::max());
  const std::string_view stored = values_.store(value);
  set(table, key, Stored{stored.data(), static_cast<uint32_t>(stored.size()), false});
  bytes_ += value.size();
}

void Delta::remove(std::string_view table, std::string_view key) {
  set(table, key, Stored{nullptr, 0, true});
}

void Delta::set(std::string_view table, std::string_view key, const Stored& stored) {
  auto t = tables_.find(table);
  if (t == tables_.end()) t = tables_.try_emplace(std::string(table)).first;
  const bool is_new = !t->second.insert_or_assign(key, stored).has_value();
  if (is_new) entries_ += 1;
  bytes_ += table.size() + key.size() + kEntryOverheadBytes;
  assert(entries_ >= t->second.size());
}

std::optional<Delta::Entry> Delta::find(std::string_view table, std::string_view key) const {
  const auto t = tables_.find(table);
  if (t == tables_.end()) return std::nullopt;
  const Stored* stored = t->second.find(key);
  if (stored == nullptr) return std::nullopt;
  return to_entry(*stored);
}

bool Delta::contains(std::string_view table, std::string_view key) const {
  const auto t = tables_.find(table);
  return t != tables_.end() && t->second.contains(key);
}

void Delta::clear() {
  tables_.clear();
  values_.clear();
  entries_ = 0;
  bytes_ = 0;
}

std::vector<std::string> Delta::table_names() const {
  std::vector<std::string> names;
  names.reserve(tables_.size());
  for (const auto& [name, rows] : tables_) {
    assert(!rows.empty());
    names.push_back(name);
  }
  return names;
}

}  // namespace dbx
