#include "wos/wos_key_order.h"

#include <cassert>

namespace dbx::wos {

bool KeyOrder::in_order(std::string_view table, std::string_view key) const {
  assert(whole());
  const auto last = last_keys_.find(table);
  return last == last_keys_.end() || key > std::string_view(last->second);
}

void KeyOrder::add(std::string_view table, std::string_view key, uint64_t offset) {
  if (!whole()) {
    assert(last_keys_.empty());
    return;  // Broken stays broken until a compaction starts a new tracker.
  }
  if (!in_order(table, key)) {
    broken_at_ = offset;
    last_keys_.clear();
    return;
  }
  auto last = last_keys_.find(table);
  if (last == last_keys_.end()) last = last_keys_.emplace(table, std::string()).first;
  last->second.assign(key);  // No allocation once the string has grown to the key size.
  assert(whole() && last_keys_.find(table)->second == key);
}

bool KeyOrder::would_stay_whole(const Delta& delta) const {
  if (!whole()) return false;
  for (const std::string& table : delta.table_names()) {
    bool stays = true;
    delta.for_each_in_range(table, "", std::nullopt, [&](std::string_view key, Delta::Entry) {
      stays = in_order(table, key);
      return false;  // Only the first key: the delta's own keys are in order.
    });
    if (!stays) return false;
  }
  return true;
}

}  // namespace dbx::wos
