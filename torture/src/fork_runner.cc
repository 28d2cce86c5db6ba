// One fork-mode kill cycle: plan, fork, kill, judge (see fork_runner.h).
#include "torture/fork_runner.h"

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cassert>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <thread>

#include "campaign_reach.h"
#include "faultfs/fault_injection.h"
#include "faultfs/status_macros.h"
#include "fork_child.h"
#include "fork_evidence.h"
#include "fork_issued_log.h"
#include "oracle/history.h"
#include "save_finding.h"
#include "torture/artifact.h"
#include "torture/campaign.h"
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

// Every other fork workload of a target with named kill points arms one,
// taken in turn (`fork_ordinal` counts the campaign's fork workloads), so
// that even a short campaign arms each point, in each durability level in
// turn; the rest are killed after a drawn number of acknowledgements.
KillPlan plan_kill(const targets::TargetInfo& target, const Workload& w, uint64_t fork_ordinal) {
  std::mt19937_64 rng(derive_seed(w.seed, streams::kForkKillPlan));
  KillPlan plan;
  size_t writes = 0;
  for (const Step& s : w.steps) writes += s.kind == StepKind::kWrite ? 1 : 0;
  const std::vector<std::string>& points = target.kill_points;
  if (!points.empty() && fork_ordinal % 2 == 0) {
    plan.kill_point = points[(fork_ordinal / 2) % points.size()];
  } else {
    plan.acks = rng() % (writes + 1);
  }
  plan.delay_us = static_cast<uint32_t>(rng() % (kKillDelayUsMax + 1));
  return plan;
}

struct ChildEnd {
  uint64_t acks = 0;
  std::vector<detail::AckMessage> acked;  // In the order they arrived.
  uint64_t faults_fired = 0;
  uint64_t marker = detail::kMarkerDone;
  bool got_marker = false;
  // The clock just before the SIGKILL was sent (or the child had exited): the
  // crash is no earlier, so dating it here is the lenient choice.
  int64_t crash_ns = 0;
  // The child died of SIGKILL before the parent sent one: its kill point
  // fired (the parent kills only by plan, at the deadline or after the end).
  bool killed_itself = false;
};

// Reads the child's pipe until it closes, killing the child per `plan`.
ChildEnd watch_child(pid_t pid, int fd, const KillPlan& plan) {
  ChildEnd end;
  bool killed = false;
  const auto kill_now = [&] {
    if (killed) return;
    if (plan.delay_us > 0) std::this_thread::sleep_for(std::chrono::microseconds(plan.delay_us));
    end.crash_ns = detail::monotonic_ns();
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
    size_t used = 0;
    for (; buf.size() - used >= sizeof(detail::AckMessage); used += sizeof(detail::AckMessage)) {
      detail::AckMessage m;
      std::memcpy(&m, buf.data() + used, sizeof m);
      if (m.seq == detail::kMarkerFaultFired) {
        ++end.faults_fired;
      } else if (m.seq == detail::kMarkerDone || m.seq >= detail::kMarkerSetupFailed) {
        end.marker = m.seq;
        end.got_marker = true;
      } else {
        ++end.acks;
        end.acked.push_back(m);
        if (plan.kill_point.empty() && end.acks == plan.acks) kill_now();
      }
    }
    buf.erase(0, used);
  }
  // The child may have finished: a kill after its exit changes nothing.
  const bool parent_killed = killed;
  kill_now();
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  end.killed_itself = !parent_killed && WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
  return end;
}

