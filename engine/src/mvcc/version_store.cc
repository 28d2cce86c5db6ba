#include "mvcc/version_store.h"

#include <algorithm>
#include <cassert>

namespace dbx::mvcc {

namespace {

uint64_t undo_size(std::string_view key, const VersionStore::Value& value) {
  return key.size() + (value ? value->size() : 0);
}

}  // namespace

void VersionStore::pin(uint64_t sequence) {
  pins_[sequence] += 1;
  assert(pins_.begin()->first <= sequence);
}

void VersionStore::unpin(uint64_t sequence) {
  const auto it = pins_.find(sequence);
  assert(it != pins_.end() && it->second > 0);
  if (--it->second > 0) return;  // Every reader at `sequence` is not gone yet.
  const bool was_oldest = it == pins_.begin();
  pins_.erase(it);
  // Only the oldest pin bounds what is kept: releasing a later one frees
  // nothing, and skipping the walk keeps a commit's unpin cheap.
  if (!was_oldest) return;
  if (pins_.empty()) {
    tables_.clear();
    undo_count_ = 0;
    undo_bytes_ = 0;
    return;
  }
  drop_through(pins_.begin()->first);
}

size_t VersionStore::pins() const {
  size_t n = 0;
  for (const auto& [sequence, count] : pins_) n += count;
  return n;
}

void VersionStore::record(std::string_view table, std::string_view key, uint64_t sequence,
                          Value previous) {
  assert(needs_undo(sequence));
  auto t = tables_.find(table);
  if (t == tables_.end()) t = tables_.emplace(std::string(table), Keys()).first;
  auto k = t->second.find(key);
  if (k == t->second.end()) k = t->second.emplace(std::string(key), std::vector<Undo>()).first;
  assert(k->second.empty() || k->second.back().sequence <= sequence);
  undo_bytes_ += undo_size(key, previous);
  undo_count_ += 1;
  k->second.push_back(Undo{sequence, std::move(previous)});
}

const VersionStore::Undo* VersionStore::first_after(const std::vector<Undo>& undos,
                                                    uint64_t sequence) {
  const auto it = std::upper_bound(undos.begin(), undos.end(), sequence,
                                   [](uint64_t s, const Undo& undo) { return s < undo.sequence; });
  return it == undos.end() ? nullptr : &*it;
}

std::optional<VersionStore::Value> VersionStore::value_at(std::string_view table,
                                                          std::string_view key,
                                                          uint64_t sequence) const {
  const auto t = tables_.find(table);
  if (t == tables_.end()) return std::nullopt;
  const auto k = t->second.find(key);
  if (k == t->second.end()) return std::nullopt;
  const Undo* undo = first_after(k->second, sequence);
  if (undo == nullptr) return std::nullopt;
  return undo->previous;
}

bool VersionStore::written_after(std::string_view table, std::string_view key,
                                 uint64_t sequence) const {
  const auto t = tables_.find(table);
  if (t == tables_.end()) return false;
  const auto k = t->second.find(key);
  return k != t->second.end() && first_after(k->second, sequence) != nullptr;
}

std::vector<VersionStore::Row> VersionStore::rows_at(std::vector<Row> current,
                                                     std::string_view table, std::string_view begin,
                                                     std::optional<std::string_view> end,
                                                     uint64_t sequence) const {
  const auto t = tables_.find(table);
  if (t == tables_.end()) return current;
  std::vector<Row> out;
  out.reserve(current.size());
  size_t i = 0;
  for (auto k = t->second.lower_bound(begin); k != t->second.end(); ++k) {
    const std::string_view key = k->first;
    if (end.has_value() && key >= *end) break;
    const Undo* undo = first_after(k->second, sequence);
    if (undo == nullptr) continue;  // Unchanged since `sequence`: current is right.
    while (i < current.size() && std::string_view(current[i].first) < key) {
      out.push_back(std::move(current[i++]));
    }
    if (i < current.size() && std::string_view(current[i].first) == key) ++i;
    if (undo->previous) out.emplace_back(std::string(key), *undo->previous);
  }
  while (i < current.size()) out.push_back(std::move(current[i++]));
  return out;
}

void VersionStore::drop_through(uint64_t sequence) {
  for (auto t = tables_.begin(); t != tables_.end();) {
    for (auto k = t->second.begin(); k != t->second.end();) {
      std::vector<Undo>& undos = k->second;
      const auto keep =
          std::upper_bound(undos.begin(), undos.end(), sequence,
                           [](uint64_t s, const Undo& undo) { return s < undo.sequence; });
      for (auto u = undos.begin(); u != keep; ++u) {
        undo_bytes_ -= undo_size(k->first, u->previous);
        undo_count_ -= 1;
      }
      undos.erase(undos.begin(), keep);
      k = undos.empty() ? t->second.erase(k) : std::next(k);
    }
    t = t->second.empty() ? tables_.erase(t) : std::next(t);
  }
}

}  // namespace dbx::mvcc
