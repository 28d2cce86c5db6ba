// The child process of one fork-mode kill cycle.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "targets/target.h"
#include "targets/types.h"
#include "torture/workload.h"

namespace torture::detail {

// What the child sends over its pipe: fixed-size messages, each written in
// one write() (atomic on a pipe). `seq` is the history's number of an
// acknowledged write (>= 1), with the target's sequence number and the
// acknowledgement's time (CLOCK_MONOTONIC, shared with the parent), or one of
// these markers.
inline constexpr uint64_t kMarkerDone = 0;                    // Workload over, closed.
inline constexpr uint64_t kMarkerFault = ~uint64_t{0};        // An op failed, a fault fired.
inline constexpr uint64_t kMarkerUnexpected = ~uint64_t{1};   // An op failed, no fault.
inline constexpr uint64_t kMarkerSetupFailed = ~uint64_t{2};  // History/trace/open failed.
inline constexpr uint64_t kMarkerFaultFired = ~uint64_t{3};   // An injected fault fired.

struct AckMessage {
  uint64_t seq = 0;
  uint64_t engine_seq = 0;
  int64_t acked_ns = 0;
};

// The clock both processes read (steady_clock is CLOCK_MONOTONIC).
int64_t monotonic_ns();

// Lazy's slack in fork mode: how late the target's background sync may run
// past its interval on a loaded machine before a write it should have synced
// counts as lost. Measured on the 2-core test machine with a load average of
// 19: a thread sleeping 5 ms woke up to 63 ms late (p50 11 ms, p99.9 60 ms,
// 30 s); the slack is 8 times that worst case.
inline constexpr int64_t kForkLazySlackNs = 500'000'000;

// The target's tuning in fork mode for `workload`: what it drew (the sync
// and flush intervals in real milliseconds), its own background threads,
// and a delta threshold of at most 16 KiB.
targets::TargetTuning fork_tuning(const Workload& workload);
// A wait step's real duration: the workload's virtual milliseconds /
// kWaitScale, so drawn waits (at most 100 ms) do not sleep at all and only
// run the target's due background work: on a loaded machine a 1 ms sleep
// lasts about 11, and a kill cycle must stay short. Fork mode's time bound
// bites in runs longer than its slack anyway.
inline constexpr uint32_t kWaitScale = 1000;
std::chrono::milliseconds wait_scaled(uint32_t wait_ms);

struct ForkPlan {
  const Workload* workload = nullptr;
  targets::Durability durability = targets::Durability::kLazy;
  uint32_t threads = 1;
  std::string db_path;  // Absolute.
  std::string trace_path;
  std::string issued_log_path;  // IssuedLogWriter (fork_issued_log.h).
  std::string kill_point;  // A libfiu point that SIGKILLs the child; empty for none.
};

// Runs the workload through Recorder(posix) with the step's faults armed,
// `threads` writers taking the steps in turn and calling the target
// concurrently; logs it in the issued log (each pending write logged before
// it is issued; each ack logged, with the target's sequence number and its
// time, before it is sent), and exits. Never returns: the
// parent or a kill point usually ends it first.
[[noreturn]] void run_fork_child(const targets::TargetInfo& target, const ForkPlan& plan,
                                 int ack_fd);

}  // namespace torture::detail