// An empty history log (its schema and nothing else), made once per process
// and laid down under each log the parent builds, so that opening one runs no
// DDL (creating the schema cost a tenth of a kill cycle).
Result<std::string> empty_log_bytes() {
  ASSIGN_OR_RETURN(auto dir, detail::make_work_dir("empty-log"));
  const std::string path = dir + "/" + kIssuedHistoryFile;
  ASSIGN_OR_RETURN(auto history, oracle::History::open(path));
  history.reset();  // Closed: the file holds everything.
  std::ifstream in(path, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const bool read = in.good() || in.eof();
  detail::remove_work_dir(dir);
  if (!read || bytes.empty()) return Status(ErrorCode::kIoError, "cannot read " + path);
  return bytes;
}

Status lay_down_empty_log(const std::string& path) {
  static const Result<std::string> kBytes = empty_log_bytes();
  if (!kBytes.is_ok()) return kBytes.status();
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(kBytes.value().data(), static_cast<std::streamsize>(kBytes.value().size()));
  out.close();
  if (!out) return Status(ErrorCode::kIoError, "cannot write " + path);
  return Status::ok();
}

// Writer threads of a fork workload: --threads when above 1, else drawn
// from the seed (1, 2 or 4), so that the default campaign runs concurrent
// writers (group commit in Full mode, checkpoints beside them).
uint32_t fork_threads(const CampaignOptions& options, const Workload& w) {
  if (options.threads > 1) return options.threads;
  constexpr uint32_t kDrawn[] = {1, 2, 4};
  return kDrawn[derive_seed(w.seed, streams::kForkThreads) % std::size(kDrawn)];
}

// The child's issued log as a History (at `issued_path`, which an artifact
// keeps), completed from what the parent saw: acks a kill cut off from the
// log (the child logged each before sending it; re-logging one it kept
// changes nothing), and the crash's time.
Result<std::unique_ptr<oracle::History>> complete_issued_log(const std::string& issued_log_path,
                                                             const std::string& issued_path,
                                                             const ChildEnd& end) {
  RETURN_IF_ERROR(lay_down_empty_log(issued_path));
  oracle::History::Options options;
  options.exclusive = true;  // This process alone opens it, and the log rebuilt from it.
  ASSIGN_OR_RETURN(auto raw, oracle::History::open(issued_path, options));
  RETURN_IF_ERROR(detail::replay_issued_log(issued_log_path, raw.get()));
  for (const detail::AckMessage& m : end.acked) {
    RETURN_IF_ERROR(raw->record_ack(m.seq, m.engine_seq, m.acked_ns));
  }
  RETURN_IF_ERROR(raw->set_clock(std::max(end.crash_ns, raw->summary().clock_ns)));
  return raw;
}

// Writes the log in commit order, with the in-flight writes in their
// `permutation`-th arrangement, to `path` (replacing what is there). The
// result holds it open, for the judge.
Result<oracle::History::CommitOrdered> write_ordered_log(oracle::History& issued,
                                                         const std::string& path,
                                                         uint32_t permutation) {
  std::error_code ec;
  for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(path + suffix, ec);
  RETURN_IF_ERROR(lay_down_empty_log(path));  // Its schema, without the DDL's cost.
  ASSIGN_OR_RETURN(auto ordered, issued.rebuild_in_commit_order(path, permutation));
  assert(ordered.history != nullptr);
  return ordered;
}

// A real-time order violation: an artifact with both logs as evidence.
Result<WorkloadReport> report_order_violation(const CampaignOptions& options,
                                              const targets::TargetInfo& target, uint64_t index,
                                              const Workload& workload,
                                              targets::Durability durability,
                                              const detail::ForkCycle& c, const std::string& kill,
                                              const std::string& what, WorkloadReport report) {
  Artifact a = campaign_artifact(options, target, kModeFork, index, workload, durability);
  a.crash.policy = kPolicyOrder;
  a.fork = ForkEvidence{kPolicyOrder, c.db_path, std::nullopt, kill, c.threads};
  a.kind = kKindRealTimeOrder;
  a.verdict = "violation: " + std::string(kKindRealTimeOrder);
  a.context = "fork child, " + kill + ": " + what;
  oracle::Verdict verdict;
  ASSIGN_OR_RETURN(auto v, save_finding(options, std::move(a), verdict, 0, kPolicyOrder));
  const fs::path dir = fs::path(options.report_dir) / v.artifact;
  std::error_code ec;
  fs::copy_file(c.history_path, dir / kHistoryFile, ec);
  if (!ec) fs::copy_file(c.work + "/" + kIssuedHistoryFile, dir / kIssuedHistoryFile, ec);
  if (ec) {
    return Status(ErrorCode::kIoError,
                  "cannot save fork evidence in " + dir.string() + ": " + ec.message());
  }
  report.violations.push_back(std::move(v));
  return report;
}

// Judges the cycle against the log in commit order. When several writes were
// in flight, a state is allowed if one arrangement of them allows every
// judged state: arrangements are tried in a scratch report until one
// passes, and only if none does is the first judged into the real report.
Result<WorkloadReport> judge_in_commit_order(
    const CampaignOptions& options, const targets::TargetInfo& target, uint64_t index,
    const Workload& workload, targets::Durability durability, const detail::ForkCycle& c,
    const std::string& kill, const ChildEnd& end, const std::function<bool()>& should_stop,
    const WorkloadReport& report) {
  ASSIGN_OR_RETURN(auto issued, complete_issued_log(c.work + "/" + kIssuedLogFile,
                                                    c.work + "/" + kIssuedHistoryFile, end));
  ASSIGN_OR_RETURN(auto first, write_ordered_log(*issued, c.history_path, 0));
  if (!first.real_time_violation.empty()) {
    first.history.reset();  // Closed: its WAL folds into the file the artifact copies.
    return report_order_violation(options, target, index, workload, durability, c, kill,
                                  first.real_time_violation, report);
  }
  oracle::ConcurrentIsolation transactions;
  if (target.capabilities.transactions) {
    ASSIGN_OR_RETURN(auto events, detail::read_txn_events(c.work + "/" + kIssuedLogFile));
    transactions = oracle::judge_concurrent_isolation(events);
  }
  const auto judge = [&](const CampaignOptions& o, std::unique_ptr<oracle::History> history) {
    return detail::judge_fork_cycle(detail::ForkJudging{.options = o,
                                                        .target = target,
                                                        .index = index,
                                                        .workload = workload,
                                                        .durability = durability,
                                                        .cycle = c,
                                                        .kill = kill,
                                                        .marker = end.marker,
                                                        .transactions = transactions,
                                                        .should_stop = should_stop},
                                    std::move(history), report);
  };
  if (first.arrangements == 1) return judge(options, std::move(first.history));
  CampaignOptions scratch = options;
  scratch.report_dir = c.work + "/scratch";
  // Judging stops at a cycle's first failing state, in a fixed order (the
  // kill state, then each policy's images). With no arrangement passing all
  // of them, the finding is that of the arrangement that explained the most
  // states: its failure is one no order of the in-flight writes explains so
  // far, where arrangement 0's may be a kill state only its issue order
  // fails (a false hole beside, say, a corrupt image the target missed).
  uint32_t furthest = 0;
  uint64_t furthest_states = 0;
  for (uint32_t p = 0; p < first.arrangements; ++p) {
    std::error_code ec;
    fs::remove_all(scratch.report_dir, ec);
    fs::create_directories(fs::path(scratch.report_dir) / "failures", ec);
    if (ec) return Status(ErrorCode::kIoError, "cannot create " + scratch.report_dir);
    std::unique_ptr<oracle::History> history = std::move(first.history);
    if (p > 0) {
      ASSIGN_OR_RETURN(auto ordered, write_ordered_log(*issued, c.history_path, p));
      history = std::move(ordered.history);
    }
    ASSIGN_OR_RETURN(auto tried, judge(scratch, std::move(history)));
    if (tried.violations.empty()) return tried;
    if (tried.crash_states > furthest_states) {
      furthest = p;
      furthest_states = tried.crash_states;
    }
  }
  ASSIGN_OR_RETURN(auto ordered, write_ordered_log(*issued, c.history_path, furthest));
  return judge(options, std::move(ordered.history));
}

}  // namespace

