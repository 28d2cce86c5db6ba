// The real file system behind the seam: plain POSIX calls.
//
// Invariants: every call retries EINTR and never reports success for a
// partial write; sync() is fdatasync (data and size, not timestamps), which is
// all the engine's recovery relies on; locks are Linux open-file-description
// locks so two handles inside one process exclude each other as two
// processes do.
#include <dirent.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <memory>

#include "faultfs/file_system.h"

namespace faultfs {
namespace {

constexpr size_t kIoChunkBytesMax = size_t{1} << 30;  // Linux caps one transfer below 2 GiB.

class PosixMapping final : public MappedBytes {
 public:
  PosixMapping(void* address, size_t length) : address_(address), length_(length) {}
  ~PosixMapping() override {
    ::munmap(address_, length_);  // Fails only for a range never mapped.
  }
  std::string_view bytes() const override {
    return std::string_view(static_cast<const char*>(address_), length_);
  }

 private:
  void* const address_;
  const size_t length_;
};

class PosixFile final : public File {
 public:
  PosixFile(std::string path, int fd, uint64_t size)
      : path_(std::move(path)), fd_(fd), end_(size) {}
  ~PosixFile() override {
    if (fd_ >= 0) ::close(fd_);  // The error is unobservable here; close() reports it.
  }

  Result<size_t> read_at(uint64_t offset, std::span<char> buf) override {
    if (fd_ < 0) return closed_error("read");
    size_t done = 0;
    while (done < buf.size()) {
      const size_t want = std::min(buf.size() - done, kIoChunkBytesMax);
      const ssize_t n = ::pread(fd_, buf.data() + done, want, static_cast<off_t>(offset + done));
      if (n < 0) {
        if (errno == EINTR) continue;
        return status_from_errno(errno, "pread@" + std::to_string(offset + done), path_);
      }
      if (n == 0) break;
      done += static_cast<size_t>(n);
    }
    return done;
  }

  Status append(std::string_view data) override {
    // The end is tracked here rather than with O_APPEND so that append and
    // write_at share one notion of the file's end.
    const uint64_t offset = end_.load(std::memory_order_acquire);
    return write_at(offset, data);
  }

  Status write_at(uint64_t offset, std::string_view data) override {
    if (fd_ < 0) return closed_error("write");
    size_t done = 0;
    while (done < data.size()) {
      const size_t want = std::min(data.size() - done, kIoChunkBytesMax);
      const ssize_t n = ::pwrite(fd_, data.data() + done, want, static_cast<off_t>(offset + done));
      if (n < 0) {
        if (errno == EINTR) continue;
        bump_end(offset + done);
        return status_from_errno(errno, "pwrite@" + std::to_string(offset + done), path_);
      }
      if (n == 0) {
        bump_end(offset + done);
        return Status(ErrorCode::kShortWrite, "pwrite " + path_ + ": wrote 0 bytes");
      }
      done += static_cast<size_t>(n);
    }
    bump_end(offset + done);
    return Status::ok();
  }

  Status sync() override {
    if (fd_ < 0) return closed_error("sync");
    while (::fdatasync(fd_) != 0) {
      if (errno != EINTR) return status_from_errno(errno, "fdatasync", path_);
    }
    return Status::ok();
  }

  Status truncate(uint64_t size) override {
    if (fd_ < 0) return closed_error("truncate");
    while (::ftruncate(fd_, static_cast<off_t>(size)) != 0) {
      if (errno != EINTR) return status_from_errno(errno, "ftruncate", path_);
    }
    end_.store(size, std::memory_order_release);
    return Status::ok();
  }

  Result<uint64_t> size() override {
    if (fd_ < 0) return closed_error("size");
    struct stat st {};
    if (::fstat(fd_, &st) != 0) return status_from_errno(errno, "fstat", path_);
    return static_cast<uint64_t>(st.st_size);
  }

  Status close() override {
    if (fd_ < 0) return closed_error("close");
    const int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0 && errno != EINTR) return status_from_errno(errno, "close", path_);
    return Status::ok();
  }

  const std::string& path() const override { return path_; }

  Result<std::unique_ptr<MappedBytes>> map_prefix(uint64_t length) override {
    if (fd_ < 0) return closed_error("map");
    struct stat st {};
    if (::fstat(fd_, &st) != 0) return status_from_errno(errno, "fstat", path_);
    if (length == 0 || length > static_cast<uint64_t>(st.st_size)) {
      return Status(ErrorCode::kInvalidArgument, "map of " + std::to_string(length) + " bytes of " +
                                                     path_ + " (" + std::to_string(st.st_size) +
                                                     " bytes)");
    }
    void* address = ::mmap(nullptr, length, PROT_READ, MAP_SHARED, fd_, 0);
    if (address == MAP_FAILED) return status_from_errno(errno, "mmap", path_);
    return std::unique_ptr<MappedBytes>(std::make_unique<PosixMapping>(address, length));
  }

 private:
  Status closed_error(const char* op) const {
    return Status(ErrorCode::kInvalidArgument, std::string(op) + " " + path_ + ": file is closed");
  }
  void bump_end(uint64_t offset) {
    uint64_t seen = end_.load(std::memory_order_relaxed);
    while (offset > seen && !end_.compare_exchange_weak(seen, offset)) {
    }
  }

