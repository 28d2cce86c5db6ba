// The campaign's worker processes, seen from the parent: --jobs workers,
// each in a process group of its own (its fork-mode children with it), each
// sending one JSON line per workload over its pipe.
//
// The parent keeps the campaign alive through its target's failures: a
// worker the target killed (abort, segfault) or that sat in one recovery
// longer than the limit (killed here) becomes a `target_crashed` /
// `target_hung` finding at the crash state its watchdog slot names, and a
// new worker takes its place. On SIGINT/SIGTERM it asks the workers to stop,
// gives them a short grace to report, then kills what is left, so no process
// of the campaign outlives it.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <string>
#include <vector>

#include "campaign_causes.h"
#include "campaign_progress.h"
#include "torture/campaign.h"
#include "watchdog.h"

namespace torture {

// Memory every process of the campaign shares (one anonymous mapping).
struct SharedState {
  std::atomic<uint64_t> next_local_index{0};
  std::atomic<bool> stop{false};  // Set by the parent on a signal.
  CauseTable causes;
};

class WorkerPool {
 public:
  struct Setup {
    const CampaignOptions& options;
    const targets::TargetInfo& target;
    SharedState* shared;
    watchdog::Slot* slots;  // options.jobs of them.
    std::chrono::steady_clock::time_point start;
    std::chrono::steady_clock::time_point deadline;
  };
  WorkerPool(const Setup& setup, CampaignTotals* totals, Progress* progress);
  ~WorkerPool();

  // Forks the workers; a harness error message, empty on success.
  [[nodiscard]] std::string start();
  // Runs until every worker is done; the first harness error, empty if none.
  [[nodiscard]] std::string run();

 private:
  struct Worker {
    pid_t pid = -1;
    int fd = -1;
    std::string buffer;
    bool hung = false;     // Killed here: a recovery exceeded the limit.
    bool stopped = false;  // Killed here: the campaign is stopping.
  };

  [[nodiscard]] std::string spawn(size_t j);
  void read_from(size_t j);
  bool exited(size_t j) const;
  void handle_line(const std::string& line);
  void reap(size_t j);
  void add_report(WorkloadReport report);
  void check_hangs();
  void check_signals();
  bool should_respawn() const;
  void kill_group(Worker& w);

  const Setup setup_;
  CampaignTotals* totals_;
  Progress* progress_;
  std::vector<Worker> workers_;
  std::string error_;
  std::chrono::steady_clock::time_point stop_deadline_{};
  bool stopping_ = false;
  size_t target_failures_ = 0;
};

// Worker `slot` died of `signo` or hung: writes its artifact and returns the
// report that carries the finding (`target_crashed` or `target_hung`).
[[nodiscard]] faultfs::Result<WorkloadReport> target_failure_report(
    const CampaignOptions& options, const targets::TargetInfo& target,
    const watchdog::SlotView& slot, bool hung, int signo);

}  // namespace torture