Result<WorkloadReport> execute_fork(const CampaignOptions& options,
                                    const targets::TargetInfo& target, uint64_t index,
                                    const std::function<bool()>& should_stop) {
  const Workload workload = campaign_workload(options, target, index);
  // Workloads run in blocks of one per durability level, mode by mode.
  const uint64_t levels = options.durabilities.size();
  const ForkCycleSpec spec{&workload, workload_durability(options, index),
                           index / (levels * options.modes.size()) * levels + index % levels};
  return execute_fork_cycle(options, target, index, spec, should_stop);
}

Result<WorkloadReport> execute_fork_cycle(const CampaignOptions& options,
                                          const targets::TargetInfo& target, uint64_t index,
                                          const ForkCycleSpec& spec,
                                          const std::function<bool()>& should_stop) {
  assert(spec.workload != nullptr);
  const Workload& workload = *spec.workload;
  const targets::Durability durability = spec.durability;
  const KillPlan kill = plan_kill(target, workload, spec.fork_ordinal);
  ASSIGN_OR_RETURN(auto work, detail::make_work_dir("w" + std::to_string(index)));
  // The child logs in issue order; the judge reads the log rebuilt in
  // commit order (history.db, which an artifact keeps).
  detail::ForkCycle c{work, work + "/db", work + "/trace.bin", work + "/" + kHistoryFile,
                      fork_threads(options, workload)};
  // Once in this process, so that no child pays for it.
  RETURN_IF_ERROR(faultfs::fiu_initialize());
  detail::ForkPlan plan{&workload,      durability,   c.threads,
                        c.db_path,      c.trace_path, work + "/" + kIssuedLogFile,
                        kill.kill_point};
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
  report.durability = targets::durability_name(durability);
  report.mode = kModeFork;
  report.io_faults_fired = end.faults_fired;
  if (end.marker == detail::kMarkerSetupFailed) {
    detail::remove_work_dir(c.work);
    return Status(ErrorCode::kIoError,
                  "fork child could not set up its history, trace or kill point");
  }
  Result<WorkloadReport> judged =
      judge_in_commit_order(options, target, index, workload, durability, c, kill.describe(), end,
                            should_stop, std::move(report));
  detail::remove_work_dir(c.work);
  if (!judged.is_ok()) return judged;
  // Reach: the crash states of a cycle whose process died at its kill point.
  if (!kill.kill_point.empty() && end.killed_itself) {
    judged->reach.kill_points[kill.kill_point] += judged->crash_states;
  }
  add_workload_features(workload, kModeFork, plan.threads, &judged->reach);
  return judged;
}

}  // namespace torture
