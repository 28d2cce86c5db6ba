// Writes whose bytes are not in one caller buffer: pwritev/pwritev2 (gathered
// like writev), copy_file_range and sendfile (the kernel copies; the bytes are
// read back from the file, inside the lock, right after the call). And the
// stdio entry points that would write a tracked file through glibc's internal
// calls (fdopen, freopen for writing), refused like fopen.
#include <fcntl.h>
#include <stdio.h>
#include <sys/sendfile.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "paths.h"
#include "state.h"

using dbx_exec::FdInfo;
using dbx_exec::Guard;
using dbx_exec::real;

namespace dbx_exec {

void record_written_range(const FdInfo& info, int fd, uint64_t offset, uint64_t n) {
  if (n == 0) return;
  // A fresh read-only description: `fd` may be write-only, and its offset
  // must not move.
  const std::string self = "/proc/self/fd/" + std::to_string(fd);
  const int in = real().openat(AT_FDCWD, self.c_str(), O_RDONLY | O_CLOEXEC, 0);
  if (in < 0) die("cannot read back a copied range: " + std::string(std::strerror(errno)));
  std::string data(n, '\0');
  for (uint64_t done = 0; done < n;) {
    const ssize_t got =
        ::pread(in, data.data() + done, n - done, static_cast<off_t>(offset + done));
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) die("short read back of a copied range");
    done += static_cast<uint64_t>(got);
  }
  real().close(in);
  faultfs::TraceRecord r;
  r.op = faultfs::TraceOp::kWriteAt;
  r.handle = info.handle;
  r.offset = offset;
  r.data = std::move(data);
  emit(std::move(r));
}

}  // namespace dbx_exec

namespace {

std::optional<FdInfo> tracked_file(int fd) {
  if (!dbx_exec::active()) return std::nullopt;
  auto info = dbx_exec::lookup(fd);
  if (info && info->kind == FdInfo::Kind::kFile) return info;
  return std::nullopt;
}

// Where `r` bytes just written at the descriptor's own position went.
uint64_t start_before_position(int fd, ssize_t r) {
  return static_cast<uint64_t>(::lseek(fd, 0, SEEK_CUR) - r);
}

}  // namespace

extern "C" {

#define DBX_EXPORT __attribute__((visibility("default")))

DBX_EXPORT ssize_t pwritev2(int fd, const struct iovec* iov, int count, off_t offset, int flags) {
  const auto info = tracked_file(fd);
  if (!info) return real().pwritev2(fd, iov, count, offset, flags);
  Guard guard;
  const ssize_t r = real().pwritev2(fd, iov, count, offset, flags);
  const int err = errno;
  if (r > 0) {
    // Offset -1 writes at the position; O_APPEND or RWF_APPEND at the end.
    const bool at_end = (real().fcntl(fd, F_GETFL) & O_APPEND) != 0 || (flags & RWF_APPEND) != 0;
    uint64_t at = static_cast<uint64_t>(offset);
    if (offset == -1) at = start_before_position(fd, r);
    if (at_end) at = static_cast<uint64_t>(::lseek(fd, 0, SEEK_END) - r);
    dbx_exec::record_written_range(*info, fd, at, static_cast<uint64_t>(r));
  }
  errno = err;
  return r;
}
DBX_EXPORT ssize_t pwritev64v2(int fd, const struct iovec* iov, int count, off_t offset,
                               int flags) {
  return pwritev2(fd, iov, count, offset, flags);
}
DBX_EXPORT ssize_t pwritev(int fd, const struct iovec* iov, int count, off_t offset) {
  return pwritev2(fd, iov, count, offset, 0);
}
DBX_EXPORT ssize_t pwritev64(int fd, const struct iovec* iov, int count, off_t offset) {
  return pwritev2(fd, iov, count, offset, 0);
}

DBX_EXPORT ssize_t copy_file_range(int in, off_t* in_off, int out, off_t* out_off, size_t n,
                                   unsigned flags) {
  const auto info = tracked_file(out);
  if (!info) return real().copy_file_range(in, in_off, out, out_off, n, flags);
  Guard guard;
  const off_t given = out_off != nullptr ? *out_off : 0;
  const ssize_t r = real().copy_file_range(in, in_off, out, out_off, n, flags);
  const int err = errno;
  if (r > 0) {
    const uint64_t at =
        out_off != nullptr ? static_cast<uint64_t>(given) : start_before_position(out, r);
    dbx_exec::record_written_range(*info, out, at, static_cast<uint64_t>(r));
  }
  errno = err;
  return r;
}

DBX_EXPORT ssize_t sendfile(int out, int in, off_t* in_off, size_t n) {
  const auto info = tracked_file(out);
  if (!info) return real().sendfile(out, in, in_off, n);
  Guard guard;
  const ssize_t r = real().sendfile(out, in, in_off, n);
  const int err = errno;
  if (r > 0) {
    dbx_exec::record_written_range(*info, out, start_before_position(out, r),
                                   static_cast<uint64_t>(r));
  }
  errno = err;
  return r;
}
DBX_EXPORT ssize_t sendfile64(int out, int in, off_t* in_off, size_t n) {
  return sendfile(out, in, in_off, n);
}

DBX_EXPORT FILE* fdopen(int fd, const char* mode) {
  if (dbx_exec::stdio_mode_writes(mode) && tracked_file(fd)) {
    dbx_exec::die("fdopen(" + std::to_string(fd) + ", \"" + mode +
                  "\"): stdio writes inside the root are not traced (use write)");
  }
  return real().fdopen(fd, mode);
}

DBX_EXPORT FILE* freopen(const char* path, const char* mode, FILE* stream) {
  if (dbx_exec::active() && dbx_exec::stdio_mode_writes(mode) && path != nullptr &&
      dbx_exec::resolve_entry(AT_FDCWD, path)) {
    dbx_exec::die(std::string("freopen(\"") + path + "\", \"" + mode +
                  "\"): stdio writes inside the root are not traced (use open/write)");
  }
  return real().freopen(path, mode, stream);
}
DBX_EXPORT FILE* freopen64(const char* path, const char* mode, FILE* stream) {
  return freopen(path, mode, stream);
}

}  // extern "C"
