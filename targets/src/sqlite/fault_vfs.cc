// FaultVfs: registration (one VFS per FileSystem) and the VFS-level methods;
// the files' methods are vfs_file.cc's.
#include "sqlite/fault_vfs.h"

#include <atomic>
#include <cerrno>
#include <cstring>
#include <map>
#include <mutex>

#include "faultfs/assert.h"
#include "sqlite/vfs_file.h"

namespace targets::sqlite {

using faultfs::ErrorCode;
using faultfs::Status;

namespace {

thread_local std::string t_last_error;

std::mutex g_registry_mu;
std::map<faultfs::FileSystem*, std::weak_ptr<FaultVfs>> g_registry;
std::atomic<uint64_t> g_next_id{1};

// The default VFS, for what has nothing to do with files (randomness, time).
sqlite3_vfs* default_vfs() {
  static sqlite3_vfs* const vfs = sqlite3_vfs_find(nullptr);
  DBX_ASSERT(vfs != nullptr);
  return vfs;
}

constexpr int kTempTypes = SQLITE_OPEN_TEMP_DB | SQLITE_OPEN_TEMP_JOURNAL | SQLITE_OPEN_SUBJOURNAL |
                           SQLITE_OPEN_TRANSIENT_DB;

int vfs_open(sqlite3_vfs* vfs, const char* name, sqlite3_file* file, int flags, int* out_flags) {
  auto* slot = reinterpret_cast<detail::FileSlot*>(file);
  if (out_flags != nullptr) *out_flags = flags;
  // Temporary files live in memory (fault_vfs.h): nothing durable depends on
  // them.
  if (name == nullptr || (flags & kTempTypes) != 0) return detail::open_mem_file(slot);
  return detail::open_fs_file(FaultVfs::from(vfs), name, flags, slot);
}

int vfs_delete(sqlite3_vfs* vfs, const char* path, int dir_sync) {
  faultfs::FileSystem& fs = FaultVfs::from(vfs)->fs();
  const Status removed = fs.remove(path);
  // As unixDelete: SQLite tolerates deleting what is already gone, so that
  // is an answer, not an error to record.
  if (removed.code() == ErrorCode::kNotFound) return SQLITE_IOERR_DELETE_NOENT;
  if (!removed.is_ok()) return detail::fs_error(removed, SQLITE_IOERR_DELETE);
  // Only where SQLite asks (synchronous=EXTRA's journal delete, say).
  if (dir_sync == 0) return SQLITE_OK;
  const Status synced = fs.sync_dir(faultfs::parent_path(path));
  return synced.is_ok() ? SQLITE_OK : detail::fs_error(synced, SQLITE_IOERR_DIR_FSYNC);
}

int vfs_access(sqlite3_vfs* vfs, const char* path, int flags, int* out) {
  faultfs::FileSystem& fs = FaultVfs::from(vfs)->fs();
  *out = 0;
  if (flags != SQLITE_ACCESS_EXISTS) {
    auto exists = fs.exists(path);
    if (!exists.is_ok()) return detail::fs_error(exists.status(), SQLITE_IOERR_ACCESS);
    *out = exists.value() ? 1 : 0;
    return SQLITE_OK;
  }
  // As unixAccess: an empty regular file does not exist (an empty journal is
  // no journal); a directory does.
  auto size = fs.file_size(path);
  if (size.is_ok()) {
    *out = size.value() > 0 ? 1 : 0;
    return SQLITE_OK;
  }
  if (size.status().code() == ErrorCode::kNotFound) return SQLITE_OK;
  if (size.status().code() == ErrorCode::kInvalidArgument && size.status().sys_errno() == EISDIR) {
    *out = 1;
    return SQLITE_OK;
  }
  return detail::fs_error(size.status(), SQLITE_IOERR_ACCESS);
}

// Paths are the FileSystem's own: relative ones stay relative (SimFs has no
// working directory; on the real file system they resolve against it).
int vfs_full_pathname(sqlite3_vfs*, const char* name, int out_bytes, char* out) {
  const size_t n = std::strlen(name);
  if (n + 1 > static_cast<size_t>(out_bytes)) return SQLITE_CANTOPEN;
  std::memcpy(out, name, n + 1);
  return SQLITE_OK;
}

void* vfs_dl_open(sqlite3_vfs*, const char* name) {
  return default_vfs()->xDlOpen(default_vfs(), name);
}
void vfs_dl_error(sqlite3_vfs*, int n, char* out) {
  default_vfs()->xDlError(default_vfs(), n, out);
}
void (*vfs_dl_sym(sqlite3_vfs*, void* handle, const char* symbol))(void) {
  return default_vfs()->xDlSym(default_vfs(), handle, symbol);
}
void vfs_dl_close(sqlite3_vfs*, void* handle) { default_vfs()->xDlClose(default_vfs(), handle); }
int vfs_randomness(sqlite3_vfs*, int n, char* out) {
  return default_vfs()->xRandomness(default_vfs(), n, out);
}
int vfs_sleep(sqlite3_vfs*, int micros) { return default_vfs()->xSleep(default_vfs(), micros); }
int vfs_current_time(sqlite3_vfs*, double* out) {
  return default_vfs()->xCurrentTime(default_vfs(), out);
}
int vfs_current_time_int64(sqlite3_vfs*, sqlite3_int64* out) {
  return default_vfs()->xCurrentTimeInt64(default_vfs(), out);
}
// The faultfs message is in last_vfs_error(); there is no errno to give.
int vfs_get_last_error(sqlite3_vfs*, int, char*) { return 0; }

}  // namespace

namespace detail {

int fs_error(const Status& error, int io_code) {
  DBX_ASSERT(!error.is_ok());
  t_last_error = error.to_string();
  return error.code() == ErrorCode::kNoSpace ? SQLITE_FULL : io_code;
}

}  // namespace detail

std::string last_vfs_error() { return t_last_error; }
void clear_last_vfs_error() { t_last_error.clear(); }

FaultVfs::FaultVfs(faultfs::FileSystem& fs, std::string name) : fs_(fs), name_(std::move(name)) {
  vfs_.iVersion = 2;
  vfs_.szOsFile = sizeof(detail::FileSlot);
  vfs_.mxPathname = 1024;
  vfs_.zName = name_.c_str();
  vfs_.pAppData = this;
  vfs_.xOpen = vfs_open;
  vfs_.xDelete = vfs_delete;
  vfs_.xAccess = vfs_access;
  vfs_.xFullPathname = vfs_full_pathname;
  vfs_.xDlOpen = vfs_dl_open;
  vfs_.xDlError = vfs_dl_error;
  vfs_.xDlSym = vfs_dl_sym;
  vfs_.xDlClose = vfs_dl_close;
  vfs_.xRandomness = vfs_randomness;
  vfs_.xSleep = vfs_sleep;
  vfs_.xCurrentTime = vfs_current_time;
  vfs_.xGetLastError = vfs_get_last_error;
  vfs_.xCurrentTimeInt64 = vfs_current_time_int64;
}

FaultVfs::~FaultVfs() {
  if (registered_) {
    const int rc = sqlite3_vfs_unregister(&vfs_);
    DBX_ASSERT(rc == SQLITE_OK);
  }
  std::lock_guard guard(g_registry_mu);
  auto it = g_registry.find(&fs_);
  // A new FaultVfs of the same FileSystem may have replaced this one already.
  if (it != g_registry.end() && it->second.expired()) g_registry.erase(it);
}

std::shared_ptr<FaultVfs> FaultVfs::acquire(faultfs::FileSystem& fs) {
  std::unique_lock lock(g_registry_mu);
  auto it = g_registry.find(&fs);
  if (it != g_registry.end()) {
    if (auto shared = it->second.lock()) return shared;
  }
  (void)default_vfs();  // Initializes SQLite and finds its default first.
  std::shared_ptr<FaultVfs> vfs(
      new FaultVfs(fs, "faultfs-" + std::to_string(g_next_id.fetch_add(1))));
  if (sqlite3_vfs_register(&vfs->vfs_, /*makeDflt=*/0) != SQLITE_OK) {
    lock.unlock();  // ~FaultVfs takes the registry's lock.
    return nullptr;
  }
  vfs->registered_ = true;
  g_registry[&fs] = vfs;
  return vfs;
}

}  // namespace targets::sqlite
