// Method: see state.h. The constructor reads the recording environment once
// per process image; fork children reopen the trace so that their flock is
// their own (a lock on an inherited descriptor would be shared with the
// parent and exclude nothing); an exec'd image finds its inherited
// descriptors again by scanning /proc/self/fd.
#include "state.h"

#include <dirent.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <pthread.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>

#include "paths.h"

namespace dbx_exec {
namespace {

// Where the library's own descriptors go: far above what programs use.
constexpr int kInternalFdFloor = 700;

struct Shared {  // The counter file, mapped MAP_SHARED by every process.
  uint64_t records;
  uint64_t handles;
};

struct State {
  bool active = false;
  std::string trace_path;
  std::string acks_path;
  int trace_fd = -1;
  int acks_fd = -1;
  Shared* shared = nullptr;
  dev_t ack_dev = 0;
  ino_t ack_ino = 0;
  bool has_ack = false;
  dev_t root_dev = 0;
  std::mutex io_mu;     // The process half of the recording lock.
  std::mutex table_mu;  // Guards fds and ack_partial; taken after io_mu, never before.
  std::map<int, FdInfo> fds;
  std::string ack_partial;
};

State& st() {
  static State* s = new State;  // Never destroyed: interceptors run during exit.
  return *s;
}

template <typename F>
F next(const char* name) {
  void* f = ::dlsym(RTLD_NEXT, name);
  if (f == nullptr) die(std::string("no libc definition of ") + name);
  return reinterpret_cast<F>(f);
}

void write_all(int fd, std::string_view bytes, const char* what) {
  while (!bytes.empty()) {
    const ssize_t n = real().write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) die(std::string("cannot write the ") + what + ": " + std::strerror(errno));
    bytes.remove_prefix(static_cast<size_t>(n));
  }
}

int open_internal(const std::string& path, int flags) {
  const int fd = real().openat(AT_FDCWD, path.c_str(), flags | O_CLOEXEC, 0644);
  if (fd < 0) die("cannot open " + path + ": " + std::strerror(errno));
  const int high = real().fcntl(fd, F_DUPFD_CLOEXEC, kInternalFdFloor);
  if (high < 0) die("cannot move the descriptor of " + path + ": " + std::strerror(errno));
  real().close(fd);
  return high;
}

void open_logs() {
  State& s = st();
  s.trace_fd = open_internal(s.trace_path, O_WRONLY | O_APPEND);
  s.acks_fd = open_internal(s.acks_path, O_WRONLY | O_APPEND);
}

void atfork_prepare() {
  st().io_mu.lock();
  st().table_mu.lock();
}
void atfork_parent() {
  st().table_mu.unlock();
  st().io_mu.unlock();
}
void atfork_child() {
  State& s = st();
  real().close(s.trace_fd);
  real().close(s.acks_fd);
  open_logs();
  s.table_mu.unlock();
  s.io_mu.unlock();
}

const char* need_env(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr || v[0] == '\0')
    die(std::string("DBX_EXEC_ROOT is set but ") + name + " is not");
  return v;
}

void map_counter(const char* path) {
  const int fd = open_internal(path, O_RDWR);
  void* p = ::mmap(nullptr, sizeof(Shared), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (p == MAP_FAILED) die(std::string("cannot map ") + path + ": " + std::strerror(errno));
  real().close(fd);
  st().shared = static_cast<Shared*>(p);
}

void scan_inherited_fds() {
  DIR* dir = ::opendir("/proc/self/fd");
  if (dir == nullptr) die("cannot list /proc/self/fd (is /proc mounted?)");
  const int own = ::dirfd(dir);
  while (const dirent* e = ::readdir(dir)) {
    const int fd = std::atoi(e->d_name);
    if (e->d_name[0] == '.' || fd == own || is_internal_fd(fd)) continue;
    struct stat sb {};
    if (::fstat(fd, &sb) != 0) continue;
    if (st().has_ack && sb.st_dev == st().ack_dev && sb.st_ino == st().ack_ino) {
      set_fd(fd, FdInfo{FdInfo::Kind::kAck, 0});
      continue;
    }
    const int flags = real().fcntl(fd, F_GETFL);
    Guard guard;
    register_fd(fd, flags < 0 ? O_RDONLY : flags, /*inherited=*/true);
  }
  ::closedir(dir);
}

__attribute__((constructor)) void init() {
  const char* root_env = std::getenv("DBX_EXEC_ROOT");
  if (root_env == nullptr || root_env[0] == '\0') return;
  State& s = st();
  if (!set_root(root_env)) die(std::string("DBX_EXEC_ROOT is not a directory: ") + root_env);
  s.trace_path = need_env("DBX_EXEC_TRACE");
  s.acks_path = need_env("DBX_EXEC_ACKS_LOG");
  map_counter(need_env("DBX_EXEC_COUNTER"));
  if (const char* id = std::getenv("DBX_EXEC_ACK_ID")) {
    unsigned long long dev = 0, ino = 0;
    if (std::sscanf(id, "%llu:%llu", &dev, &ino) != 2) die("bad DBX_EXEC_ACK_ID");
    s.ack_dev = static_cast<dev_t>(dev);
    s.ack_ino = static_cast<ino_t>(ino);
    s.has_ack = true;
  }
  struct stat rs {};
  if (::stat(root().c_str(), &rs) != 0) die("cannot stat the root");
  s.root_dev = rs.st_dev;
  open_logs();
  if (::pthread_atfork(atfork_prepare, atfork_parent, atfork_child) != 0) die("pthread_atfork");
  s.active = true;
  scan_inherited_fds();
}

}  // namespace

