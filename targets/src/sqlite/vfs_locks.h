// The locks and the WAL index of the faultfs VFS, kept entirely in memory.
//
// The lab runs every SQLite connection of one FileSystem inside one process,
// so there is nothing to share with other processes: SQLite's file locks
// (SHARED < RESERVED < PENDING < EXCLUSIVE) live in a per-path table, and the
// WAL index ("-shm") in heap regions. Neither is durable, and neither needs
// to be: a crash image is a new FileSystem with a new VFS, so it starts with
// no locks and a zeroed WAL index, which SQLite rebuilds from the WAL (a
// zeroed index header fails its checksum and triggers WAL recovery).
//
// The lock rules are those of SQLite's own in-process lock sharing (several
// handles on one file in one process): a handle may take a lock above SHARED
// only while no other handle holds anything but SHARED, and EXCLUSIVE only
// once it is the last SHARED holder (it keeps PENDING while it waits, which
// keeps new readers out).
//
// Thread-safety: every method may be called from any thread; one mutex per
// table.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace targets::sqlite {

class LockTable {
 public:
  // SQLite's xLock: raises `*held` (the handle's level) to `level` or
  // returns SQLITE_BUSY, leaving `*held` at PENDING when an EXCLUSIVE
  // request had to wait for readers.
  int lock(const std::string& path, int* held, int level);
  // SQLite's xUnlock: lowers `*held` to `level` (SHARED or NONE).
  int unlock(const std::string& path, int* held, int level);
  // SQLite's xCheckReservedLock: whether any handle holds RESERVED or more.
  bool reserved(const std::string& path);

 private:
  struct PathLock {
    int level = 0;   // The highest level any handle holds.
    int shared = 0;  // Handles holding SHARED or more.
  };
  std::mutex mu_;
  std::map<std::string, PathLock> paths_;
};

// One connection's attachment to the WAL index of a database.
struct ShmConn {
  std::string path;
  uint16_t shared_mask = 0;     // Lock slots this connection holds SHARED.
  uint16_t exclusive_mask = 0;  // Lock slots it holds EXCLUSIVE.
};

class ShmTable {
 public:
  static constexpr int kLockSlots = 8;  // SQLITE_SHM_NLOCK.

  // A new connection to the WAL index of `path` (created empty on first use).
  ShmConn* attach(const std::string& path);
  // SQLite's xShmMap: region `region` of `size` bytes, zero-filled when new.
  // Without `extend`, a region that does not exist yet maps to nullptr.
  int map(ShmConn* conn, int region, int size, bool extend, void** out);
  // SQLite's xShmLock on slots [offset, offset + n).
  int lock(ShmConn* conn, int offset, int n, int flags);
  // SQLite's xShmUnmap: drops the connection's locks and the connection;
  // the last one frees the index (the next opener rebuilds it).
  void detach(ShmConn* conn);

 private:
  struct Index {
    int size = 0;  // Bytes per region (SQLite asks for one size throughout).
    std::vector<std::unique_ptr<char[]>> regions;
    int shared[kLockSlots] = {};      // SHARED holders per slot.
    bool exclusive[kLockSlots] = {};  // Whether some connection holds it EXCLUSIVE.
    std::vector<std::unique_ptr<ShmConn>> conns;
  };
  int lock_shared(Index& index, ShmConn* conn, uint16_t mask);
  int lock_exclusive(Index& index, ShmConn* conn, uint16_t mask);
  void unlock(Index& index, ShmConn* conn, uint16_t mask);

  std::mutex mu_;
  std::map<std::string, Index> indexes_;
};

}  // namespace targets::sqlite
