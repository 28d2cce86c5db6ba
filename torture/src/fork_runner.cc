// One fork-mode kill cycle: plan, fork, kill, judge (see fork_runner.h).
#include "torture/fork_runner.h"

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <random>
#include <thread>

#include "fork_child.h"
#include "fork_evidence.h"
#include "kill_points.h"
#include "torture/seeds.h"

namespace torture {

using faultfs::ErrorCode;
using faultfs::Result;
using faultfs::Status;
namespace fs = std::filesystem;

namespace {

// A child that neither finishes nor dies within this long is killed anyway.
constexpr int kChildTimeoutMs = 30'000;
constexpr uint32_t kKillDelayUsMax = 200;

struct KillPlan {
  std::string kill_point;  // Empty: kill after `acks` acknowledgements.
  uint64_t acks = 0;
  uint32_t delay_us = 0;
  std::string describe() const {
    if (!kill_point.empty()) return "kill point " + kill_point;
    return "SIGKILL " + std::to_string(delay_us) + " us after ack " + std::to_string(acks);
  }
};

KillPlan plan_kill(const oracle::TargetInfo& target, const Workload& w) {
  std::mt19937_64 rng(derive_seed(w.seed, 0xf0f));
  KillPlan plan;
  size_t writes = 0;
  for (const Step& s : w.steps) writes += s.kind == StepKind::kWrite ? 1 : 0;
  constexpr size_t kPoints = std::size(dbx::kill_points::kAll);
  if (target.name == "dbx" && rng() % 2 == 0) {
    plan.kill_point = dbx::kill_points::kAll[rng() % kPoints];
  } else {
    plan.acks = rng() % (writes + 1);
  }
  plan.delay_us = static_cast<uint32_t>(rng() % (kKillDelayUsMax + 1));
  return plan;
}

struct ChildEnd {
  uint64_t acks = 0;
  std::vector<uint64_t> acked;  // Sequence numbers, in order.
  uint64_t faults_fired = 0;
  uint64_t marker = detail::kMarkerDone;
  bool got_marker = false;
};

// Reads the child's pipe until it closes, killing the child per `plan`.
ChildEnd watch_child(pid_t pid, int fd, const KillPlan& plan) {
  ChildEnd end;
  bool killed = false;
  const auto kill_now = [&] {
    if (killed) return;
    if (plan.delay_us > 0) std::this_thread::sleep_for(std::chrono::microseconds(plan.delay_us));
    ::kill(pid, SIGKILL);
    killed = true;
  };
  if (plan.kill_point.empty() && plan.acks == 0) kill_now();
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(kChildTimeoutMs);
  std::string buf;
  while (true) {
    pollfd p{fd, POLLIN, 0};
    const int ready = ::poll(&p, 1, 100);
    if (std::chrono::steady_clock::now() > deadline) kill_now();
    if (ready <= 0) continue;
    char chunk[4096];
    const ssize_t n = ::read(fd, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    buf.append(chunk, static_cast<size_t>(n));
    while (buf.size() >= sizeof(uint64_t)) {
      uint64_t v;
      std::memcpy(&v, buf.data(), sizeof v);
      buf.erase(0, sizeof v);
      if (v == detail::kMarkerFaultFired) {
        ++end.faults_fired;
      } else if (v == detail::kMarkerDone || v >= detail::kMarkerSetupFailed) {
        end.marker = v;
        end.got_marker = true;
      } else {
        ++end.acks;
        end.acked.push_back(v);
        if (plan.kill_point.empty() && end.acks == plan.acks) kill_now();
      }
    }
  }
  // The child may have finished: a kill after its exit changes nothing.
  kill_now();
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return end;
}

}  // namespace

Result<WorkloadReport> execute_fork(const CampaignOptions& options,
                                    const oracle::TargetInfo& target, uint64_t index,
                                    const std::function<bool()>& should_stop) {
  WorkloadShape shape;
  shape.ops = options.ops;
  shape.io_errors = workload_io_errors(options, index);
  const Workload workload = generate_workload(workload_seed(options, index), shape);
  const oracle::Durability durability = workload_durability(options, index);
  const KillPlan kill = plan_kill(target, workload);
  auto work = detail::make_work_dir("w" + std::to_string(index));
  if (!work.is_ok()) return work.status();
  detail::ForkCycle c{work.value(), work.value() + "/db", work.value() + "/trace.bin",
                      work.value() + "/history.db"};
  detail::ForkPlan plan{&workload,    durability,     options.threads, c.db_path,
                        c.trace_path, c.history_path, kill.kill_point};
  int p[2];
  if (::pipe(p) != 0) return Status(ErrorCode::kIoError, "pipe failed");
  const pid_t pid = ::fork();
  if (pid < 0) return Status(ErrorCode::kIoError, "fork failed");
  if (pid == 0) {
    ::close(p[0]);
    detail::run_fork_child(target, plan, p[1]);
  }
  ::close(p[1]);
  const ChildEnd end = watch_child(pid, p[0], kill);
  ::close(p[0]);

  WorkloadReport report;
  report.index = index;
  report.durability = oracle::durability_name(durability);
  report.mode = kModeFork;
  report.io_faults_fired = end.faults_fired;
  if (end.marker == detail::kMarkerSetupFailed) {
    detail::remove_work_dir(c.work);
    return Status(ErrorCode::kIoError,
                  "fork child could not set up its history, trace or kill point");
  }
  Result<WorkloadReport> judged =
      detail::judge_fork_cycle(options, target, index, workload, durability, c, kill.describe(),
                               end.marker, end.acked, should_stop, std::move(report));
  detail::remove_work_dir(c.work);
  return judged;
}

}  // namespace torture
