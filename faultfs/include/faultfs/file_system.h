// The file-system seam: every byte DBX (or any engine under test) reads or
// writes goes through these two interfaces, so that the same engine code runs
// on the real POSIX file system, on the simulated crash-able SimFs, and under
// the recorder and the libfiu error points.
//
// Durability model (what a crash may keep, faultfs/doc/crash_model.md):
//  - A file's contents and size become durable only through File::sync().
//  - A directory's entries (create, rename, remove, mkdir, rmdir) become durable only
//    through FileSystem::sync_dir() of the directory that holds them.
//  - Until then a crash may keep any choice of the pending changes; reads always
//    see the latest state, as through a page cache.
// That is POSIX, what the seam promises an engine (FsModel::kPosix). SimFs can
// also crash as ext4 data=ordered does, which keeps more (FsModel::kExt4Ordered
// in faultfs/crash.h).
//
// Thread-safety: every method of FileSystem and File may be called from any
// thread. Calls on one File are linearizable; callers serialize writes to
// overlapping ranges themselves.
//
// Errors: every fallible call returns a [[nodiscard]] Status or Result. On
// failure nothing is promised about the bytes a write was asked to store
// (a failed write may have stored a part), but the handle stays usable.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "faultfs/status.h"

namespace faultfs {

enum class OpenMode {
  kRead,            // Existing file, read only. kNotFound if missing.
  kReadWrite,       // Existing file, read and write. kNotFound if missing.
  kCreate,          // Read and write; created empty if missing.
  kCreateTruncate,  // Read and write; created if missing, else truncated to 0.
};

// A read-only mapping of a file's first bytes (File::map_prefix). Unmapped
// when destroyed; independent of the File's handle, which may close first.
class MappedBytes {
 public:
  virtual ~MappedBytes() = default;
  virtual std::string_view bytes() const = 0;
};

// An open file. Owned by the caller through std::unique_ptr; destroying it
// closes it (any close error is then lost, so call close() when it matters).
class File {
 public:
  virtual ~File() = default;

  // Reads up to buf.size() bytes at `offset`. Returns the number read, which is
  // smaller than asked only at end of file (0 at or past the end).
  [[nodiscard]] virtual Result<size_t> read_at(uint64_t offset, std::span<char> buf) = 0;

  // Writes all of `data` at the current end of the file. On kShortWrite or any
  // other error a prefix of `data` may have been stored; the end moves past it.
  [[nodiscard]] virtual Status append(std::string_view data) = 0;

  // Writes all of `data` at `offset` (pwrite), extending the file if needed;
  // a gap between the old end and `offset` reads as zeros.
  [[nodiscard]] virtual Status write_at(uint64_t offset, std::string_view data) = 0;

  // fdatasync: makes this file's contents and size durable. On failure the
  // un-synced data may be gone (as Linux drops dirty pages after a writeback
  // error) and a later successful sync proves nothing about it.
  [[nodiscard]] virtual Status sync() = 0;

  // Sets the size to `size`, dropping bytes past it or extending with zeros.
  // Durable only after sync().
  [[nodiscard]] virtual Status truncate(uint64_t size) = 0;

  // The current size, as reads see it.
  [[nodiscard]] virtual Result<uint64_t> size() = 0;

  // Releases the handle. Further calls return kInvalidArgument.
  [[nodiscard]] virtual Status close() = 0;

  // The path this file was opened with.
  virtual const std::string& path() const = 0;

  // Maps bytes [0, length) read-only, so that reads of them cost no system
  // call (LevelDB maps its tables for the same reason). The caller promises
  // that, while it holds the mapping, no byte below `length` is written and
  // the file never shrinks below `length`: a read past a shrunk end would be
  // SIGBUS, not an error. kInvalidArgument for a length of 0 or past the end.
  // nullptr when this file is not mapped: the default, kept by SimFs and by
  // every wrapper that must see each read (fault injection, the recorder), so
  // callers read with read_at instead.
  [[nodiscard]] virtual Result<std::unique_ptr<MappedBytes>> map_prefix(uint64_t length) {
    (void)length;
    return std::unique_ptr<MappedBytes>();
  }
};

// An advisory lock held until destroyed. At most one holder per path across
// every handle and process that uses the same FileSystem kind.
class FileLock {
 public:
  virtual ~FileLock() = default;
  virtual const std::string& path() const = 0;
};

class FileSystem {
 public:
  virtual ~FileSystem() = default;

