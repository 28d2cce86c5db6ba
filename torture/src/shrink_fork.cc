#include "shrink_fork.h"

#include <unistd.h>

#include <cassert>
#include <filesystem>
#include <utility>

#include "faultfs/status_macros.h"
#include "torture/fork_runner.h"
#include "torture/replay.h"

namespace torture::detail {

using faultfs::ErrorCode;
using faultfs::Result;
using faultfs::Status;
namespace fs = std::filesystem;

ForkShrinkJudge::ForkShrinkJudge(const Artifact& artifact, const targets::TargetInfo& target,
                                 uint32_t threads)
    : artifact_(artifact), target_(target) {
  assert(artifact.mode == kModeFork && artifact.fork.has_value());
  options_.target = artifact.target;
  options_.durabilities = {artifact.durability};
  options_.modes = {kModeFork};
  // A kill finding judges the directory as left, which every cycle does.
  auto policy = faultfs::parse_crash_policy(artifact.fork->policy);
  if (policy.is_ok()) options_.policies = {policy.value()};
  options_.fs_model = artifact.fs_model;
  options_.sector_bytes = artifact.sector_bytes;
  options_.seed = artifact.campaign_seed;
  options_.threads = std::max<uint32_t>(threads, 1);
  options_.quiet = true;
  scratch_root_ = (fs::path(fork_work_root()) /
                   ("dbx-shrink-" + std::to_string(::getpid()) + "-" + artifact.id))
                      .string();
}

ForkShrinkJudge::~ForkShrinkJudge() {
  std::error_code ec;
  fs::remove_all(scratch_root_, ec);  // Best effort: scratch copies only.
  if (!kept_dir_.empty()) fs::remove_all(kept_dir_, ec);
}

std::string ForkShrinkJudge::release_kept_dir() { return std::exchange(kept_dir_, {}); }

Result<bool> ForkShrinkJudge::failure(const Workload& w, uint32_t tries) {
  assert(tries >= 1 && tries <= kReproduceTriesMax);
  options_.report_dir = scratch_root_;
  std::error_code ec;
  fs::remove_all(scratch_root_, ec);
  fs::create_directories(fs::path(scratch_root_) / "failures", ec);
  if (ec) return Status(ErrorCode::kIoError, "shrink: cannot create " + scratch_root_);
  for (uint32_t t = 0; t < tries; ++t) {
    const ForkCycleSpec spec{&w, artifact_.durability, t};
    ASSIGN_OR_RETURN(auto report,
                     execute_fork_cycle(options_, target_, cycles_++, spec, [] { return false; }));
    for (const reports::Violation& v : report.violations) {
      const bool same_cause = v.kind == artifact_.kind && v.policy == artifact_.fork->policy &&
                              v.crash_op == artifact_.crash_op &&
                              v.crash_file == artifact_.crash_file;
      if (!same_cause) continue;
      RETURN_IF_ERROR(keep((fs::path(scratch_root_) / v.artifact).string()));
      return true;
    }
  }
  return false;
}

Status ForkShrinkJudge::keep(const std::string& dir) {
  const std::string kept = scratch_root_ + "-shrunk";
  std::error_code ec;
  fs::remove_all(kept, ec);
  fs::rename(dir, kept, ec);
  if (ec) return Status(ErrorCode::kIoError, "shrink: cannot keep " + dir + ": " + ec.message());
  kept_dir_ = kept;
  return Status::ok();
}

}  // namespace torture::detail
