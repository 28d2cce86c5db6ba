// Runs `work` in a forked child that then dies by SIGKILL: a real process
// crash with no flush, no close and no destructor.
#pragma once

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <exception>
#include <functional>

#include <gtest/gtest.h>

namespace dbx::testing {

inline void run_and_kill(const std::function<void()>& work) {
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    try {
      work();
    } catch (const std::exception&) {
      std::_Exit(2);
    }
    ::raise(SIGKILL);
    std::_Exit(3);  // Unreachable: SIGKILL cannot be caught.
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status)) << "child exited with " << WEXITSTATUS(status);
  ASSERT_EQ(WTERMSIG(status), SIGKILL);
}

}  // namespace dbx::testing
