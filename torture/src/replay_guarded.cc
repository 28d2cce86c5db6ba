// Replaying a target_crashed / target_hung artifact: the recovery it names
// aborts or never returns, so it runs in a child process; its death by a
// signal, or its outliving the recovery limit, is the reproduction.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "replay_internal.h"
#include "torture/options.h"
#include "watchdog.h"

namespace torture {

using faultfs::ErrorCode;
using faultfs::Result;
using faultfs::Status;

namespace {

constexpr int kPollMs = 50;

// The child's exit codes.
constexpr int kChildPassed = 0;
constexpr int kChildStillFails = 1;
constexpr int kChildError = 2;

[[noreturn]] void replay_in_child(const Artifact& artifact, const targets::TargetInfo& target) {
  const SimSettings settings = settings_for(artifact, artifact.crash.policy);
  SimControl control;
  control.only = &artifact.crash;
  auto result = run_sim(target, artifact.workload, settings, control);
  if (!result.is_ok() || !result->only_result) ::_exit(kChildError);
  ::_exit(result->only_result->verdict.ok ? kChildPassed : kChildStillFails);
}

}  // namespace

bool is_target_failure(const std::string& kind) {
  return kind == kKindTargetCrashed || kind == kKindTargetHung;
}

Result<ReplayOutcome> replay_target_failure(const Artifact& artifact,
                                            const targets::TargetInfo& target) {
  if (artifact.mode != kModeSim) {
    return Status(ErrorCode::kInvalidArgument,
                  "a fork-mode " + artifact.kind +
                      " keeps no state to rebuild; rerun its campaign workload (index " +
                      std::to_string(artifact.workload_index) + ")");
  }
  std::fflush(nullptr);
  const pid_t pid = ::fork();
  if (pid < 0) return Status(ErrorCode::kIoError, std::string("fork: ") + std::strerror(errno));
  if (pid == 0) replay_in_child(artifact, target);
  const int64_t limit_ms = static_cast<int64_t>(watchdog::recovery_seconds_max()) * 1000;
  const int64_t started = watchdog::monotonic_ms();
  int status = 0;
  bool hung = false;
  for (;;) {
    const pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid) break;
    if (done < 0 && errno != EINTR) return Status(ErrorCode::kIoError, "waitpid failed");
    if (!hung && watchdog::monotonic_ms() - started > limit_ms) {
      hung = true;
      ::kill(pid, SIGKILL);
    }
    ::usleep(kPollMs * 1000);
  }
  ReplayOutcome out;
  out.context = describe_crash(artifact.crash);
  if (hung) {
    out.still_fails = true;
    out.kind = kKindTargetHung;
    out.verdict =
        "the recovery ran longer than " + std::to_string(watchdog::recovery_seconds_max()) + " s";
  } else if (WIFSIGNALED(status)) {
    out.still_fails = true;
    out.kind = kKindTargetCrashed;
    out.verdict = std::string("the recovery died of signal ") + std::to_string(WTERMSIG(status)) +
                  " (" + ::strsignal(WTERMSIG(status)) + ")";
  } else if (WIFEXITED(status) && WEXITSTATUS(status) == kChildError) {
    return Status(ErrorCode::kInvalidArgument,
                  "the recorded crash state (" + out.context + ") was never reached");
  } else {
    out.still_fails = WIFEXITED(status) && WEXITSTATUS(status) == kChildStillFails;
    out.kind = out.still_fails ? "violation" : "";
    out.verdict = out.still_fails ? "the recovery returns now, but the state it recovers is wrong"
                                  : "the recovery returns and the state is allowed";
  }
  return out;
}

}  // namespace torture
