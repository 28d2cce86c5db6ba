// Reads as of a pinned sequence: the engine's layers give the newest values,
// the version store (mvcc/version_store.h) what changed since the pin.
#include <cassert>

#include "database_impl.h"
#include "status_util.h"
#include "wos/wos_store.h"

namespace dbx {

namespace {

// The last of the first `limit` entries of `delta` for `table` in
// [begin, end), or nullopt when the range holds fewer.
std::optional<std::string> limit_key(const Delta& delta, std::string_view table,
                                     std::string_view begin, std::optional<std::string_view> end,
                                     size_t limit) {
  std::optional<std::string> last;
  size_t seen = 0;
  delta.for_each_in_range(table, begin, end, [&](std::string_view key, const Delta::Entry&) {
    if (++seen < limit) return true;
    last = std::string(key);
    return false;
  });
  return last;
}

void lower_to(std::optional<std::string>* bound, std::optional<std::string> candidate) {
  if (candidate && (!*bound || *candidate < **bound)) *bound = std::move(candidate);
}

}  // namespace

uint64_t DatabaseImpl::pin_snapshot() {
  // Under log_mutex_: every write up to last_sequence() has been applied
  // (writers apply before they release it), and none is half applied.
  std::lock_guard log_lock(log_mutex_);
  std::unique_lock state_lock(state_mutex_);
  check_open();
  const uint64_t sequence = last_sequence();
  versions_.pin(sequence);
  assert(versions_.any_pinned());
  return sequence;
}

void DatabaseImpl::repin_snapshot(uint64_t sequence) {
  std::unique_lock state_lock(state_mutex_);
  assert(versions_.any_pinned());
  versions_.pin(sequence);
}

void DatabaseImpl::unpin_snapshot(uint64_t sequence) noexcept {
  std::unique_lock state_lock(state_mutex_);
  versions_.unpin(sequence);
}

size_t DatabaseImpl::undo_count() const {
  std::shared_lock state_lock(state_mutex_);
  return versions_.undo_count();
}

void DatabaseImpl::record_undos(std::span<const wal::MutationView> mutations, uint64_t sequence) {
  assert(versions_.needs_undo(sequence));
  for (const wal::MutationView& m : mutations) {
    versions_.record(m.table, m.key, sequence, value_locked(m.table, m.key));
  }
}

std::optional<std::string> DatabaseImpl::get_at(std::string_view table, std::string_view key,
                                                uint64_t sequence) const {
  std::shared_lock state_lock(state_mutex_);
  check_open();
  std::optional<mvcc::VersionStore::Value> old = versions_.value_at(table, key, sequence);
  if (old) return std::move(*old);
  return value_locked(table, key);
}

DatabaseImpl::Chunk DatabaseImpl::current_chunk_locked(std::string_view table,
                                                       std::string_view begin,
                                                       std::optional<std::string_view> end,
                                                       size_t limit) const {
  assert(limit > 0);
  Chunk chunk;
  std::vector<Database::Row> rows;
  std::optional<std::string> bound;  // The last key every layer read completely.
  if (wos_ != nullptr) {
    rows = value_or_throw(wos_->range(table, begin, end, limit), "range");
    if (rows.size() == limit) bound = rows.back().first;
  }
  if (frozen_ != nullptr) lower_to(&bound, limit_key(*frozen_, table, begin, end, limit));
  lower_to(&bound, limit_key(delta_, table, begin, end, limit));
  std::optional<std::string_view> chunk_end = end;
  if (bound) {
    chunk.next_begin = *bound + '\0';  // The smallest key after the bound.
    chunk_end = *chunk.next_begin;
    while (!rows.empty() && std::string_view(rows.back().first) >= *chunk_end) rows.pop_back();
  }
  if (frozen_ != nullptr) rows = overlay_delta(std::move(rows), *frozen_, table, begin, chunk_end);
  rows = overlay_delta(std::move(rows), delta_, table, begin, chunk_end);
  chunk.rows = std::move(rows);
  return chunk;
}

DatabaseImpl::Chunk DatabaseImpl::range_at(std::string_view table, std::string_view begin,
                                           std::optional<std::string_view> end, uint64_t sequence,
                                           size_t limit) const {
  std::shared_lock state_lock(state_mutex_);
  check_open();
  Chunk chunk = current_chunk_locked(table, begin, end, limit);
  const std::optional<std::string_view> chunk_end =
      chunk.next_begin ? std::optional<std::string_view>(*chunk.next_begin) : end;
  chunk.rows = versions_.rows_at(std::move(chunk.rows), table, begin, chunk_end, sequence);
  assert(!chunk.next_begin || *chunk.next_begin > begin);
  return chunk;
}

}  // namespace dbx
