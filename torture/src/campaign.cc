// The campaign's parent: the report directory, the shared memory, the
// signal handlers and the worker pool (campaign_pool.h), then the report.
#include "torture/campaign.h"

#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "campaign_pool.h"
#include "campaign_progress.h"
#include "campaign_signals.h"
#include "reports/report_files.h"
#include "watchdog.h"

namespace torture {

using faultfs::Status;
using Clock = std::chrono::steady_clock;

namespace {

// A report directory holds one campaign's report: a previous run's findings
// go (the same seed writes the same artifact names, and stale ones would sit
// in this run's index as if it had found them).
Status prepare_report_dir(const std::string& dir) {
  std::error_code ec;
  std::filesystem::remove_all(std::filesystem::path(dir) / reports::kFailuresDirName, ec);
  if (ec) {
    return Status(faultfs::ErrorCode::kIoError,
                  "cannot clear old findings in report dir " + dir + ": " + ec.message());
  }
  std::filesystem::create_directories(std::filesystem::path(dir) / reports::kFailuresDirName, ec);
  if (ec)
    return Status(faultfs::ErrorCode::kIoError,
                  "cannot create report dir " + dir + ": " + ec.message());
  const auto probe = std::filesystem::path(dir) / ".dbx-torture-probe";
  const reports::Status written = reports::write_file_atomically(probe, "probe\n");
  if (!written.is_ok()) {
    return Status(faultfs::ErrorCode::kIoError,
                  "report dir " + dir + " is not writable: " + written.message());
  }
  std::filesystem::remove(probe, ec);
  return Status::ok();
}

// Every worker's process group was killed as it ended; what it forked and
// had re-parented here is dying. Waits for it, for a bounded time.
void reap_orphans() {
  constexpr int kWaitMsMax = 5000;
  for (int waited_ms = 0; waited_ms < kWaitMsMax;) {
    const pid_t pid = ::waitpid(-1, nullptr, WNOHANG);
    if (pid > 0) continue;
    if (pid < 0 && errno == EINTR) continue;
    if (pid < 0) return;  // ECHILD: none left.
    ::usleep(10'000);
    waited_ms += 10;
  }
}

int64_t unix_ms_now() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

int run_campaign(const CampaignOptions& o, std::ostream& out, std::ostream& err) {
  const targets::TargetInfo* target = targets::find_target(o.target);
  if (target == nullptr) {
    err << "dbx-torture: unknown target '" << o.target << "' (see list-targets)\n";
    return 2;
  }
  if (!target->capabilities.harness_clock) {
    err << "dbx-torture: note: " << o.target
        << " runs background work on its own threads: a sim-mode finding may not replay\n";
  }
  Status prepared = prepare_report_dir(o.report_dir);
  if (!prepared.is_ok()) {
    err << "dbx-torture: " << prepared.message() << "\n";
    return 2;
  }
  void* mem = ::mmap(nullptr, sizeof(SharedState), PROT_READ | PROT_WRITE,
                     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  watchdog::Slot* slots = watchdog::map_slots(o.jobs);
  if (mem == MAP_FAILED || slots == nullptr) {
    err << "dbx-torture: mmap failed: " << std::strerror(errno) << "\n";
    return 2;
  }
  SharedState* shared = new (mem) SharedState();
  CampaignTotals totals;
  totals.started_unix_ms = unix_ms_now();
  const Clock::time_point start = Clock::now();
  const Clock::time_point deadline =
      start + std::chrono::milliseconds(static_cast<int64_t>(o.time_s.value_or(0) * 1000));
  out.flush();
  err.flush();
  Progress progress(o, start, err);
  std::string worker_error;
  campaign_signals::install();
  // Whatever a worker leaves behind is re-parented here, not to init, and
  // reaped below: no process of the campaign outlives it.
  ::prctl(PR_SET_CHILD_SUBREAPER, 1);
  {
    WorkerPool pool(WorkerPool::Setup{o, *target, shared, slots, start, deadline}, &totals,
                    &progress);
    worker_error = pool.start();
    if (worker_error.empty()) worker_error = pool.run();
  }
  reap_orphans();
  // From here on the report is written whatever arrives: a signal now only
  // ends a campaign that is already ending.
  campaign_signals::restore_defaults();
  ::munmap(mem, sizeof(SharedState));
  watchdog::unmap_slots(slots, o.jobs);
  totals.elapsed_s = std::chrono::duration<double>(Clock::now() - start).count();
  totals.finished_unix_ms = unix_ms_now();
  progress.finish(&totals);
  if (!worker_error.empty()) {
    err << "dbx-torture: " << worker_error << "\n";
    return 2;
  }
  return finish_campaign(o, totals, out, err);
}

}  // namespace torture
