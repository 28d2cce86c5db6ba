// The fork mode: a child process runs the workload on the real file system
// through the faultfs Recorder and reports acknowledgements over a pipe; the
// parent SIGKILLs it (at a random acknowledgement, or the child dies at a
// named engine kill point) and judges (a) the directory as left, under the
// process-crash contract, and (b) power-loss images of the recorded trace.
#pragma once

#include <cstdint>
#include <functional>

#include "faultfs/status.h"
#include "targets/target.h"
#include "torture/campaign.h"
#include "torture/options.h"
#include "torture/workload.h"

namespace torture {

// The child's own log, in the order it issued writes, as the child wrote it
// (a file of records, fork_issued_log.h) and as a History the parent made of
// it (an artifact keeps the latter beside history.db, the same log in commit
// order that was judged).
inline constexpr const char* kIssuedLogFile = "issued.log";
inline constexpr const char* kIssuedHistoryFile = "issued.db";
// A fork-mode finding with no crash state: a write acknowledged before
// another was issued has the higher target sequence number.
inline constexpr const char* kPolicyOrder = "order";
inline constexpr const char* kKindRealTimeOrder = "real_time_order";

// Where fork mode puts its databases: $DBX_TORTURE_WORKDIR, else /dev/shm
// when it exists (no real fsync cost), else the system temp directory.
std::string fork_work_root();

// What one kill cycle runs: the workload, its durability, and the ordinal
// that picks its kill (even: the target's kill points in turn; odd: a drawn
// acknowledgement). The writer threads come from options.threads as in a
// campaign (above 1: that many; else drawn from the workload's seed).
struct ForkCycleSpec {
  const Workload* workload = nullptr;
  targets::Durability durability = targets::Durability::kLazy;
  uint64_t fork_ordinal = 0;
};

// Campaign workload `index` in fork mode: one kill cycle, judged; an artifact
// per finding under options.report_dir.
[[nodiscard]] faultfs::Result<WorkloadReport> execute_fork(
    const CampaignOptions& options, const targets::TargetInfo& target, uint64_t index,
    const std::function<bool()>& should_stop);

// One kill cycle of a given workload (shrink's candidates run these), named
// `index` in its artifacts.
[[nodiscard]] faultfs::Result<WorkloadReport> execute_fork_cycle(
    const CampaignOptions& options, const targets::TargetInfo& target, uint64_t index,
    const ForkCycleSpec& spec, const std::function<bool()>& should_stop);

}  // namespace torture
