#include "loaded_history.h"

#include <algorithm>
#include <cassert>
#include <cstring>

#include "faultfs/status_macros.h"

namespace oracle::detail {

using faultfs::ErrorCode;
using faultfs::Result;
using faultfs::Status;

namespace {

uint64_t load64(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

// SplitMix64's finalizer: full avalanche, so that sums of hashes stay uniform.
uint64_t finalize(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

// Length first, then 8-byte words, then the zero-padded tail: two inputs of
// different lengths never feed the same words.
uint64_t hash_bytes(std::string_view s, uint64_t seed) {
  uint64_t h = finalize(seed ^ (s.size() * 0x9e3779b97f4a7c15ull));
  size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) h = (h ^ load64(s.data() + i)) * 0xd6e8feb86659fd93ull;
  if (i < s.size()) {
    uint64_t tail = 0;
    std::memcpy(&tail, s.data() + i, s.size() - i);
    h = (h ^ tail) * 0xd6e8feb86659fd93ull;
  }
  return finalize(h);
}

constexpr uint64_t kTableSeed = 0x243f6a8885a308d3ull;
constexpr uint64_t kValueSeed = 0x13198a2e03707344ull;

}  // namespace

uint64_t hash_key(std::string_view table, std::string_view key) {
  return hash_bytes(key, hash_bytes(table, kTableSeed));
}

uint64_t hash_entry(uint64_t key_hash, std::string_view value) {
  return hash_bytes(value, key_hash ^ kValueSeed);
}

uint64_t hash_value(std::string_view value) { return hash_bytes(value, kValueSeed); }

std::string_view Arena::store(std::string_view bytes) {
  if (bytes.empty()) return std::string_view();
  if (bytes.size() > kChunkBytesMax) {
    // A value larger than a chunk gets an allocation of its own.
    oversized_.push_back(std::make_unique_for_overwrite<char[]>(bytes.size()));
    std::memcpy(oversized_.back().get(), bytes.data(), bytes.size());
    return std::string_view(oversized_.back().get(), bytes.size());
  }
  if (chunks_.empty() || bytes.size() > chunk_bytes_ - used_) {
    // Doubling: a long history takes O(log) chunks; the fit keeps a value
    // in one chunk (it is at most kChunkBytesMax here).
    chunk_bytes_ = std::min(kChunkBytesMax, std::max(kChunkBytesMin, 2 * chunk_bytes_));
    while (chunk_bytes_ < bytes.size()) chunk_bytes_ *= 2;
    assert(chunk_bytes_ <= kChunkBytesMax);
    chunks_.push_back(std::make_unique_for_overwrite<char[]>(chunk_bytes_));
    used_ = 0;
  }
  assert(bytes.size() <= chunk_bytes_ - used_);
  char* dst = chunks_.back().get() + used_;
  std::memcpy(dst, bytes.data(), bytes.size());
  used_ += bytes.size();
  return std::string_view(dst, bytes.size());
}

Result<LoadedHistory> LoadedHistory::load(sql::Db& db, uint64_t hi) {
  LoadedHistory out;
  ASSIGN_OR_RETURN(auto keys, db.cached("SELECT key_id, tbl, key FROM keys ORDER BY key_id"));
  for (;;) {
    ASSIGN_OR_RETURN(auto row, keys->step());
    if (!row) break;
    // Key ids are dense from 1 (History::key_id_of): index = id - 1.
    if (keys->column_int(0) != static_cast<int64_t>(out.keys.size()) + 1) {
      return Status(ErrorCode::kCorruption, "history key ids are not dense");
    }
    out.add_key(keys->column_blob(1), keys->column_blob(2));
  }
  // Op indexes are stored in 32 bits, with UINT32_MAX reserved for "absent".
  if (out.keys.size() >= kNoOp) {
    return Status(ErrorCode::kInvalidArgument, "history has too many keys for the checker");
  }

  ASSIGN_OR_RETURN(
      auto stmt,
      db.cached("SELECT seq, key_id, value FROM ops WHERE live = 1 AND seq <= ?1 ORDER BY op_id"));
  sql::Statement& q = *stmt;
  RETURN_IF_ERROR(q.bind_int(1, static_cast<int64_t>(hi)));
  uint64_t seq_last = 0;
  for (;;) {
    ASSIGN_OR_RETURN(auto row, q.step());
    if (!row) break;
    LoadedOp op;
    op.seq = static_cast<uint64_t>(q.column_int(0));
    const int64_t key_id = q.column_int(1);
    if (op.seq < seq_last || key_id < 1 || key_id > static_cast<int64_t>(out.keys.size())) {
      return Status(ErrorCode::kCorruption, "history op out of order or with an unknown key");
    }
    seq_last = op.seq;
    op.key = static_cast<uint32_t>(key_id - 1);
    op.is_delete = q.column_is_null(2);
    if (!op.is_delete) {
      op.value = out.arena->store(q.column_blob(2));
      op.entry_hash = hash_entry(out.key_hashes[op.key], op.value);
    }
    out.ops.push_back(op);
  }
  if (out.ops.size() >= kNoOp) {
    return Status(ErrorCode::kInvalidArgument, "history too large for the checker");
  }
  return out;
}

uint32_t LoadedHistory::find(std::string_view table, std::string_view key, uint64_t h) const {
  if (slots_.empty()) return kNoOp;
  const size_t mask = slots_.size() - 1;
  for (size_t i = h & mask;; i = (i + 1) & mask) {
    const uint32_t slot = slots_[i];
    if (slot == 0) return kNoOp;
    const uint32_t k = slot - 1;
    if (key_hashes[k] == h && keys[k].key == key && keys[k].table == table) return k;
  }
}

void LoadedHistory::add_key(std::string_view table, std::string_view key) {
  if ((keys.size() + 1) * 2 > slots_.size()) grow();
  const uint64_t h = hash_key(table, key);
  const auto k = static_cast<uint32_t>(keys.size());
  keys.push_back(KeyName{arena->store(table), arena->store(key)});
  key_hashes.push_back(h);
  const size_t mask = slots_.size() - 1;
  size_t i = h & mask;
  while (slots_[i] != 0) i = (i + 1) & mask;
  slots_[i] = k + 1;
}

void LoadedHistory::grow() {
  slots_.assign(slots_.empty() ? 1024 : slots_.size() * 2, 0);
  const size_t mask = slots_.size() - 1;
  for (uint32_t k = 0; k < keys.size(); ++k) {
    size_t i = key_hashes[k] & mask;
    while (slots_[i] != 0) i = (i + 1) & mask;
    slots_[i] = k + 1;
  }
}

RecoveredIndex RecoveredIndex::build(const LoadedHistory& history, const State& recovered) {
  RecoveredIndex out;
  out.value_of.assign(history.keys.size(), nullptr);
  for (const Entry& e : recovered) {
    const uint64_t key_hash = hash_key(e.table, e.key);
    out.hash += hash_entry(key_hash, e.value);
    const uint32_t k = history.find(e.table, e.key, key_hash);
    if (k == kNoOp) {
      out.unknown.push_back(&e);
    } else {
      assert(out.value_of[k] == nullptr);  // normalize_state() removed duplicates.
      out.value_of[k] = &e.value;
    }
  }
  return out;
}

}  // namespace oracle::detail
