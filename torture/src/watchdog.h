// A per-recovery watchdog for campaign workers: a target whose recovery
// never ends (a quadratic scan, a livelock) must end the campaign with a
// line naming the crash state, not hang CI until its own timeout.
//
// Process-wide and async-signal-safe: arm() installs a SIGALRM handler that
// writes the prepared line to the worker's pipe and _exits; each Scope
// prepares its line before arming the alarm. Without arm() (replay, shrink,
// tests) a Scope does nothing.
#pragma once

#include <string>

namespace torture::watchdog {

// A recovery taking longer than this fails the campaign (exit 2);
// $DBX_TORTURE_RECOVERY_TIMEOUT_S overrides it.
inline constexpr unsigned kRecoverySecondsMax = 120;

// Routes expiries to `fd` as one JSON line {"error": ...}; once per worker.
void arm(int fd);

class Scope {
 public:
  explicit Scope(const std::string& what);
  ~Scope();
  Scope(const Scope&) = delete;
  Scope& operator=(const Scope&) = delete;
};

}  // namespace torture::watchdog
