// Judging what a killed fork-mode child left: shared by the campaign (which
// judges every cycle) and replay (which judges an artifact's saved copy).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "faultfs/crash.h"
#include "faultfs/sim_fs.h"
#include "faultfs/status.h"
#include "oracle/concurrent_isolation.h"
#include "oracle/history.h"
#include "targets/target.h"
#include "torture/campaign.h"
#include "torture/judge.h"
#include "torture/workload.h"

namespace torture::detail {

// The files of one kill cycle, under its work directory.
struct ForkCycle {
  std::string work;
  std::string db_path;
  std::string trace_path;
  std::string history_path;
  uint32_t threads = 1;  // The child's writer threads.
};

// What judge_fork_cycle() judges: one kill cycle of one campaign workload.
// The members refer to the caller's objects, which outlive the call.
struct ForkJudging {
  const CampaignOptions& options;
  const targets::TargetInfo& target;
  uint64_t index;  // The workload's index in the campaign.
  const Workload& workload;
  targets::Durability durability;
  const ForkCycle& cycle;
  const std::string& kill;  // How the child died: "kill point NAME", or a timed kill.
  uint64_t marker;          // The child's end marker; kMarkerUnexpected: an operation failed.
  // The threads' transactions, judged once per cycle (every arrangement of
  // the in-flight writes shares them); empty for a target without them.
  const oracle::ConcurrentIsolation& transactions;
  const std::function<bool()>& should_stop;
};

// Judges what the child left: (a) the directory as left, under the
// process-kill bounds (on a copy, so the original stays evidence), then (b)
// power-loss images of the trace's end under every policy, against
// `history`: the cycle's log in commit order, open on cycle.history_path
// (handed over still open, so that it is not read back from disk once more
// per cycle). Findings become artifacts holding the evidence. `report`
// arrives with its identity set.
[[nodiscard]] faultfs::Result<WorkloadReport> judge_fork_cycle(
    const ForkJudging& judging, std::unique_ptr<oracle::History> history, WorkloadReport report);

// Creates a fresh, empty, unique directory under fork_work_root().
[[nodiscard]] faultfs::Result<std::string> make_work_dir(const std::string& tag);
// Removes a work directory; failing to is not worth failing a run over, but
// it is reported on stderr so that a filling disk is noticed.
void remove_work_dir(const std::string& dir);
// Copies a directory tree (files and folders).
[[nodiscard]] faultfs::Status copy_tree(const std::string& from, const std::string& to);

// The state at the end of `trace_path`: the recorded operations replayed
// into a SimFs, pending changes and all, with the parent of `db_path`
// durable (it existed before the child ran). A missing or header-less trace
// (the child died first) is an empty state.
[[nodiscard]] faultfs::Result<std::unique_ptr<faultfs::SimFs>> trace_state(
    const std::string& trace_path, const std::string& db_path);

}  // namespace torture::detail
