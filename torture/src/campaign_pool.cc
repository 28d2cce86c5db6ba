#include "campaign_pool.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "campaign_signals.h"
#include "json_util.h"

namespace torture {

using Clock = std::chrono::steady_clock;

namespace {

// How long stopping workers get to send the workload they are in.
constexpr auto kStopGrace = std::chrono::milliseconds(2000);
constexpr int kPollTimeoutMs = 200;
constexpr size_t kLineBytesMax = 64u << 20;  // One worker line; a larger one is an error.

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
[[noreturn]] void worker_main(const WorkerPool::Setup& s, watchdog::Slot* slot, pid_t parent,
                              int fd) {
  campaign_signals::restore_defaults();
  // Its own group: the parent stops the worker and its fork-mode children
  // with one kill(), and a terminal's Ctrl-C reaches the parent alone.
  ::setpgid(0, 0);
  // A parent killed outright (SIGKILL) must not leave workers running.
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (::getppid() != parent) ::_exit(2);
  watchdog::attach(slot);
  const CampaignOptions& o = s.options;
  SharedState* shared = s.shared;
  const auto should_stop = [&] {
    return shared->stop.load(std::memory_order_relaxed) ||
           (o.time_s && Clock::now() >= s.deadline) ||
           shared->causes.distinct() >= o.violations_max;
  };
  int code = 0;
  while (!should_stop()) {
    const uint64_t local = shared->next_local_index.fetch_add(1);
    const uint64_t index = o.shard_index + local * o.shard_count;
    if (o.workloads && index >= *o.workloads) break;
    watchdog::begin_workload(index);
    auto report = execute_workload(o, s.target, index, should_stop);
    watchdog::end_workload();
    if (report.is_ok()) {
      const faultfs::Status suppressed = suppress_known_causes(o, &report.value());
      if (!suppressed.is_ok()) report = suppressed;
    }
    if (!report.is_ok()) {
      const json_util::Json line{
          {"error", "workload " + std::to_string(index) + ": " + report.status().to_string()}};
      write_all(fd, line.dump(-1, ' ', false, json_util::Json::error_handler_t::replace) + "\n");
      code = 2;
      break;
    }
    for (const reports::Violation& v : report->violations) shared->causes.note(cause_hash(v));
    if (!write_all(fd, report_to_json_line(report.value()) + "\n")) {
      code = 2;
      break;
    }
  }
  ::close(fd);
  ::_exit(code);
}

std::string signal_text(int signo) {
  const char* name = ::sigabbrev_np(signo);
  return std::string("SIG") + (name != nullptr ? name : std::to_string(signo).c_str());
}

}  // namespace

WorkerPool::WorkerPool(const Setup& setup, CampaignTotals* totals, Progress* progress)
    : setup_(setup), totals_(totals), progress_(progress), workers_(setup.options.jobs) {}

WorkerPool::~WorkerPool() {
  // Only reached with workers alive on a set-up error: none may outlive us.
  for (Worker& w : workers_) {
    if (w.pid <= 0) continue;
    kill_group(w);
    while (::waitpid(w.pid, nullptr, 0) < 0 && errno == EINTR) {
    }
    if (w.fd >= 0) ::close(w.fd);
  }
}

std::string WorkerPool::start() {
  for (size_t j = 0; j < workers_.size(); ++j) {
    std::string error = spawn(j);
    if (!error.empty()) return error;
  }
  return "";
}

std::string WorkerPool::spawn(size_t j) {
  int p[2];
  // Non-blocking: the parent drains a pipe without ever waiting on it.
  if (::pipe2(p, O_CLOEXEC) != 0 || ::fcntl(p[0], F_SETFL, O_NONBLOCK) != 0)
    return std::string("pipe failed: ") + std::strerror(errno);
  std::fflush(nullptr);
  watchdog::reset(&setup_.slots[j]);
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) {
    ::close(p[0]);
    ::close(p[1]);
    return std::string("fork failed: ") + std::strerror(errno);
  }
  if (pid == 0) {
    ::close(p[0]);
    worker_main(setup_, &setup_.slots[j], parent, p[1]);
  }
  // Set here too: the parent may kill the group before the child ran at all.
  ::setpgid(pid, pid);
  ::close(p[1]);
  workers_[j] = Worker{pid, p[0], {}, false, false};
  return "";
}

std::string WorkerPool::run() {
  for (;;) {
    std::vector<pollfd> polls;
    std::vector<size_t> which;
    for (size_t j = 0; j < workers_.size(); ++j) {
      if (workers_[j].pid <= 0) continue;
      polls.push_back(pollfd{workers_[j].fd, POLLIN, 0});
      which.push_back(j);
    }
    if (polls.empty()) break;
    const int ready = ::poll(polls.data(), polls.size(), kPollTimeoutMs);
    if (ready < 0 && errno != EINTR) {
      if (error_.empty()) error_ = std::string("poll failed: ") + std::strerror(errno);
      setup_.shared->stop.store(true);
    }
    for (size_t k = 0; ready > 0 && k < polls.size(); ++k) {
      if (polls[k].revents != 0) read_from(which[k]);
    }
    // A worker that exited while something it forked still holds its pipe
    // open (no end of file yet) is reaped all the same.
    for (size_t j = 0; j < workers_.size(); ++j) {
      const pid_t pid = workers_[j].pid;
      if (pid <= 0 || !exited(j)) continue;
      read_from(j);
      if (workers_[j].pid == pid) reap(j);
    }
    check_signals();
    check_hangs();
    progress_->update(nullptr);
  }
  return error_;
}

