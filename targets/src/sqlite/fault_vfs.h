// FaultVfs: an sqlite3_vfs that sends every file operation of SQLite through
// a faultfs::FileSystem, so that SQLite runs on SimFs (and is crashed there),
// under the libfiu error points, or on the real file system.
//
// One VFS per FileSystem: acquire() registers it under a unique name
// ("faultfs-<n>") the first time a FileSystem is used and shares it while any
// holder keeps it; the last holder's release unregisters it. Its pAppData
// routes every call to that FileSystem, and it owns that FileSystem's
// in-memory lock table and WAL indexes (vfs_locks.h).
//
// What goes where:
//  - named files (main database, rollback journal, WAL): the FileSystem.
//  - temporary files SQLite opens without a name or to delete on close
//    (statement journals, temp databases, sorter spills): heap memory. They
//    never outlive the connection and nothing durable depends on them, so a
//    crash model has nothing to say about them.
//  - locks and the WAL index: memory (vfs_locks.h).
//
// Durability, as SQLite's unix VFS (os_unix.c) does it: xSync is
// File::sync(); a journal or WAL opened with SQLITE_OPEN_CREATE (unixOpen's
// "isNewJrnl", which sets UNIXFILE_DIRSYNC) also syncs its directory after
// its first successful xSync (unixSync), so that its directory entry is
// durable before SQLite relies on its content; xDelete syncs the parent
// directory only when SQLite passes dirSync (unixDelete). Unlike unixSync,
// which ignores a failed directory fsync, this VFS reports it
// (SQLITE_IOERR_DIR_FSYNC): no error is swallowed.
// xDeviceCharacteristics is SQLITE_IOCAP_POWERSAFE_OVERWRITE, as the stock
// unix VFS reports on Linux (and as SimFs models a torn write: only the bytes
// it covers are affected), and xSectorSize 4096 (SQLITE_DEFAULT_SECTOR_SIZE).
//
// Errors: every faultfs error becomes an SQLite I/O error code of the call
// (SQLITE_IOERR_READ, _WRITE, _FSYNC, _TRUNCATE, _FSTAT, _DELETE, _ACCESS,
// _CLOSE, _DIR_FSYNC; kNoSpace -> SQLITE_FULL; a failed open ->
// SQLITE_CANTOPEN); last_vfs_error() keeps its faultfs message.
#pragma once

#include <sqlite3.h>

#include <memory>
#include <string>

#include "faultfs/file_system.h"
#include "sqlite/vfs_locks.h"

namespace targets::sqlite {

class FaultVfs {
 public:
  // The VFS of `fs`, registered on first use; nullptr if SQLite refused to
  // register it. `fs` must outlive every holder.
  static std::shared_ptr<FaultVfs> acquire(faultfs::FileSystem& fs);
  ~FaultVfs();
  FaultVfs(const FaultVfs&) = delete;
  FaultVfs& operator=(const FaultVfs&) = delete;

  // The name to pass to sqlite3_open_v2().
  const char* name() const { return name_.c_str(); }
  faultfs::FileSystem& fs() { return fs_; }
  LockTable& locks() { return locks_; }
  ShmTable& shm() { return shm_; }

  // The FaultVfs a registered sqlite3_vfs routes to (its pAppData).
  static FaultVfs* from(sqlite3_vfs* vfs) { return static_cast<FaultVfs*>(vfs->pAppData); }

 private:
  FaultVfs(faultfs::FileSystem& fs, std::string name);

  faultfs::FileSystem& fs_;
  const std::string name_;
  sqlite3_vfs vfs_{};
  bool registered_ = false;
  LockTable locks_;
  ShmTable shm_;
};

// The faultfs error behind the last VFS call that failed on this thread
// (empty if none): SQLite's own message names only the code.
std::string last_vfs_error();
void clear_last_vfs_error();

}  // namespace targets::sqlite
