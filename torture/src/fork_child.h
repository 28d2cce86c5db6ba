// The child process of one fork-mode kill cycle.
#pragma once

#include <cstdint>
#include <string>

#include "oracle/target.h"
#include "oracle/types.h"
#include "torture/workload.h"

namespace torture::detail {

// What the child sends over its pipe, one u64 at a time: the sequence number
// of each acknowledged write (>= 1), or one of these markers.
inline constexpr uint64_t kMarkerDone = 0;                    // Workload over, closed.
inline constexpr uint64_t kMarkerFault = ~uint64_t{0};        // An op failed, a fault fired.
inline constexpr uint64_t kMarkerUnexpected = ~uint64_t{1};   // An op failed, no fault.
inline constexpr uint64_t kMarkerSetupFailed = ~uint64_t{2};  // History/trace/open failed.
inline constexpr uint64_t kMarkerFaultFired = ~uint64_t{3};   // An injected fault fired.

struct ForkPlan {
  const Workload* workload = nullptr;
  oracle::Durability durability = oracle::Durability::kLazy;
  uint32_t threads = 1;
  std::string db_path;  // Absolute.
  std::string trace_path;
  std::string history_path;
  std::string kill_point;  // A libfiu point that SIGKILLs the child; empty for none.
};

// Runs the workload through Recorder(posix) with the step's faults armed,
// logs it in the history (pending committed before each write is issued,
// each ack committed before it is sent), and exits. Never returns: the
// parent or a kill point usually ends it first.
[[noreturn]] void run_fork_child(const oracle::TargetInfo& target, const ForkPlan& plan,
                                 int ack_fd);

}  // namespace torture::detail