void WorkerPool::read_from(size_t j) {
  Worker& w = workers_[j];
  char buf[65536];
  for (;;) {
    const ssize_t n = ::read(w.fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
    if (n <= 0) {
      reap(j);
      return;
    }
    w.buffer.append(buf, static_cast<size_t>(n));
    size_t nl;
    while ((nl = w.buffer.find('\n')) != std::string::npos) {
      const std::string line = w.buffer.substr(0, nl);
      w.buffer.erase(0, nl + 1);
      handle_line(line);
    }
    if (w.buffer.size() > kLineBytesMax && error_.empty()) error_ = "worker line too long";
  }
}

bool WorkerPool::exited(size_t j) const {
  siginfo_t info{};
  return ::waitid(P_PID, static_cast<id_t>(workers_[j].pid), &info, WEXITED | WNOHANG | WNOWAIT) ==
             0 &&
         info.si_pid != 0;
}

void WorkerPool::handle_line(const std::string& line) {
  auto parsed = json_util::parse(line, "worker line");
  if (parsed.is_ok() && parsed->is_object() && parsed->contains("error")) {
    if (error_.empty()) error_ = parsed->value("error", std::string("worker error"));
    return;
  }
  auto report = report_from_json_line(line);
  if (!report.is_ok()) {
    if (error_.empty()) error_ = "bad worker line: " + report.status().message();
    return;
  }
  add_report(std::move(report).value());
}

void WorkerPool::add_report(WorkloadReport report) {
  if (!report.violations.empty() && !totals_->first_violation_s) {
    totals_->first_violation_s = std::chrono::duration<double>(Clock::now() - setup_.start).count();
  }
  progress_->update(&report);
  totals_->workloads.push_back(std::move(report));
}

void WorkerPool::reap(size_t j) {
  Worker& w = workers_[j];
  // Wait without reaping, so that the group id cannot be reused before the
  // kill below ends whatever the worker left in it (fork-mode children).
  siginfo_t info{};
  while (::waitid(P_PID, static_cast<id_t>(w.pid), &info, WEXITED | WNOWAIT) < 0 &&
         errno == EINTR) {
  }
  kill_group(w);
  int status = 0;
  while (::waitpid(w.pid, &status, 0) < 0 && errno == EINTR) {
  }
  ::close(w.fd);
  const Worker dead = w;
  w = Worker{};
  const watchdog::SlotView slot = watchdog::read(setup_.slots[j]);
  const bool crashed = WIFSIGNALED(status) && !dead.stopped;
  if (WIFEXITED(status) && WEXITSTATUS(status) != 0 && error_.empty()) {
    error_ = "worker " + std::to_string(j) + " exited with " + std::to_string(WEXITSTATUS(status));
  }
  if (!dead.hung && !crashed) return;
  if (slot.workload == watchdog::kNoWorkload) {
    if (error_.empty()) {
      error_ = "worker " + std::to_string(j) + " died of " + signal_text(WTERMSIG(status)) +
               " outside any workload (a harness crash)";
    }
    return;
  }
  auto report = target_failure_report(setup_.options, setup_.target, slot, dead.hung,
                                      dead.hung ? SIGKILL : WTERMSIG(status));
  if (!report.is_ok()) {
    if (error_.empty()) error_ = "saving a target failure: " + report.status().message();
    return;
  }
  if (const faultfs::Status s = suppress_known_causes(setup_.options, &report.value());
      !s.is_ok()) {
    if (error_.empty()) error_ = "suppressing a known cause: " + s.message();
    return;
  }
  ++target_failures_;
  for (const reports::Violation& v : report->violations) {
    setup_.shared->causes.note(cause_hash(v));
  }
  add_report(std::move(report).value());
  if (should_respawn()) {
    const std::string error = spawn(j);
    if (!error.empty() && error_.empty()) error_ = error;
  }
}

bool WorkerPool::should_respawn() const {
  const CampaignOptions& o = setup_.options;
  return error_.empty() && !stopping_ && !setup_.shared->stop.load() &&
         !(o.time_s && Clock::now() >= setup_.deadline) &&
         setup_.shared->causes.distinct() < o.violations_max;
}

void WorkerPool::check_hangs() {
  const int64_t limit_ms = static_cast<int64_t>(watchdog::recovery_seconds_max()) * 1000;
  const int64_t now = watchdog::monotonic_ms();
  for (size_t j = 0; j < workers_.size(); ++j) {
    Worker& w = workers_[j];
    if (w.pid <= 0 || w.hung || w.stopped) continue;
    const int64_t since = setup_.slots[j].busy_since_ms.load(std::memory_order_acquire);
    if (since == 0 || now - since <= limit_ms) continue;
    w.hung = true;
    kill_group(w);  // Its pipe closes; reap() records the finding.
  }
}

void WorkerPool::check_signals() {
  const int signo = campaign_signals::received();
  if (signo == 0) return;
  if (!stopping_) {
    stopping_ = true;
    totals_->interrupted = campaign_signals::name(signo);
    setup_.shared->stop.store(true);
    stop_deadline_ = Clock::now() + kStopGrace;
  }
  if (Clock::now() < stop_deadline_ && campaign_signals::count() < 2) return;
  for (Worker& w : workers_) {
    if (w.pid <= 0 || w.stopped) continue;
    w.stopped = true;
    kill_group(w);
  }
}

void WorkerPool::kill_group(Worker& w) {
  if (w.pid > 0) ::kill(-w.pid, SIGKILL);
}

}  // namespace torture