const RealCalls& real() {
  static const RealCalls calls = {
      next<decltype(RealCalls::openat)>("openat"),
      next<decltype(RealCalls::write)>("write"),
      next<decltype(RealCalls::pwrite)>("pwrite"),
      next<decltype(RealCalls::writev)>("writev"),
      next<decltype(RealCalls::fsync)>("fsync"),
      next<decltype(RealCalls::fdatasync)>("fdatasync"),
      next<decltype(RealCalls::syncfs)>("syncfs"),
      next<decltype(RealCalls::sync)>("sync"),
      next<decltype(RealCalls::ftruncate)>("ftruncate"),
      next<decltype(RealCalls::truncate)>("truncate"),
      next<decltype(RealCalls::fallocate)>("fallocate"),
      next<decltype(RealCalls::posix_fallocate)>("posix_fallocate"),
      next<decltype(RealCalls::close)>("close"),
      next<decltype(RealCalls::dup)>("dup"),
      next<decltype(RealCalls::dup2)>("dup2"),
      next<decltype(RealCalls::dup3)>("dup3"),
      next<decltype(RealCalls::fcntl)>("fcntl"),
      next<decltype(RealCalls::renameat2)>("renameat2"),
      next<decltype(RealCalls::linkat)>("linkat"),
      next<decltype(RealCalls::unlinkat)>("unlinkat"),
      next<decltype(RealCalls::mkdirat)>("mkdirat"),
      next<decltype(RealCalls::fopen)>("fopen"),
      next<decltype(RealCalls::freopen)>("freopen"),
      next<decltype(RealCalls::fdopen)>("fdopen"),
      next<decltype(RealCalls::pwritev)>("pwritev"),
      next<decltype(RealCalls::pwritev2)>("pwritev2"),
      next<decltype(RealCalls::copy_file_range)>("copy_file_range"),
      next<decltype(RealCalls::sendfile)>("sendfile"),
  };
  return calls;
}

bool active() { return st().active; }

void die(const std::string& why) {
  const std::string line = "dbx-exec: " + why + " (recording aborted)\n";
  // A raw syscall: die() may run before real() resolves, or inside it.
  (void)!::syscall(SYS_write, STDERR_FILENO, line.data(), line.size());
  std::abort();
}

Guard::Guard() {
  st().io_mu.lock();
  while (::flock(st().trace_fd, LOCK_EX) != 0) {
    if (errno != EINTR) die(std::string("flock on the trace: ") + std::strerror(errno));
  }
}

Guard::~Guard() {
  if (::flock(st().trace_fd, LOCK_UN) != 0) die("cannot unlock the trace");
  st().io_mu.unlock();
}

void emit(faultfs::TraceRecord record) {
  State& s = st();
  record.seq = s.shared->records + 1;
  const std::string bytes = faultfs::encode_trace_record(record);
  write_all(s.trace_fd, bytes, "trace");
  s.shared->records = record.seq;  // Only once the record is whole in the file.
}

uint64_t new_handle() { return ++st().shared->handles; }

std::optional<FdInfo> lookup(int fd) {
  State& s = st();
  std::lock_guard lock(s.table_mu);
  const auto it = s.fds.find(fd);
  if (it == s.fds.end()) return std::nullopt;
  return it->second;
}

void set_fd(int fd, const FdInfo& info) {
  std::lock_guard lock(st().table_mu);
  st().fds[fd] = info;
}

void erase_fd(int fd) {
  std::lock_guard lock(st().table_mu);
  st().fds.erase(fd);
}

bool is_internal_fd(int fd) { return fd >= 0 && (fd == st().trace_fd || fd == st().acks_fd); }

void relocate_internal_fd(int fd) {
  State& s = st();
  int* slot = fd == s.trace_fd ? &s.trace_fd : &s.acks_fd;
  // The description (and any flock on it) moves with the new number.
  const int moved = real().fcntl(fd, F_DUPFD_CLOEXEC, kInternalFdFloor);
  if (moved < 0) die("cannot move an internal descriptor out of dup2's way");
  *slot = moved;
}

void note_ack_bytes(std::string_view bytes) {
  std::string lines;
  {
    State& s = st();
    std::lock_guard lock(s.table_mu);
    s.ack_partial.append(bytes);
    const size_t end = s.ack_partial.rfind('\n');
    if (end == std::string::npos) return;
    lines = s.ack_partial.substr(0, end + 1);
    s.ack_partial.erase(0, end + 1);
  }
  Guard guard;
  std::string out;
  size_t at = 0;
  while (at < lines.size()) {
    const size_t nl = lines.find('\n', at);
    out += std::to_string(st().shared->records) + "\t" + lines.substr(at, nl - at) + "\n";
    at = nl + 1;
  }
  write_all(st().acks_fd, out, "acknowledgement log");
}

bool stdio_mode_writes(const char* mode) {
  return mode != nullptr &&
         (std::strchr(mode, 'w') != nullptr || std::strchr(mode, 'a') != nullptr ||
          std::strchr(mode, '+') != nullptr);
}

bool on_root_fs(int fd) {
  struct stat sb {};
  return ::fstat(fd, &sb) == 0 && sb.st_dev == st().root_dev;
}

}  // namespace dbx_exec
