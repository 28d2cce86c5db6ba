// The descriptor-based interceptors: open, write, sync, truncate, allocate,
// close and the dup family. Each forwards to libc first; only a call that
// succeeded (or a sync that failed with a writeback error) on a tracked
// descriptor is recorded, inside the recording lock.
#include <fcntl.h>
#include <linux/falloc.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "paths.h"
#include "state.h"

using dbx_exec::FdInfo;
using dbx_exec::Guard;
using dbx_exec::real;
using faultfs::handle_record;
using faultfs::OpenMode;
using faultfs::TraceOp;
using faultfs::TraceRecord;

namespace dbx_exec {

namespace {

OpenMode open_mode(int flags, bool inherited) {
  if (!inherited && (flags & O_CREAT) != 0) {
    return (flags & O_TRUNC) != 0 ? OpenMode::kCreateTruncate : OpenMode::kCreate;
  }
  return (flags & O_ACCMODE) == O_RDONLY ? OpenMode::kRead : OpenMode::kReadWrite;
}

// The file's size as the kernel reports it; dies if it cannot tell.
uint64_t size_of(int fd) {
  struct stat sb {};
  if (::fstat(fd, &sb) != 0) die("fstat of a traced file failed");
  return static_cast<uint64_t>(sb.st_size);
}

}  // namespace

void register_fd(int fd, int flags, bool inherited) {
  struct stat sb {};
  if (::fstat(fd, &sb) != 0 || !(S_ISREG(sb.st_mode) || S_ISDIR(sb.st_mode))) return;
  const std::string abs = fd_path(fd);
  const auto rel = relative_to_root(abs);
  if (!rel) return;
  if (S_ISDIR(sb.st_mode)) {
    set_fd(fd, FdInfo{FdInfo::Kind::kDir, 0});
    return;
  }
  if ((flags & O_TMPFILE) == O_TMPFILE) die("O_TMPFILE inside the root is not traced: " + abs);
  TraceRecord r = handle_record(TraceOp::kOpen, new_handle());
  r.mode = open_mode(flags, inherited);
  r.path = *rel;
  const uint64_t handle = r.handle;
  emit(std::move(r));
  // O_TRUNC without O_CREAT: an open of the existing file, then its truncation.
  if (!inherited && (flags & O_TRUNC) != 0 && (flags & O_CREAT) == 0) {
    emit(handle_record(TraceOp::kTruncate, handle, 0));
  }
  set_fd(fd, FdInfo{FdInfo::Kind::kFile, handle});
}

}  // namespace dbx_exec