  const std::string path_;
  int fd_;
  std::atomic<uint64_t> end_;
};

class PosixLock final : public FileLock {
 public:
  PosixLock(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  ~PosixLock() override { ::close(fd_); }  // Closing the description releases the OFD lock.
  const std::string& path() const override { return path_; }

 private:
  const std::string path_;
  const int fd_;
};

int open_flags(OpenMode mode) {
  switch (mode) {
    case OpenMode::kRead:
      return O_RDONLY;
    case OpenMode::kReadWrite:
      return O_RDWR;
    case OpenMode::kCreate:
      return O_RDWR | O_CREAT;
    case OpenMode::kCreateTruncate:
      return O_RDWR | O_CREAT | O_TRUNC;
  }
  return O_RDONLY;
}

class PosixFileSystem final : public FileSystem {
 public:
  Result<std::unique_ptr<File>> open(const std::string& path, OpenMode mode) override {
    int fd;
    do {
      fd = ::open(path.c_str(), open_flags(mode) | O_CLOEXEC, 0644);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0) return status_from_errno(errno, "open", path);
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
      const int err = errno;
      ::close(fd);
      return status_from_errno(err, "fstat", path);
    }
    if (S_ISDIR(st.st_mode)) {
      ::close(fd);
      return Status(ErrorCode::kInvalidArgument, "open " + path + ": is a directory");
    }
    return std::unique_ptr<File>(new PosixFile(path, fd, static_cast<uint64_t>(st.st_size)));
  }

  Status rename(const std::string& from, const std::string& to) override {
    if (::rename(from.c_str(), to.c_str()) != 0) {
      return status_from_errno(errno, "rename " + from + " ->", to);
    }
    return Status::ok();
  }

  Status remove(const std::string& path) override {
    if (::unlink(path.c_str()) != 0) return status_from_errno(errno, "unlink", path);
    return Status::ok();
  }

  Status mkdir(const std::string& path) override {
    if (::mkdir(path.c_str(), 0755) != 0) return status_from_errno(errno, "mkdir", path);
    return Status::ok();
  }

  Status rmdir(const std::string& path) override {
    if (::rmdir(path.c_str()) != 0) {
      const int err = errno;
      // The seam's contract: a file or a non-empty directory is a caller
      // error, whatever errno the kernel picked (ENOTDIR, ENOTEMPTY, EEXIST).
      if (err == ENOTDIR || err == ENOTEMPTY || err == EEXIST) {
        return Status(ErrorCode::kInvalidArgument, "rmdir " + path + ": " + std::strerror(err),
                      err);
      }
      return status_from_errno(err, "rmdir", path);
    }
    return Status::ok();
  }

  Result<std::vector<std::string>> list(const std::string& path) override {
    DIR* dir = ::opendir(path.c_str());
    if (dir == nullptr) return status_from_errno(errno, "opendir", path);
    std::vector<std::string> names;
    errno = 0;
    while (const dirent* entry = ::readdir(dir)) {
      const std::string_view name(entry->d_name);
      if (name != "." && name != "..") names.emplace_back(name);
    }
    const int err = errno;
    ::closedir(dir);
    if (err != 0) return status_from_errno(err, "readdir", path);
    std::sort(names.begin(), names.end());
    return names;
  }

  Status sync_dir(const std::string& path) override {
    const int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return status_from_errno(errno, "open dir", path);
    int rc;
    do {
      rc = ::fsync(fd);
    } while (rc != 0 && errno == EINTR);
    const int err = errno;
    ::close(fd);
    if (rc != 0) return status_from_errno(err, "fsync dir", path);
    return Status::ok();
  }

  Result<std::unique_ptr<FileLock>> lock(const std::string& path) override {
    return take_lock(path, O_RDWR | O_CREAT, F_WRLCK);
  }

  Result<std::unique_ptr<FileLock>> lock_shared(const std::string& path) override {
    return take_lock(path, O_RDONLY, F_RDLCK);
  }

  Result<uint64_t> file_size(const std::string& path) override {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return status_from_errno(errno, "stat", path);
    return static_cast<uint64_t>(st.st_size);
  }

  Result<bool> exists(const std::string& path) override {
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0) return true;
    if (errno == ENOENT) return false;
    return status_from_errno(errno, "stat", path);
  }

  Result<uint64_t> available_bytes(const std::string& path) override {
    struct statvfs st {};
    if (::statvfs(path.c_str(), &st) != 0) return status_from_errno(errno, "statvfs", path);
    return static_cast<uint64_t>(st.f_bavail) * static_cast<uint64_t>(st.f_frsize);
  }

 private:
  // Opens `path` with `open_flags` and takes an OFD lock of `lock_type` on it.
  // Only a conflicting holder is kBusy; failing to open the file (EACCES on
  // LOCK, a read-only directory) is the open's own error.
  static Result<std::unique_ptr<FileLock>> take_lock(const std::string& path, int open_flags,
                                                     short lock_type) {
    int fd;
    do {
      fd = ::open(path.c_str(), open_flags | O_CLOEXEC, 0644);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0) return status_from_errno(errno, "open lock", path);
    struct flock fl {};
    fl.l_type = lock_type;
    fl.l_whence = SEEK_SET;
    if (::fcntl(fd, F_OFD_SETLK, &fl) != 0) {
      const int err = errno;
      ::close(fd);
      if (err == EAGAIN || err == EACCES) {
        return Status(ErrorCode::kBusy, "lock " + path + ": held by another handle or process",
                      err);
      }
      return status_from_errno(err, "fcntl(F_OFD_SETLK)", path);
    }
    return std::unique_ptr<FileLock>(new PosixLock(path, fd));
  }
};

}  // namespace

FileSystem& posix_file_system() {
  static PosixFileSystem* const instance = new PosixFileSystem();  // Never destroyed: see header.
  return *instance;
}

}  // namespace faultfs
