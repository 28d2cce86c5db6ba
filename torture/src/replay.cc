#include "torture/replay.h"

#include "faultfs/status_macros.h"
#include "replay_internal.h"
#include "targets/target.h"
#include "torture/options.h"

namespace torture {

using faultfs::ErrorCode;
using faultfs::Result;
using faultfs::Status;

SimSettings settings_for(const Artifact& artifact, const std::string& policy) {
  SimSettings settings;
  settings.durability = artifact.durability;
  settings.fs_model = artifact.fs_model;
  settings.sector_bytes = artifact.sector_bytes;
  settings.process_kill = policy == kPolicyKill;
  auto crash_policy = faultfs::parse_crash_policy(policy);
  if (crash_policy.is_ok()) settings.policies = {crash_policy.value()};
  return settings;
}

Result<ReplayOutcome> replay_artifact(const Artifact& artifact, const std::string& artifact_dir) {
  const targets::TargetInfo* target = targets::find_target(artifact.target);
  if (target == nullptr) {
    return Status(ErrorCode::kInvalidArgument, "unknown target '" + artifact.target + "'");
  }
  if (is_target_failure(artifact.kind)) return replay_target_failure(artifact, *target);
  if (artifact.mode == kModeFork) return replay_fork_artifact(artifact, *target, artifact_dir);
  const SimSettings settings = settings_for(artifact, artifact.crash.policy);
  SimControl control;
  control.only = &artifact.crash;
  ASSIGN_OR_RETURN(auto result, run_sim(*target, artifact.workload, settings, control));
  if (!result.only_result) {
    return Status(ErrorCode::kInvalidArgument,
                  "the recorded crash state (" + describe_crash(artifact.crash) +
                      ") was never reached: the workload no longer gets there");
  }
  const Finding& f = *result.only_result;
  ReplayOutcome out;
  out.still_fails = !f.verdict.ok;
  out.kind = f.kind;
  out.verdict = f.verdict.to_string();
  if (!f.error.empty()) out.verdict += "\n  error: " + f.error;
  out.context = f.context;
  out.recovered = f.recovered;
  return out;
}

}  // namespace torture