namespace {


int traced_openat(int dirfd, const char* path, int flags, mode_t mode) {
  if (!dbx_exec::active()) return real().openat(dirfd, path, flags, mode);
  // A call that may create or truncate runs inside the lock, so that its
  // record sits where it happened; any open is registered inside it, so the
  // name read back from the kernel is current for the trace position.
  std::optional<Guard> guard;
  if ((flags & (O_CREAT | O_TRUNC)) != 0) guard.emplace();
  const int fd = real().openat(dirfd, path, flags, mode);
  if (fd < 0) return fd;
  if (!guard) guard.emplace();
  dbx_exec::register_fd(fd, flags, /*inherited=*/false);
  return fd;
}

mode_t mode_arg(int flags, va_list ap) {
  return (flags & O_CREAT) != 0 || (flags & O_TMPFILE) == O_TMPFILE ? va_arg(ap, mode_t) : 0;
}

std::optional<FdInfo> tracked_file(int fd) {
  if (!dbx_exec::active()) return std::nullopt;
  auto info = dbx_exec::lookup(fd);
  if (info && info->kind == FdInfo::Kind::kFile) return info;
  return std::nullopt;
}

void record_write(const FdInfo& info, uint64_t offset, const void* buf, ssize_t n) {
  if (n <= 0) return;
  dbx_exec::emit(
      handle_record(TraceOp::kWriteAt, info.handle, offset,
                    std::string_view(static_cast<const char*>(buf), static_cast<size_t>(n))));
}

int traced_sync(int fd, int (*call)(int)) {
  if (!dbx_exec::active()) return call(fd);
  const auto info = dbx_exec::lookup(fd);
  if (!info || info->kind == FdInfo::Kind::kAck) return call(fd);
  Guard guard;
  const int r = call(fd);
  const int err = errno;
  if (info->kind == FdInfo::Kind::kDir) {
    const auto rel = dbx_exec::relative_to_root(dbx_exec::fd_path(fd));
    if (r == 0 && rel) {
      TraceRecord rec;
      rec.op = TraceOp::kSyncDir;
      rec.path = *rel;
      dbx_exec::emit(std::move(rec));
    }
  } else if (r == 0) {
    dbx_exec::emit(handle_record(TraceOp::kSync, info->handle));
  } else if (err == EIO || err == ENOSPC || err == EDQUOT) {
    // A writeback failure: the kernel dropped the dirty data.
    dbx_exec::emit(handle_record(TraceOp::kSyncFailed, info->handle));
  }
  errno = err;
  return r;
}

// After a size-changing allocation: the new size, as a truncate that
// extends with zeros (what an allocated range reads as).
void record_growth(const FdInfo& info, uint64_t before, uint64_t after) {
  if (after != before) dbx_exec::emit(handle_record(TraceOp::kTruncate, info.handle, after));
}

void copy_fd(int from, int to) {
  if (to < 0 || !dbx_exec::active()) return;
  dbx_exec::erase_fd(to);
  if (auto info = dbx_exec::lookup(from)) dbx_exec::set_fd(to, *info);
}

}  // namespace

