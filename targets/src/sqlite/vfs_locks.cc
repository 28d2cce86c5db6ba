#include "sqlite/vfs_locks.h"

#include <sqlite3.h>

#include <algorithm>

#include "faultfs/assert.h"

namespace targets::sqlite {

int LockTable::lock(const std::string& path, int* held, int level) {
  DBX_ASSERT(level >= SQLITE_LOCK_SHARED && level <= SQLITE_LOCK_EXCLUSIVE);
  DBX_ASSERT(level != SQLITE_LOCK_PENDING);  // SQLite never asks for it directly.
  std::lock_guard guard(mu_);
  if (*held >= level) return SQLITE_OK;
  PathLock& p = paths_[path];
  // Another handle holds PENDING or more (new readers stay out), or the
  // request goes above SHARED while another handle holds more than we do.
  if (*held != p.level && (p.level >= SQLITE_LOCK_PENDING || level > SQLITE_LOCK_SHARED)) {
    return SQLITE_BUSY;
  }
  if (level == SQLITE_LOCK_SHARED) {
    DBX_ASSERT(*held == SQLITE_LOCK_NONE && p.level <= SQLITE_LOCK_RESERVED);
    ++p.shared;
    p.level = std::max(p.level, SQLITE_LOCK_SHARED);
    *held = SQLITE_LOCK_SHARED;
    return SQLITE_OK;
  }
  DBX_ASSERT(*held >= SQLITE_LOCK_SHARED && *held == p.level);
  if (level == SQLITE_LOCK_RESERVED) {
    p.level = *held = SQLITE_LOCK_RESERVED;
    return SQLITE_OK;
  }
  // EXCLUSIVE: only once this handle is the last reader. Until then it holds
  // PENDING, so that the readers drain and no new one comes in.
  if (p.shared > 1) {
    p.level = *held = SQLITE_LOCK_PENDING;
    return SQLITE_BUSY;
  }
  p.level = *held = SQLITE_LOCK_EXCLUSIVE;
  return SQLITE_OK;
}

int LockTable::unlock(const std::string& path, int* held, int level) {
  DBX_ASSERT(level == SQLITE_LOCK_NONE || level == SQLITE_LOCK_SHARED);
  std::lock_guard guard(mu_);
  if (*held <= level) return SQLITE_OK;
  auto it = paths_.find(path);
  DBX_ASSERT(it != paths_.end() && it->second.shared > 0);
  PathLock& p = it->second;
  // Only one handle is ever above SHARED: this one.
  if (*held > SQLITE_LOCK_SHARED) p.level = SQLITE_LOCK_SHARED;
  if (level == SQLITE_LOCK_NONE && --p.shared == 0) paths_.erase(it);
  *held = level;
  return SQLITE_OK;
}

bool LockTable::reserved(const std::string& path) {
  std::lock_guard guard(mu_);
  auto it = paths_.find(path);
  return it != paths_.end() && it->second.level > SQLITE_LOCK_SHARED;
}

ShmConn* ShmTable::attach(const std::string& path) {
  std::lock_guard guard(mu_);
  Index& index = indexes_[path];
  index.conns.push_back(std::make_unique<ShmConn>(ShmConn{path}));
  return index.conns.back().get();
}

int ShmTable::map(ShmConn* conn, int region, int size, bool extend, void** out) {
  DBX_ASSERT(region >= 0 && size > 0);
  std::lock_guard guard(mu_);
  Index& index = indexes_.at(conn->path);
  if (index.size == 0) index.size = size;
  if (index.size != size) return SQLITE_IOERR_SHMSIZE;
  if (static_cast<size_t>(region) >= index.regions.size() && !extend) {
    *out = nullptr;
    return SQLITE_OK;
  }
  while (index.regions.size() <= static_cast<size_t>(region)) {
    index.regions.push_back(std::make_unique<char[]>(size));  // Value-initialized: zeros.
  }
  *out = index.regions[region].get();
  return SQLITE_OK;
}

int ShmTable::lock(ShmConn* conn, int offset, int n, int flags) {
  DBX_ASSERT(offset >= 0 && n >= 1 && offset + n <= kLockSlots);
  const uint16_t mask = static_cast<uint16_t>((1u << (offset + n)) - (1u << offset));
  std::lock_guard guard(mu_);
  Index& index = indexes_.at(conn->path);
  if (flags & SQLITE_SHM_UNLOCK) {
    unlock(index, conn, mask);
    return SQLITE_OK;
  }
  if (flags & SQLITE_SHM_SHARED) {
    DBX_ASSERT(n == 1);
    return lock_shared(index, conn, mask);
  }
  DBX_ASSERT(flags & SQLITE_SHM_EXCLUSIVE);
  return lock_exclusive(index, conn, mask);
}

int ShmTable::lock_shared(Index& index, ShmConn* conn, uint16_t mask) {
  if (conn->shared_mask & mask) return SQLITE_OK;
  for (int i = 0; i < kLockSlots; ++i) {
    if ((mask & (1u << i)) && index.exclusive[i] && !(conn->exclusive_mask & (1u << i))) {
      return SQLITE_BUSY;
    }
  }
  for (int i = 0; i < kLockSlots; ++i) {
    if (mask & (1u << i)) ++index.shared[i];
  }
  conn->shared_mask |= mask;
  return SQLITE_OK;
}

int ShmTable::lock_exclusive(Index& index, ShmConn* conn, uint16_t mask) {
  for (int i = 0; i < kLockSlots; ++i) {
    const uint16_t bit = static_cast<uint16_t>(1u << i);
    if (!(mask & bit) || (conn->exclusive_mask & bit)) continue;
    const int own_shared = (conn->shared_mask & bit) ? 1 : 0;
    if (index.exclusive[i] || index.shared[i] > own_shared) return SQLITE_BUSY;
  }
  for (int i = 0; i < kLockSlots; ++i) {
    if (mask & (1u << i)) index.exclusive[i] = true;
  }
  conn->exclusive_mask |= mask;
  return SQLITE_OK;
}

void ShmTable::unlock(Index& index, ShmConn* conn, uint16_t mask) {
  for (int i = 0; i < kLockSlots; ++i) {
    const uint16_t bit = static_cast<uint16_t>(1u << i);
    if (!(mask & bit)) continue;
    if (conn->shared_mask & bit) {
      DBX_ASSERT(index.shared[i] > 0);
      --index.shared[i];
    }
    if (conn->exclusive_mask & bit) index.exclusive[i] = false;
  }
  conn->shared_mask &= static_cast<uint16_t>(~mask);
  conn->exclusive_mask &= static_cast<uint16_t>(~mask);
}

void ShmTable::detach(ShmConn* conn) {
  std::lock_guard guard(mu_);
  auto it = indexes_.find(conn->path);
  DBX_ASSERT(it != indexes_.end());
  Index& index = it->second;
  unlock(index, conn, 0xFF);
  auto& conns = index.conns;
  auto pos =
      std::find_if(conns.begin(), conns.end(), [&](const auto& c) { return c.get() == conn; });
  DBX_ASSERT(pos != conns.end());
  conns.erase(pos);
  // Not durable by design: the last connection's index goes with it.
  if (conns.empty()) indexes_.erase(it);
}

}  // namespace targets::sqlite
