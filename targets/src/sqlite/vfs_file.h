// The open files of FaultVfs (fault_vfs.h): what xOpen puts in the
// sqlite3_file SQLite allocated, and the io_methods of each kind.
#pragma once

#include <sqlite3.h>

#include <memory>
#include <string>

#include "faultfs/file_system.h"
#include "faultfs/status.h"
#include "sqlite/vfs_locks.h"

namespace targets::sqlite {

class FaultVfs;

namespace detail {

// The sqlite3_file SQLite allocates (szOsFile bytes): plain data, so that
// SQLite may treat it as C; `impl` owns the C++ state (an FsFile or a
// MemFile, as base.pMethods says) from a successful xOpen to xClose.
struct FileSlot {
  sqlite3_file base;  // First: SQLite passes &base back to every method.
  void* impl;
};

// A named file on the FileSystem.
struct FsFile {
  FaultVfs* vfs = nullptr;
  std::unique_ptr<faultfs::File> file;
  std::string path;
  int lock = SQLITE_LOCK_NONE;
  // A journal or WAL opened to create: its first successful xSync also
  // syncs the parent directory (os_unix.c's UNIXFILE_DIRSYNC), once.
  bool dir_sync_pending = false;
  bool delete_on_close = false;
  ShmConn* shm = nullptr;  // The WAL index, for the main database in WAL mode.
};

// A temporary file in heap memory (never durable, gone at xClose).
struct MemFile {
  std::string bytes;
};

// xOpen of each kind: on success fills `slot` (impl and pMethods); on failure
// leaves pMethods null, so SQLite calls no xClose.
int open_fs_file(FaultVfs* vfs, const char* path, int flags, FileSlot* slot);
int open_mem_file(FileSlot* slot);

// Records `error` as this thread's last_vfs_error() and returns the SQLite
// code for it: SQLITE_FULL for kNoSpace, else `io_code`.
int fs_error(const faultfs::Status& error, int io_code);

}  // namespace detail
}  // namespace targets::sqlite
