// The path-based interceptors: rename, link, unlink, rmdir, mkdir and
// truncate by name; vfork (made a fork, so that a vfork child's fd changes
// cannot reach its parent's fd table); and fopen, refused for writing inside
// the root because glibc's stdio writes through internal calls this library
// cannot see.
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "paths.h"
#include "state.h"

using dbx_exec::Guard;
using dbx_exec::real;
using faultfs::TraceOp;
using faultfs::TraceRecord;

namespace {

void emit_paths(TraceOp op, const std::string& path, const std::string& path2 = {}) {
  TraceRecord r;
  r.op = op;
  r.path = path;
  r.path2 = path2;
  dbx_exec::emit(std::move(r));
}

// Resolves both names, runs `call`, records `op` if both are in the root;
// one in and one out is a move across the root's edge, which the trace
// cannot express (a file appearing with untraced contents, or a subtree
// vanishing), so it aborts.
template <typename Call>
int traced_two_paths(TraceOp op, int fd1, const char* p1, int fd2, const char* p2, Call call) {
  if (!dbx_exec::active()) return call();
  Guard guard;
  const auto from = dbx_exec::resolve_entry(fd1, p1);
  const auto to = dbx_exec::resolve_entry(fd2, p2);
  const int r = call();
  const int err = errno;
  if (r == 0 && (from || to)) {
    if (!from || !to) {
      dbx_exec::die(std::string(trace_op_name(op)) +
                    " across the edge of the root is not traced: " + p1 + " -> " + p2);
    }
    emit_paths(op, *from, *to);
  }
  errno = err;
  return r;
}

template <typename Call>
int traced_one_path(TraceOp op, int dirfd, const char* path, Call call) {
  if (!dbx_exec::active()) return call();
  Guard guard;
  const auto rel = dbx_exec::resolve_entry(dirfd, path);
  const int r = call();
  const int err = errno;
  if (r == 0 && rel) emit_paths(op, *rel);
  errno = err;
  return r;
}

}  // namespace

extern "C" {

#define DBX_EXPORT __attribute__((visibility("default")))

DBX_EXPORT int renameat2(int fd1, const char* from, int fd2, const char* to, unsigned flags) {
  if (dbx_exec::active() && (flags & RENAME_EXCHANGE) != 0 &&
      (dbx_exec::resolve_entry(fd1, from) || dbx_exec::resolve_entry(fd2, to))) {
    dbx_exec::die("renameat2 RENAME_EXCHANGE inside the root is not traced");
  }
  return traced_two_paths(TraceOp::kRename, fd1, from, fd2, to,
                          [&] { return real().renameat2(fd1, from, fd2, to, flags); });
}
DBX_EXPORT int renameat(int fd1, const char* from, int fd2, const char* to) {
  return renameat2(fd1, from, fd2, to, 0);
}
DBX_EXPORT int rename(const char* from, const char* to) {
  return renameat2(AT_FDCWD, from, AT_FDCWD, to, 0);
}

DBX_EXPORT int linkat(int fd1, const char* from, int fd2, const char* to, int flags) {
  if (dbx_exec::active() && (flags & AT_EMPTY_PATH) != 0 && dbx_exec::resolve_entry(fd2, to)) {
    dbx_exec::die("linkat AT_EMPTY_PATH into the root is not traced");
  }
  return traced_two_paths(TraceOp::kLink, fd1, from, fd2, to,
                          [&] { return real().linkat(fd1, from, fd2, to, flags); });
}
DBX_EXPORT int link(const char* from, const char* to) {
  return linkat(AT_FDCWD, from, AT_FDCWD, to, 0);
}

DBX_EXPORT int unlinkat(int dirfd, const char* path, int flags) {
  const TraceOp op = (flags & AT_REMOVEDIR) != 0 ? TraceOp::kRmdir : TraceOp::kRemove;
  return traced_one_path(op, dirfd, path, [&] { return real().unlinkat(dirfd, path, flags); });
}
DBX_EXPORT int unlink(const char* path) { return unlinkat(AT_FDCWD, path, 0); }
DBX_EXPORT int rmdir(const char* path) { return unlinkat(AT_FDCWD, path, AT_REMOVEDIR); }

DBX_EXPORT int mkdirat(int dirfd, const char* path, mode_t mode) {
  return traced_one_path(TraceOp::kMkdir, dirfd, path,
                         [&] { return real().mkdirat(dirfd, path, mode); });
}
DBX_EXPORT int mkdir(const char* path, mode_t mode) { return mkdirat(AT_FDCWD, path, mode); }

DBX_EXPORT int truncate(const char* path, off_t size) {
  if (!dbx_exec::active()) return real().truncate(path, size);
  // truncate(2) follows a final symlink: the file is what open would find.
  const int fd = ::open(path, O_WRONLY);  // Traced: records the open.
  if (fd < 0) return -1;
  const int r = ::ftruncate(fd, size);  // Traced: records the truncate.
  const int err = errno;
  ::close(fd);
  errno = err;
  return r;
}
DBX_EXPORT int truncate64(const char* path, off_t size) { return truncate(path, size); }

DBX_EXPORT pid_t vfork() { return ::fork(); }

DBX_EXPORT FILE* fopen(const char* path, const char* mode) {
  if (dbx_exec::active() && dbx_exec::stdio_mode_writes(mode) &&
      dbx_exec::resolve_entry(AT_FDCWD, path)) {
    dbx_exec::die(std::string("fopen(\"") + path + "\", \"" + mode +
                  "\"): stdio writes inside the root are not traced (use open/write)");
  }
  return real().fopen(path, mode);
}
DBX_EXPORT FILE* fopen64(const char* path, const char* mode) { return fopen(path, mode); }

}  // extern "C"