  // Opens (and maybe creates) the file at `path`. A created file's directory
  // entry is durable only after sync_dir() of its parent.
  [[nodiscard]] virtual Result<std::unique_ptr<File>> open(const std::string& path,
                                                           OpenMode mode) = 0;

  // Atomically replaces `to` with `from` (POSIX rename). Durable only after
  // sync_dir() of the parent directory (both parents if they differ).
  [[nodiscard]] virtual Status rename(const std::string& from, const std::string& to) = 0;

  // Removes the file at `path`. kNotFound if missing. Durable after sync_dir().
  [[nodiscard]] virtual Status remove(const std::string& path) = 0;

  // Creates one directory. kAlreadyExists if it exists; kNotFound if the parent
  // is missing. Durable after sync_dir() of the parent.
  [[nodiscard]] virtual Status mkdir(const std::string& path) = 0;

  // Removes the empty directory at `path` (rmdir(2)). kNotFound if missing;
  // kInvalidArgument if it is a file or is not empty (and for the root).
  // Durable only after sync_dir() of the parent (FsModel::kPosix: until
  // then a crash may bring the directory back).
  [[nodiscard]] virtual Status rmdir(const std::string& path) = 0;

  // The names (not paths) of the entries in directory `path`, sorted, without
  // "." and "..".
  [[nodiscard]] virtual Result<std::vector<std::string>> list(const std::string& path) = 0;

  // Makes the entries of directory `path` durable (fsync on the directory).
  [[nodiscard]] virtual Status sync_dir(const std::string& path) = 0;

  // Takes the lock file `path` (created if missing). kBusy if it is held, by
  // this process or another.
  [[nodiscard]] virtual Result<std::unique_ptr<FileLock>> lock(const std::string& path) = 0;

  // Takes a shared lock on the existing lock file `path`, opened read-only:
  // creates and writes nothing. Shared holders coexist; kBusy while lock()'s
  // exclusive holder exists (and lock() is kBusy while a shared one does).
  // kNotFound if missing. The default, for file systems without shared locks,
  // is kInvalidArgument ("unsupported").
  [[nodiscard]] virtual Result<std::unique_ptr<FileLock>> lock_shared(const std::string& path) {
    return Status(ErrorCode::kInvalidArgument, "lock_shared " + path + ": unsupported");
  }

  // The size of the file at `path`; kNotFound if missing.
  [[nodiscard]] virtual Result<uint64_t> file_size(const std::string& path) = 0;

  // Whether a file or directory exists at `path`.
  [[nodiscard]] virtual Result<bool> exists(const std::string& path) = 0;

  // Bytes an unprivileged writer may still allocate on the file system that
  // holds `path` (POSIX: statvfs f_bavail * f_frsize). kUnknownAvailableBytes
  // when the file system cannot tell: the default, so that wrappers and
  // simulated file systems need not implement it.
  static constexpr uint64_t kUnknownAvailableBytes = UINT64_MAX;
  [[nodiscard]] virtual Result<uint64_t> available_bytes(const std::string& path) {
    (void)path;
    return kUnknownAvailableBytes;
  }
};

// The process-wide real file system (POSIX calls, fdatasync, fcntl locks
// scoped to the open file description so that two handles in one process
// also exclude each other). Never null; lives for the whole process.
FileSystem& posix_file_system();

// Joins two path parts with exactly one '/'.
std::string join_path(std::string_view dir, std::string_view name);

// The directory part of `path` ("." when there is none).
std::string parent_path(std::string_view path);

// Reads the whole file at `path`. A convenience over open() + read_at().
[[nodiscard]] Result<std::string> read_file(FileSystem& fs, const std::string& path);

}  // namespace faultfs
