// Shared by replay, shrink and the fork mode's replay.
#pragma once

#include <string>

#include "faultfs/status.h"
#include "targets/target.h"
#include "torture/artifact.h"
#include "torture/replay.h"
#include "torture/sim_runner.h"

namespace torture {

// Sim settings that judge only `policy` (a crash policy or "kill") the way
// the artifact's campaign did.
SimSettings settings_for(const Artifact& artifact, const std::string& policy);

// Rebuilds a fork-mode artifact's state from its saved evidence and judges it.
[[nodiscard]] faultfs::Result<ReplayOutcome> replay_fork_artifact(const Artifact& artifact,
                                                                  const targets::TargetInfo& target,
                                                                  const std::string& artifact_dir);

// Writes a fork-mode artifact's crash image to `out_dir` (image_dump.h).
[[nodiscard]] faultfs::Status dump_fork_image(const Artifact& artifact,
                                              const std::string& artifact_dir,
                                              const std::string& out_dir);

// The finding kinds of a target that died or hung in recovery (no verdict).
inline constexpr const char* kKindTargetCrashed = "target_crashed";
inline constexpr const char* kKindTargetHung = "target_hung";
bool is_target_failure(const std::string& kind);

// Replays such a finding in a child process (replay_guarded.cc).
[[nodiscard]] faultfs::Result<ReplayOutcome> replay_target_failure(
    const Artifact& artifact, const targets::TargetInfo& target);

}  // namespace torture
