// Method: the program runs as a child of the driver, in an empty recording
// root under a fresh temporary folder, with the preload library and the
// recording environment (targets/exec/preload/state.h). The trace header and
// the zeroed counter file exist before the program starts; the
// acknowledgement descriptor is a file the driver never reads (the
// preload's acks.log is what counts), so a writer never blocks on it.
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <thread>

#include "exec_internal.h"
#include "faultfs/assert.h"
#include "faultfs/status_macros.h"

namespace torture::exec {

using faultfs::ErrorCode;
using faultfs::Result;
using faultfs::Status;
namespace fs = std::filesystem;

namespace {

constexpr const char* kPreloadName = "libdbx_exec_preload.so";

Result<std::string> preload_path() {
  if (const char* env = std::getenv("DBX_EXEC_PRELOAD")) return std::string(env);
  std::error_code ec;
  const fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (ec) return Status(ErrorCode::kIoError, "cannot find this executable: " + ec.message());
  for (const fs::path& candidate : {self.parent_path() / kPreloadName,
                                    self.parent_path().parent_path() / "lib" / kPreloadName}) {
    if (fs::exists(candidate, ec)) return candidate.string();
  }
  return Status(ErrorCode::kNotFound, std::string(kPreloadName) + " not found beside " +
                                          self.string() + " (set DBX_EXEC_PRELOAD)");
}

Status write_new_file(const std::string& path, const std::string& bytes) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return faultfs::status_from_errno(errno, "create", path);
  const ssize_t n = ::write(fd, bytes.data(), bytes.size());
  const int err = errno;
  ::close(fd);
  if (n != static_cast<ssize_t>(bytes.size()))
    return faultfs::status_from_errno(err, "write", path);
  return Status::ok();
}

Result<std::string> make_work_dir() {
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern =
      std::string(tmp != nullptr && tmp[0] != '\0' ? tmp : "/tmp") + "/dbx-exec-XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr) {
    return faultfs::status_from_errno(errno, "mkdtemp", pattern);
  }
  // Canonical, so that the root the preload compares against is the kernel's name.
  std::error_code ec;
  const fs::path canon = fs::canonical(pattern, ec);
  if (ec) return Status(ErrorCode::kIoError, "cannot resolve " + pattern + ": " + ec.message());
  return canon.string();
}

// In the forked child: become the program, or exit 127.
// `program` is PROGRAM made absolute when it names a path: the child runs
// in the root, not in the driver's folder.
[[noreturn]] void exec_child(const ExecOptions& o, const Recording& r, const std::string& preload,
                             const std::string& program, int ack_fd, const std::string& ack_id) {
  if (ack_fd != kExecAckFd) {
    if (::dup2(ack_fd, kExecAckFd) < 0) ::_exit(127);
    ::close(ack_fd);
  }
  const std::string root = r.work_dir + "/root";
  if (::chdir(root.c_str()) != 0) ::_exit(127);
  const char* old = std::getenv("LD_PRELOAD");
  const std::string ld = old != nullptr && old[0] != '\0' ? preload + ":" + old : preload;
  ::setenv("LD_PRELOAD", ld.c_str(), 1);
  ::setenv("DBX_EXEC_ROOT", root.c_str(), 1);
  ::setenv("DBX_EXEC_TRACE", r.trace_path.c_str(), 1);
  ::setenv("DBX_EXEC_ACKS_LOG", r.acks_path.c_str(), 1);
  ::setenv("DBX_EXEC_COUNTER", (r.work_dir + "/counter").c_str(), 1);
  ::setenv("DBX_EXEC_ACK_ID", ack_id.c_str(), 1);
  ::setenv("DBX_ACK_FD", std::to_string(kExecAckFd).c_str(), 1);
  std::vector<char*> argv;
  for (const std::string& a : o.program) argv.push_back(const_cast<char*>(a.c_str()));
  argv[0] = const_cast<char*>(program.c_str());
  argv.push_back(nullptr);
  ::execvp(program.c_str(), argv.data());
  const std::string msg =
      "dbx-torture exec: cannot run " + o.program[0] + ": " + std::strerror(errno) + "\n";
  (void)!::write(STDERR_FILENO, msg.data(), msg.size());
  ::_exit(127);
}

// Waits for the program; kills its process group at the timeout.
Result<int> wait_program(pid_t pid, double timeout_s, const std::string& name) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
  int status = 0;
  while (true) {
    const pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) break;
    if (r < 0 && errno != EINTR) return faultfs::status_from_errno(errno, "waitpid", name);
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(-pid, SIGKILL);
      (void)::waitpid(pid, &status, 0);
      return Status(ErrorCode::kInvalidArgument,
                    name + " ran longer than --program-timeout; killed");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return WEXITSTATUS(status);
}

Status prepare(Recording* r) {
  RETURN_IF_ERROR(write_new_file(r->trace_path, faultfs::encode_trace_header()));
  RETURN_IF_ERROR(write_new_file(r->acks_path, ""));
  RETURN_IF_ERROR(write_new_file(r->work_dir + "/counter", std::string(16, '\0')));
  std::error_code ec;
  fs::create_directory(r->work_dir + "/root", ec);
  if (ec) return Status(ErrorCode::kIoError, "cannot create the recording root: " + ec.message());
  return Status::ok();
}

}  // namespace

Result<Recording> record_program(const ExecOptions& o, std::ostream& err) {
  DBX_ASSERT(!o.program.empty());
  ASSIGN_OR_RETURN(auto preload, preload_path());
  Recording r;
  ASSIGN_OR_RETURN(auto work, make_work_dir());
  r.work_dir = work;
  r.trace_path = work + "/trace";
  r.acks_path = work + "/acks.log";
  RETURN_IF_ERROR(prepare(&r));
  const std::string sink = work + "/acks.out";
  const int ack_fd = ::open(sink.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  if (ack_fd < 0) return faultfs::status_from_errno(errno, "create", sink);
  struct stat sb {};
  (void)::fstat(ack_fd, &sb);
  const std::string ack_id = std::to_string(sb.st_dev) + ":" + std::to_string(sb.st_ino);
  std::string program = o.program[0];
  if (program.find('/') != std::string::npos) program = fs::absolute(program).string();
  err << std::flush;
  const pid_t pid = ::fork();
  if (pid < 0) return faultfs::status_from_errno(errno, "fork", o.program[0]);
  if (pid == 0) {
    ::setpgid(0, 0);
    exec_child(o, r, preload, program, ack_fd, ack_id);
  }
  ::setpgid(pid, pid);
  ::close(ack_fd);
  auto code = wait_program(pid, o.program_timeout_s, o.program[0]);
  if (!code.is_ok() || code.value() != 0) {
    std::error_code ec;
    fs::remove_all(work, ec);
    if (!code.is_ok()) return code.status();
    return Status(ErrorCode::kInvalidArgument, o.program[0] + " exited with status " +
                                                   std::to_string(code.value()) +
                                                   " (its output is above)");
  }
  ASSIGN_OR_RETURN(auto trace, faultfs::read_trace(r.trace_path));
  r.trace = std::move(trace);
  ASSIGN_OR_RETURN(auto acks, read_acks(r.acks_path));
  r.acks = std::move(acks);
  return r;
}

}  // namespace torture::exec
