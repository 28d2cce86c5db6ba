// Running a piece of a test as an unprivileged user, whose permission checks
// the kernel enforces (root passes every EACCES check).
//
// run_unprivileged forks; the child drops to nobody (65534) when the test
// runs as root, runs `body` and exits with its result. The child's exit code
// is the answer: tests encode an outcome in it (outcome_of below).
#pragma once

#include <grp.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <exception>
#include <filesystem>
#include <functional>
#include <string>

#include "dbx/error.h"

namespace dbx::testing {

inline constexpr uid_t kNobodyUid = 65534;
inline constexpr gid_t kNobodyGid = 65534;

// Exit codes: 0 success, 1 an exception that is not a dbx::Error, 2 the
// body's own failure, kErrorExitBase + code for a dbx::Error.
inline constexpr int kErrorExitBase = 10;

inline int error_exit_code(ErrorCode code) { return kErrorExitBase + static_cast<int>(code); }

// Runs `body` (returns 0 on success) and turns a thrown dbx::Error into its
// exit code, so a child can report which error an open raised.
inline int outcome_of(const std::function<int()>& body) {
  try {
    return body();
  } catch (const Error& e) {
    return error_exit_code(e.code());
  } catch (const std::exception&) {
    return 1;
  }
}

// The exit code of `body` run in a child process as an unprivileged user;
// -1 when the child could not drop privileges or died.
inline int run_unprivileged(const std::function<int()>& body) {
  const pid_t child = ::fork();
  if (child < 0) return -1;
  if (child == 0) {
    if (::getuid() == 0) {
      if (::setgroups(0, nullptr) != 0 || ::setgid(kNobodyGid) != 0 || ::setuid(kNobodyUid) != 0) {
        std::_Exit(255);
      }
    }
    std::_Exit(outcome_of(body));
  }
  int status = 0;
  if (::waitpid(child, &status, 0) != child || !WIFEXITED(status)) return -1;
  return WEXITSTATUS(status) == 255 ? -1 : WEXITSTATUS(status);
}

// Gives every entry under `root` (and `root`) to the user the child runs as,
// so that only the permission a test removes is missing. A no-op unless root.
inline void give_to_unprivileged_user(const std::string& root) {
  if (::getuid() != 0) return;
  namespace fs = std::filesystem;
  if (::chown(root.c_str(), kNobodyUid, kNobodyGid) != 0) std::abort();
  for (const fs::directory_entry& e : fs::recursive_directory_iterator(root)) {
    if (::chown(e.path().c_str(), kNobodyUid, kNobodyGid) != 0) std::abort();
  }
}

}  // namespace dbx::testing
