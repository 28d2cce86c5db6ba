#include "delta.h"

#include <cassert>
#include <limits>

namespace dbx {

void Delta::put(std::string_view table, std::string_view key, std::string_view value) {
  assert(value.size() <= std::numeric_limits<uint32_t>::max());
  const std::string_view stored = values_.store(value);
  set(rows_of(table), table.size(), key,
      Stored{stored.data(), static_cast<uint32_t>(stored.size()), false});
  bytes_ += value.size();
}

void Delta::remove(std::string_view table, std::string_view key) {
  set(rows_of(table), table.size(), key, Stored{nullptr, 0, true});
}

void Delta::apply(StagedWrites&& writes) {
  constexpr size_t kPrefetchDistance = Rows::kPrefetchAheadKeys;
  std::vector<Rows*> rows;
  rows.reserve(writes.tables_.size());
  for (const std::string& table : writes.tables_) rows.push_back(&rows_of(table));
  values_.absorb(std::move(writes.values_));
  const std::vector<StagedWrites::Item>& items = writes.items_;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i + kPrefetchDistance < items.size()) {
      const StagedWrites::Item& ahead = items[i + kPrefetchDistance];
      rows[ahead.table]->prefetch(ahead.key.view());
    }
    const StagedWrites::Item& item = items[i];
    assert(item.table < rows.size());
    const size_t table_name_bytes = writes.tables_[item.table].size();
    if (item.is_delete) {
      set(*rows[item.table], table_name_bytes, item.key.view(), Stored{nullptr, 0, true});
    } else {
      set(*rows[item.table], table_name_bytes, item.key.view(),
          Stored{item.value, item.value_size, false});
      bytes_ += item.value_size;
    }
  }
  writes = StagedWrites();
}

void Delta::reserve(std::string_view table, size_t entries) {
  // An absent table stays absent: every table the delta lists has entries.
  const auto t = tables_.find(table);
  if (t != tables_.end()) t->second.reserve(entries);
}

void Delta::shrink_to_fit() {
  for (auto& [name, rows] : tables_) rows.shrink_to_fit();
}

size_t Delta::entries_in(std::string_view table) const {
  const auto t = tables_.find(table);
  return t == tables_.end() ? 0 : t->second.size();
}

size_t Delta::slots_in(std::string_view table) const {
  const auto t = tables_.find(table);
  return t == tables_.end() ? 0 : t->second.slot_count();
}

Delta::Rows& Delta::rows_of(std::string_view table) {
  auto t = tables_.find(table);
  if (t == tables_.end()) t = tables_.try_emplace(std::string(table)).first;
  return t->second;
}

void Delta::set(Rows& rows, size_t table_name_bytes, std::string_view key, const Stored& stored) {
  const bool is_new = !rows.insert_or_assign(key, stored).has_value();
  if (is_new) entries_ += 1;
  bytes_ += table_name_bytes + key.size() + kEntryOverheadBytes;
  assert(entries_ >= rows.size());
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