extern "C" {

#define DBX_EXPORT __attribute__((visibility("default")))

DBX_EXPORT int open(const char* path, int flags, ...) {
  va_list ap;
  va_start(ap, flags);
  const mode_t mode = mode_arg(flags, ap);
  va_end(ap);
  return traced_openat(AT_FDCWD, path, flags, mode);
}
DBX_EXPORT int open64(const char* path, int flags, ...) {
  va_list ap;
  va_start(ap, flags);
  const mode_t mode = mode_arg(flags, ap);
  va_end(ap);
  return traced_openat(AT_FDCWD, path, flags, mode);
}
DBX_EXPORT int openat(int dirfd, const char* path, int flags, ...) {
  va_list ap;
  va_start(ap, flags);
  const mode_t mode = mode_arg(flags, ap);
  va_end(ap);
  return traced_openat(dirfd, path, flags, mode);
}
DBX_EXPORT int openat64(int dirfd, const char* path, int flags, ...) {
  va_list ap;
  va_start(ap, flags);
  const mode_t mode = mode_arg(flags, ap);
  va_end(ap);
  return traced_openat(dirfd, path, flags, mode);
}
// _FORTIFY_SOURCE's checked variants (called without a mode).
DBX_EXPORT int __open_2(const char* path, int flags) {
  return traced_openat(AT_FDCWD, path, flags, 0);
}
DBX_EXPORT int __open64_2(const char* path, int flags) {
  return traced_openat(AT_FDCWD, path, flags, 0);
}
DBX_EXPORT int __openat_2(int dirfd, const char* path, int flags) {
  return traced_openat(dirfd, path, flags, 0);
}
DBX_EXPORT int __openat64_2(int dirfd, const char* path, int flags) {
  return traced_openat(dirfd, path, flags, 0);
}
DBX_EXPORT int creat(const char* path, mode_t mode) {
  return traced_openat(AT_FDCWD, path, O_CREAT | O_WRONLY | O_TRUNC, mode);
}
DBX_EXPORT int creat64(const char* path, mode_t mode) {
  return traced_openat(AT_FDCWD, path, O_CREAT | O_WRONLY | O_TRUNC, mode);
}

DBX_EXPORT ssize_t write(int fd, const void* buf, size_t n) {
  if (!dbx_exec::active()) return real().write(fd, buf, n);
  const auto info = dbx_exec::lookup(fd);
  if (info && info->kind == FdInfo::Kind::kAck) {
    const ssize_t r = real().write(fd, buf, n);
    if (r > 0) {
      dbx_exec::note_ack_bytes(
          std::string_view(static_cast<const char*>(buf), static_cast<size_t>(r)));
    }
    return r;
  }
  if (!info || info->kind != FdInfo::Kind::kFile) return real().write(fd, buf, n);
  Guard guard;
  const ssize_t r = real().write(fd, buf, n);
  const int err = errno;
  // The offset the bytes went to: the position after them (O_APPEND too).
  if (r > 0) record_write(*info, static_cast<uint64_t>(::lseek(fd, 0, SEEK_CUR) - r), buf, r);
  errno = err;
  return r;
}

DBX_EXPORT ssize_t pwrite(int fd, const void* buf, size_t n, off_t offset) {
  const auto info = tracked_file(fd);
  if (!info) return real().pwrite(fd, buf, n, offset);
  Guard guard;
  const ssize_t r = real().pwrite(fd, buf, n, offset);
  const int err = errno;
  if (r > 0) {
    // Linux appends a pwrite on an O_APPEND descriptor, whatever its offset.
    const bool append = (real().fcntl(fd, F_GETFL) & O_APPEND) != 0;
    const uint64_t at =
        append ? dbx_exec::size_of(fd) - static_cast<uint64_t>(r) : static_cast<uint64_t>(offset);
    record_write(*info, at, buf, r);
  }
  errno = err;
  return r;
}
DBX_EXPORT ssize_t pwrite64(int fd, const void* buf, size_t n, off_t offset) {
  return pwrite(fd, buf, n, offset);
}

DBX_EXPORT ssize_t writev(int fd, const struct iovec* iov, int count) {
  const auto info = tracked_file(fd);
  if (!info) return real().writev(fd, iov, count);
  Guard guard;
  const ssize_t r = real().writev(fd, iov, count);
  const int err = errno;
  if (r > 0) {
    std::string data;
    for (int i = 0; i < count && data.size() < static_cast<size_t>(r); ++i) {
      const size_t take = std::min(iov[i].iov_len, static_cast<size_t>(r) - data.size());
      data.append(static_cast<const char*>(iov[i].iov_base), take);
    }
    record_write(*info, static_cast<uint64_t>(::lseek(fd, 0, SEEK_CUR) - r), data.data(), r);
  }
  errno = err;
  return r;
}

DBX_EXPORT int fsync(int fd) { return traced_sync(fd, real().fsync); }
DBX_EXPORT int fdatasync(int fd) { return traced_sync(fd, real().fdatasync); }

DBX_EXPORT int syncfs(int fd) {
  if (!dbx_exec::active()) return real().syncfs(fd);
  Guard guard;
  const int r = real().syncfs(fd);
  const int err = errno;
  if (r == 0 && dbx_exec::on_root_fs(fd)) dbx_exec::emit(handle_record(TraceOp::kSyncFs, 0));
  errno = err;
  return r;
}

DBX_EXPORT void sync() {
  if (!dbx_exec::active()) return real().sync();
  Guard guard;
  real().sync();
  dbx_exec::emit(handle_record(TraceOp::kSyncFs, 0));
}

DBX_EXPORT int ftruncate(int fd, off_t size) {
  const auto info = tracked_file(fd);
  if (!info) return real().ftruncate(fd, size);
  Guard guard;
  const int r = real().ftruncate(fd, size);
  const int err = errno;
  if (r == 0) {
    dbx_exec::emit(handle_record(TraceOp::kTruncate, info->handle, static_cast<uint64_t>(size)));
  }
  errno = err;
  return r;
}
DBX_EXPORT int ftruncate64(int fd, off_t size) { return ftruncate(fd, size); }

DBX_EXPORT int fallocate(int fd, int mode, off_t offset, off_t len) {
  const auto info = tracked_file(fd);
  if (!info) return real().fallocate(fd, mode, offset, len);
  if ((mode & (FALLOC_FL_COLLAPSE_RANGE | FALLOC_FL_INSERT_RANGE)) != 0) {
    dbx_exec::die("fallocate collapse/insert range is not traced");
  }
  Guard guard;
  const uint64_t before = dbx_exec::size_of(fd);
  const int r = real().fallocate(fd, mode, offset, len);
  const int err = errno;
  if (r == 0) {
    const uint64_t after = dbx_exec::size_of(fd);
    if ((mode & (FALLOC_FL_PUNCH_HOLE | FALLOC_FL_ZERO_RANGE)) != 0) {
      // The range reads as zeros now: recorded as a write of zeros.
      const uint64_t from = static_cast<uint64_t>(offset);
      const uint64_t to = std::min(after, from + static_cast<uint64_t>(len));
      if (to > from) {
        dbx_exec::emit(handle_record(TraceOp::kWriteAt, info->handle, from,
                                     std::string(static_cast<size_t>(to - from), '\0')));
      }
    }
    record_growth(*info, before, after);
  }
  errno = err;
  return r;
}
DBX_EXPORT int fallocate64(int fd, int mode, off_t offset, off_t len) {
  return fallocate(fd, mode, offset, len);
}

DBX_EXPORT int posix_fallocate(int fd, off_t offset, off_t len) {
  const auto info = tracked_file(fd);
  if (!info) return real().posix_fallocate(fd, offset, len);
  Guard guard;
  const uint64_t before = dbx_exec::size_of(fd);
  const int r = real().posix_fallocate(fd, offset, len);  // An error number, not -1.
  if (r == 0) record_growth(*info, before, dbx_exec::size_of(fd));
  return r;
}
DBX_EXPORT int posix_fallocate64(int fd, off_t offset, off_t len) {
  return posix_fallocate(fd, offset, len);
}

DBX_EXPORT int close(int fd) {
  if (!dbx_exec::active()) return real().close(fd);
  // The library's own descriptors outlive a program that closes every fd.
  if (dbx_exec::is_internal_fd(fd)) return 0;
  dbx_exec::erase_fd(fd);
  return real().close(fd);
}

DBX_EXPORT int dup(int fd) {
  const int r = real().dup(fd);
  copy_fd(fd, r);
  return r;
}

DBX_EXPORT int dup2(int from, int to) {
  if (dbx_exec::active() && dbx_exec::is_internal_fd(to)) dbx_exec::relocate_internal_fd(to);
  const int r = real().dup2(from, to);
  if (r >= 0 && from != to) copy_fd(from, r);
  return r;
}

DBX_EXPORT int dup3(int from, int to, int flags) {
  if (dbx_exec::active() && dbx_exec::is_internal_fd(to)) dbx_exec::relocate_internal_fd(to);
  const int r = real().dup3(from, to, flags);
  if (r >= 0) copy_fd(from, r);
  return r;
}

DBX_EXPORT int fcntl(int fd, int cmd, ...) {
  va_list ap;
  va_start(ap, cmd);
  void* arg = va_arg(ap, void*);  // As glibc reads it: an int or a pointer.
  va_end(ap);
  const int r = real().fcntl(fd, cmd, arg);
  if (r >= 0 && (cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC)) copy_fd(fd, r);
  return r;
}
DBX_EXPORT int fcntl64(int fd, int cmd, ...) {
  va_list ap;
  va_start(ap, cmd);
  void* arg = va_arg(ap, void*);
  va_end(ap);
  return fcntl(fd, cmd, arg);
}

}  // extern "C"
