// The campaign's process structure: --jobs workers forked from the parent,
// each taking workload indices from a shared counter and sending one JSON
// line per workload over its pipe; the parent aggregates, shows progress and
// writes the report.
#include "torture/campaign.h"

#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "campaign_progress.h"
#include "json_util.h"
#include "reports/report_files.h"
#include "watchdog.h"

namespace torture {

using faultfs::Status;
using Clock = std::chrono::steady_clock;

namespace {

// Counters every worker shares (one anonymous shared mapping).
struct Shared {
  std::atomic<uint64_t> next_local_index{0};
  std::atomic<uint64_t> violations{0};
};

bool write_all(int fd, const std::string& text) {
  size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

// A worker's whole life; never returns.
[[noreturn]] void worker_main(const CampaignOptions& o, const oracle::TargetInfo& target,
                              Shared* shared, Clock::time_point deadline, int fd) {
  const auto should_stop = [&] {
    return (o.time_s && Clock::now() >= deadline) ||
           shared->violations.load(std::memory_order_relaxed) >= o.violations_max;
  };
  watchdog::arm(fd);
  int code = 0;
  while (!should_stop()) {
    const uint64_t local = shared->next_local_index.fetch_add(1);
    const uint64_t index = o.shard_index + local * o.shard_count;
    if (o.workloads && index >= *o.workloads) break;
    auto report = execute_workload(o, target, index, should_stop);
    if (!report.is_ok()) {
      const json_util::Json line{
          {"error", "workload " + std::to_string(index) + ": " + report.status().to_string()}};
      write_all(fd, line.dump(-1, ' ', false, json_util::Json::error_handler_t::replace) + "\n");
      code = 2;
      break;
    }
    shared->violations.fetch_add(report->violations.size());
    if (!write_all(fd, report_to_json_line(report.value()) + "\n")) {
      code = 2;
      break;
    }
  }
  ::close(fd);
  ::_exit(code);
}

Status prepare_report_dir(const std::string& dir) {
  std::error_code ec;
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

int64_t unix_ms_now() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

int run_campaign(const CampaignOptions& o, std::ostream& out, std::ostream& err) {
  const oracle::TargetInfo* target = oracle::find_target(o.target);
  if (target == nullptr) {
    err << "dbx-torture: unknown target '" << o.target << "' (see list-targets)\n";
    return 2;
  }
  Status prepared = prepare_report_dir(o.report_dir);
  if (!prepared.is_ok()) {
    err << "dbx-torture: " << prepared.message() << "\n";
    return 2;
  }
  void* mem =
      ::mmap(nullptr, sizeof(Shared), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (mem == MAP_FAILED) {
    err << "dbx-torture: mmap failed: " << std::strerror(errno) << "\n";
    return 2;
  }
  Shared* shared = new (mem) Shared();
  CampaignTotals totals;
  totals.started_unix_ms = unix_ms_now();
  const Clock::time_point start = Clock::now();
  const Clock::time_point deadline =
      start + std::chrono::milliseconds(static_cast<int64_t>(o.time_s.value_or(0) * 1000));
  out.flush();
  err.flush();
  std::fflush(nullptr);
  std::vector<pid_t> pids;
  std::vector<int> fds;
  for (uint32_t j = 0; j < o.jobs; ++j) {
    int p[2];
    if (::pipe(p) != 0) {
      err << "dbx-torture: pipe failed: " << std::strerror(errno) << "\n";
      return 2;
    }
    const pid_t pid = ::fork();
    if (pid < 0) {
      err << "dbx-torture: fork failed: " << std::strerror(errno) << "\n";
      return 2;
    }
    if (pid == 0) {
      ::close(p[0]);
      for (const int fd : fds) ::close(fd);
      worker_main(o, *target, shared, deadline, p[1]);
    }
    ::close(p[1]);
    pids.push_back(pid);
    fds.push_back(p[0]);
  }
  Progress progress(o, start, err);
  std::string worker_error = collect_reports(fds, &totals, &progress);
  for (size_t j = 0; j < pids.size(); ++j) {
    int status = 0;
    while (::waitpid(pids[j], &status, 0) < 0 && errno == EINTR) {
    }
    if (worker_error.empty() && WIFSIGNALED(status)) {
      worker_error = "worker " + std::to_string(j) + " died of signal " +
                     std::to_string(WTERMSIG(status)) + " (a harness or target crash)";
    } else if (worker_error.empty() && WIFEXITED(status) && WEXITSTATUS(status) != 0) {
      worker_error =
          "worker " + std::to_string(j) + " exited with " + std::to_string(WEXITSTATUS(status));
    }
  }
  ::munmap(mem, sizeof(Shared));
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
