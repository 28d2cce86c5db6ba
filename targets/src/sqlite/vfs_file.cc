// The io_methods of FaultVfs's files: named files on the FileSystem, and
// temporary files in memory.
#include "sqlite/vfs_file.h"

#include <atomic>
#include <cstring>
#include <span>

#include "faultfs/assert.h"
#include "sqlite/fault_vfs.h"

namespace targets::sqlite::detail {

namespace {

using faultfs::Status;

// SQLite's SQLITE_DEFAULT_SECTOR_SIZE: the unit it assumes a power loss may
// damage as a whole, at least as large as any sector SimFs tears.
constexpr int kSectorBytes = 4096;

FileSlot* slot_of(sqlite3_file* f) { return reinterpret_cast<FileSlot*>(f); }
FsFile& fs_of(sqlite3_file* f) { return *static_cast<FsFile*>(slot_of(f)->impl); }
MemFile& mem_of(sqlite3_file* f) { return *static_cast<MemFile*>(slot_of(f)->impl); }

int fs_close(sqlite3_file* f) {
  std::unique_ptr<FsFile> file(&fs_of(f));
  slot_of(f)->impl = nullptr;
  // SQLite unmaps the WAL index and unlocks before it closes; a handle
  // closed otherwise (an error path) must not leave them held.
  if (file->shm != nullptr) file->vfs->shm().detach(file->shm);
  file->vfs->locks().unlock(file->path, &file->lock, SQLITE_LOCK_NONE);
  int rc = SQLITE_OK;
  const Status closed = file->file->close();
  if (!closed.is_ok()) rc = fs_error(closed, SQLITE_IOERR_CLOSE);
  if (file->delete_on_close) {
    const Status removed = file->vfs->fs().remove(file->path);
    if (!removed.is_ok() && rc == SQLITE_OK) rc = fs_error(removed, SQLITE_IOERR_DELETE);
  }
  return rc;
}

int fs_read(sqlite3_file* f, void* buf, int amount, sqlite3_int64 offset) {
  DBX_ASSERT(amount >= 0 && offset >= 0);
  char* out = static_cast<char*>(buf);
  auto n = fs_of(f).file->read_at(static_cast<uint64_t>(offset),
                                  std::span<char>(out, static_cast<size_t>(amount)));
  if (!n.is_ok()) return fs_error(n.status(), SQLITE_IOERR_READ);
  const size_t got = n.value();
  DBX_ASSERT(got <= static_cast<size_t>(amount));
  if (got == static_cast<size_t>(amount)) return SQLITE_OK;
  // SQLite requires the rest zero-filled: it reads past the end on purpose.
  std::memset(out + got, 0, static_cast<size_t>(amount) - got);
  return SQLITE_IOERR_SHORT_READ;
}

int fs_write(sqlite3_file* f, const void* buf, int amount, sqlite3_int64 offset) {
  DBX_ASSERT(amount >= 0 && offset >= 0);
  const Status s = fs_of(f).file->write_at(
      static_cast<uint64_t>(offset),
      std::string_view(static_cast<const char*>(buf), static_cast<size_t>(amount)));
  return s.is_ok() ? SQLITE_OK : fs_error(s, SQLITE_IOERR_WRITE);
}

int fs_truncate(sqlite3_file* f, sqlite3_int64 size) {
  DBX_ASSERT(size >= 0);
  const Status s = fs_of(f).file->truncate(static_cast<uint64_t>(size));
  return s.is_ok() ? SQLITE_OK : fs_error(s, SQLITE_IOERR_TRUNCATE);
}

int fs_sync(sqlite3_file* f, int flags) {
  (void)flags;  // NORMAL, FULL and DATAONLY are all one fdatasync here.
  FsFile& file = fs_of(f);
  const Status synced = file.file->sync();
  if (!synced.is_ok()) return fs_error(synced, SQLITE_IOERR_FSYNC);
  if (!file.dir_sync_pending) return SQLITE_OK;
  // unixSync: a new journal's (or WAL's) directory entry is made durable
  // with its first sync. Unlike unixSync this reports a failure, and keeps
  // the sync pending so that a retried xSync makes it again.
  const Status dir = file.vfs->fs().sync_dir(faultfs::parent_path(file.path));
  if (!dir.is_ok()) return fs_error(dir, SQLITE_IOERR_DIR_FSYNC);
  file.dir_sync_pending = false;
  return SQLITE_OK;
}

int fs_file_size(sqlite3_file* f, sqlite3_int64* size) {
  auto n = fs_of(f).file->size();
  if (!n.is_ok()) return fs_error(n.status(), SQLITE_IOERR_FSTAT);
  *size = static_cast<sqlite3_int64>(n.value());
  return SQLITE_OK;
}

int fs_lock(sqlite3_file* f, int level) {
  FsFile& file = fs_of(f);
  return file.vfs->locks().lock(file.path, &file.lock, level);
}

int fs_unlock(sqlite3_file* f, int level) {
  FsFile& file = fs_of(f);
  return file.vfs->locks().unlock(file.path, &file.lock, level);
}

int fs_check_reserved(sqlite3_file* f, int* out) {
  FsFile& file = fs_of(f);
  *out = file.vfs->locks().reserved(file.path) ? 1 : 0;
  return SQLITE_OK;
}

// No file control is implemented: SQLite then uses its defaults (and runs
// every PRAGMA itself).
int file_control(sqlite3_file*, int, void*) { return SQLITE_NOTFOUND; }
int sector_size(sqlite3_file*) { return kSectorBytes; }
// No atomic writes, no safe append, no powersafe overwrite: no promise.
// As the stock unix VFS on Linux (psow=1, SQLITE_POWERSAFE_OVERWRITE): a
// write never damages bytes outside its range, which is SimFs's torn-write
// model too (crash.h: a torn write affects only the bytes it covers).
int device_characteristics(sqlite3_file*) { return SQLITE_IOCAP_POWERSAFE_OVERWRITE; }

int fs_shm_map(sqlite3_file* f, int region, int size, int extend, void volatile** out) {
  FsFile& file = fs_of(f);
  if (file.shm == nullptr) file.shm = file.vfs->shm().attach(file.path);
  void* mapped = nullptr;
  const int rc = file.vfs->shm().map(file.shm, region, size, extend != 0, &mapped);
  *out = mapped;
  return rc;
}

int fs_shm_lock(sqlite3_file* f, int offset, int n, int flags) {
  FsFile& file = fs_of(f);
  DBX_ASSERT(file.shm != nullptr);  // SQLite maps region 0 before it locks.
  return file.vfs->shm().lock(file.shm, offset, n, flags);
}

// One process: a full fence orders the index's memory between threads.
void fs_shm_barrier(sqlite3_file*) { std::atomic_thread_fence(std::memory_order_seq_cst); }

int fs_shm_unmap(sqlite3_file* f, int delete_flag) {
  (void)delete_flag;  // The memory goes with its last connection anyway.
  FsFile& file = fs_of(f);
  if (file.shm != nullptr) file.vfs->shm().detach(file.shm);
  file.shm = nullptr;
  return SQLITE_OK;
}

// iVersion 2: the WAL index methods, no memory-mapped I/O (xFetch), so that
// every read and write of the database goes through the FileSystem.
const sqlite3_io_methods kFsFileMethods = {
    2,
    fs_close,
    fs_read,
    fs_write,
    fs_truncate,
    fs_sync,
    fs_file_size,
    fs_lock,
    fs_unlock,
    fs_check_reserved,
    file_control,
    sector_size,
    device_characteristics,
    fs_shm_map,
    fs_shm_lock,
    fs_shm_barrier,
    fs_shm_unmap,
    nullptr,
    nullptr,
};

int mem_close(sqlite3_file* f) {
  delete &mem_of(f);
  slot_of(f)->impl = nullptr;
  return SQLITE_OK;
}

int mem_read(sqlite3_file* f, void* buf, int amount, sqlite3_int64 offset) {
  const std::string& bytes = mem_of(f).bytes;
  const size_t want = static_cast<size_t>(amount);
  const size_t start = static_cast<size_t>(offset);
  const size_t got = start >= bytes.size() ? 0 : std::min(want, bytes.size() - start);
  if (got > 0) std::memcpy(buf, bytes.data() + start, got);
  if (got == want) return SQLITE_OK;
  std::memset(static_cast<char*>(buf) + got, 0, want - got);
  return SQLITE_IOERR_SHORT_READ;
}

int mem_write(sqlite3_file* f, const void* buf, int amount, sqlite3_int64 offset) {
  std::string& bytes = mem_of(f).bytes;
  const size_t end = static_cast<size_t>(offset) + static_cast<size_t>(amount);
  if (bytes.size() < end) bytes.resize(end, '\0');
  std::memcpy(bytes.data() + offset, buf, static_cast<size_t>(amount));
  return SQLITE_OK;
}

int mem_truncate(sqlite3_file* f, sqlite3_int64 size) {
  std::string& bytes = mem_of(f).bytes;
  if (static_cast<size_t>(size) < bytes.size()) bytes.resize(static_cast<size_t>(size));
  return SQLITE_OK;
}

int mem_sync(sqlite3_file*, int) { return SQLITE_OK; }

int mem_file_size(sqlite3_file* f, sqlite3_int64* size) {
  *size = static_cast<sqlite3_int64>(mem_of(f).bytes.size());
  return SQLITE_OK;
}

// A temporary file belongs to one connection: nothing to exclude.
int mem_lock(sqlite3_file*, int) { return SQLITE_OK; }
int mem_check_reserved(sqlite3_file*, int* out) {
  *out = 0;
  return SQLITE_OK;
}

const sqlite3_io_methods kMemFileMethods = {
    1,
    mem_close,
    mem_read,
    mem_write,
    mem_truncate,
    mem_sync,
    mem_file_size,
    mem_lock,
    mem_lock,
    mem_check_reserved,
    file_control,
    sector_size,
    device_characteristics,
    nullptr,
    nullptr,
    nullptr,
    nullptr,
    nullptr,
    nullptr,
};

}  // namespace

int open_fs_file(FaultVfs* vfs, const char* path, int flags, FileSlot* slot) {
  slot->base.pMethods = nullptr;
  slot->impl = nullptr;
  const bool create = (flags & SQLITE_OPEN_CREATE) != 0;
  if ((flags & SQLITE_OPEN_EXCLUSIVE) != 0) {
    auto exists = vfs->fs().exists(path);
    if (!exists.is_ok()) return fs_error(exists.status(), SQLITE_CANTOPEN);
    if (exists.value()) return SQLITE_CANTOPEN;
  }
  const faultfs::OpenMode mode = (flags & SQLITE_OPEN_READONLY) != 0 ? faultfs::OpenMode::kRead
                                 : create                            ? faultfs::OpenMode::kCreate
                                          : faultfs::OpenMode::kReadWrite;
  auto opened = vfs->fs().open(path, mode);
  if (!opened.is_ok()) return fs_error(opened.status(), SQLITE_CANTOPEN);
  auto file = std::make_unique<FsFile>();
  file->vfs = vfs;
  file->file = std::move(opened).value();
  file->path = path;
  // unixOpen's isNewJrnl: a journal or WAL opened with CREATE.
  const int type = flags & (SQLITE_OPEN_MAIN_JOURNAL | SQLITE_OPEN_SUPER_JOURNAL | SQLITE_OPEN_WAL);
  file->dir_sync_pending = create && type != 0;
  file->delete_on_close = (flags & SQLITE_OPEN_DELETEONCLOSE) != 0;
  slot->impl = file.release();
  slot->base.pMethods = &kFsFileMethods;
  return SQLITE_OK;
}

int open_mem_file(FileSlot* slot) {
  slot->impl = new MemFile();
  slot->base.pMethods = &kMemFileMethods;
  return SQLITE_OK;
}

}  // namespace targets::sqlite::detail
