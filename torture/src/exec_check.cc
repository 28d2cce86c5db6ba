// Method: the check runs through posix_spawn (safe from the driver's worker
// threads) as `/bin/sh -c COMMAND`, in a process group of its own so that a
// timeout kills whatever it started; its stdout and stderr go to one file,
// read back (bounded) for the report. It never sees the recorder: the
// preload and its variables are removed from its environment.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <thread>

#include "exec_internal.h"
#include "faultfs/status_macros.h"

extern char** environ;

namespace torture::exec {

using faultfs::ErrorCode;
using faultfs::Result;
using faultfs::Status;

namespace {

void replace_all(std::string& s, const std::string& from, const std::string& to) {
  for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) {
    s.replace(at, from.size(), to);
  }
}

std::vector<std::string> check_environment(const std::string& image_dir,
                                           const std::string& acks_file) {
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string_view v(*e);
    if (v.starts_with("LD_PRELOAD=") || v.starts_with("DBX_EXEC_") ||
        v.starts_with("DBX_ACK_FD=") || v.starts_with("DBX_ACKS_FILE=") ||
        v.starts_with("DBX_IMAGE_DIR=")) {
      continue;
    }
    env.emplace_back(v);
  }
  env.push_back("DBX_ACKS_FILE=" + acks_file);
  env.push_back("DBX_IMAGE_DIR=" + image_dir);
  return env;
}

std::string read_bounded(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::string out(kCheckOutputBytesMax, '\0');
  in.read(out.data(), static_cast<std::streamsize>(out.size()));
  out.resize(static_cast<size_t>(in.gcount()));
  return out;
}

Result<pid_t> spawn_shell(const std::string& script, const std::vector<std::string>& env,
                          const std::string& output_file) {
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  posix_spawn_file_actions_init(&actions);
  posix_spawnattr_init(&attr);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, output_file.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
  posix_spawnattr_setpgroup(&attr, 0);
  std::vector<char*> envp;
  for (const std::string& e : env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);
  const char* argv[] = {"sh", "-c", script.c_str(), nullptr};
  pid_t pid = -1;
  const int rc =
      ::posix_spawn(&pid, "/bin/sh", &actions, &attr, const_cast<char**>(argv), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) return faultfs::status_from_errno(rc, "spawn", "/bin/sh");
  return pid;
}

}  // namespace

std::string printable(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    const auto byte = static_cast<unsigned char>(c);
    if ((byte < 0x20 && c != '\n' && c != '\t') || byte >= 0x7f) c = '?';
  }
  return out;
}

std::string CheckOutcome::kind() const {
  if (passed) return "";
  return timed_out ? "check_timeout" : "check_failed";
}

std::string CheckOutcome::detail() const {
  std::string d = timed_out ? "the check ran past --check-timeout and was killed"
                            : "the check exited with status " + std::to_string(exit_code);
  if (!output.empty()) d += "; output: " + printable(output.substr(0, 2048));
  return d;
}

std::string expand_check(const std::string& command, const std::string& dir,
                         const std::string& acks_file) {
  std::string s = command;
  replace_all(s, "{dir}", dir);
  replace_all(s, "{acks}", acks_file);
  return s;
}

Result<CheckOutcome> run_check(const std::string& command, const std::string& image_dir,
                               const std::string& acks_file, const std::string& output_file,
                               double timeout_s) {
  ASSIGN_OR_RETURN(auto pid, spawn_shell(expand_check(command, image_dir, acks_file),
                                         check_environment(image_dir, acks_file), output_file));
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
  CheckOutcome out;
  int status = 0;
  auto pause = std::chrono::microseconds(100);
  while (true) {
    const pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) break;
    if (r < 0 && errno != EINTR) return faultfs::status_from_errno(errno, "waitpid", "check");
    if (std::chrono::steady_clock::now() > deadline) {
      out.timed_out = true;
      ::kill(-pid, SIGKILL);
      (void)::waitpid(pid, &status, 0);
      break;
    }
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::microseconds(5000));
  }
  // Whatever the check left running in its group goes with it.
  ::kill(-pid, SIGKILL);
  out.exit_code = WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
  out.passed = !out.timed_out && WIFEXITED(status) && WEXITSTATUS(status) == 0;
  out.output = read_bounded(output_file);
  return out;
}

}  // namespace torture::exec
