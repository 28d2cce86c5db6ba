// The preload library's process state: the real libc functions, the
// recording lock, the trace and acknowledgement writers and the fd table.
//
// Recording protocol (shared by every process of the traced program, since
// children inherit LD_PRELOAD and the environment):
//  - the trace (DBX_EXEC_TRACE) is appended with one write(2) per record on
//    an O_APPEND descriptor each process opens itself;
//  - a record's seq and every handle number come from a counter file
//    (DBX_EXEC_COUNTER, two u64) mapped shared by all processes;
//  - both are touched only under the recording lock: a process mutex (for
//    threads) plus flock(2) on the process's own trace descriptor (for
//    processes). A mutating call runs inside the lock and its record is
//    written before the lock is released, so trace order is real order;
//  - an acknowledgement line (a line written to an fd that is, or dups, the
//    DBX_ACK_FD file) is logged to DBX_EXEC_ACKS_LOG as "<records>\t<line>",
//    <records> being how many trace records precede it.
// A recording failure aborts the program: a trace with a hole would judge
// crash images the program never could have left.
#pragma once

#include <sys/types.h>
#include <sys/uio.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "faultfs/trace.h"

namespace dbx_exec {

// The next definitions of the intercepted names (libc's), resolved once.
struct RealCalls {
  int (*openat)(int, const char*, int, ...);
  ssize_t (*write)(int, const void*, size_t);
  ssize_t (*pwrite)(int, const void*, size_t, off_t);
  ssize_t (*writev)(int, const struct iovec*, int);
  int (*fsync)(int);
  int (*fdatasync)(int);
  int (*syncfs)(int);
  void (*sync)();
  int (*ftruncate)(int, off_t);
  int (*truncate)(const char*, off_t);
  int (*fallocate)(int, int, off_t, off_t);
  int (*posix_fallocate)(int, off_t, off_t);
  int (*close)(int);
  int (*dup)(int);
  int (*dup2)(int, int);
  int (*dup3)(int, int, int);
  int (*fcntl)(int, int, ...);
  int (*renameat2)(int, const char*, int, const char*, unsigned);
  int (*linkat)(int, const char*, int, const char*, int);
  int (*unlinkat)(int, const char*, int);
  int (*mkdirat)(int, const char*, mode_t);
  FILE* (*fopen)(const char*, const char*);
  FILE* (*freopen)(const char*, const char*, FILE*);
  FILE* (*fdopen)(int, const char*);
  ssize_t (*pwritev)(int, const struct iovec*, int, off_t);
  ssize_t (*pwritev2)(int, const struct iovec*, int, off_t, int);
  ssize_t (*copy_file_range)(int, off_t*, int, off_t*, size_t, unsigned);
  ssize_t (*sendfile)(int, int, off_t*, size_t);
};
const RealCalls& real();

// False until the constructor has read a complete recording environment,
// and always in a process started without DBX_EXEC_ROOT: then every
// interceptor is a plain pass-through.
bool active();

// Prints "dbx-exec: <why>" on stderr and aborts.
[[noreturn]] void die(const std::string& why);

// The recording lock (see above). Not reentrant; never held across fork.
class Guard {
 public:
  Guard();
  ~Guard();
  Guard(const Guard&) = delete;
  Guard& operator=(const Guard&) = delete;
};

// Both require a Guard. emit() assigns the record's seq and appends it.
void emit(faultfs::TraceRecord record);
uint64_t new_handle();

// A tracked descriptor. Untracked ones (outside the root, sockets, pipes,
// devices) are not in the table.
struct FdInfo {
  enum class Kind : uint8_t { kFile, kDir, kAck };
  Kind kind = Kind::kFile;
  uint64_t handle = 0;  // kFile: the trace's handle number.
};
std::optional<FdInfo> lookup(int fd);
void set_fd(int fd, const FdInfo& info);
void erase_fd(int fd);
// The library's own descriptors, which the program may not close or reuse.
bool is_internal_fd(int fd);
// Moves the library's descriptor `fd` elsewhere (dup2 is about to take it).
void relocate_internal_fd(int fd);

// Bytes written to an acknowledgement fd: complete lines are logged.
void note_ack_bytes(std::string_view bytes);

// Requires a Guard: records the descriptor `fd` the process just got
// (opened with `flags`, or inherited when `inherited`) if it names a
// regular file or directory inside the root.
void register_fd(int fd, int flags, bool inherited);

// Requires a Guard: records `n` bytes the kernel just wrote to the tracked
// file at `offset` (by a call whose bytes the process never held, such as
// copy_file_range), read back from the file.
void record_written_range(const FdInfo& info, int fd, uint64_t offset, uint64_t n);

// Whether an fopen-style mode string opens for writing ("w", "a", "+").
bool stdio_mode_writes(const char* mode);

// Whether `fd` lives on the file system that holds the root (syncfs).
bool on_root_fs(int fd);

}  // namespace dbx_exec
