// Replaying and shrinking failure artifacts.
//
// replay: rebuilds exactly the artifact's crash state (sim: re-runs the
// workload to the recorded operation and applies the recorded CrashChoice;
// fork: the saved directory, or the saved trace's image under the recorded
// choice, judged against the saved oracle log) and judges it again.
//
// shrink: searches for a smaller workload that still fails (delta debugging
// over the steps, then over batch ops, then shorter values), judging every
// candidate in simulation under the artifact's policy, and writes the first
// failure of the smallest one as a new artifact.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "faultfs/status.h"
#include "torture/artifact.h"
#include "torture/sim_runner.h"

namespace torture {

struct ReplayOutcome {
  bool still_fails = false;
  std::string kind;     // The violation kind when it still fails.
  std::string verdict;  // The oracle's verdict text.
  std::string context;
  targets::State recovered;
};

// kInvalidArgument when the artifact does not describe a state this build
// can rebuild (an unknown target, a choice that does not fit).
[[nodiscard]] faultfs::Result<ReplayOutcome> replay_artifact(const Artifact& artifact,
                                                             const std::string& artifact_dir);

struct ShrinkOptions {
  double time_s = 120;               // Wall-clock budget.
  uint64_t candidates_max = 20'000;  // Candidate workloads judged at most.
  // Writer threads of a fork-judged shrink's kill cycles; 0: the artifact's
  // own (recorded since artifacts carry fork.threads; else drawn from the
  // workload's seed, as a campaign without --threads draws them).
  uint32_t fork_threads = 0;
};

struct ShrinkOutcome {
  Artifact artifact;  // The new artifact (not yet written).
  size_t ops_before = 0;
  size_t ops_after = 0;
  uint64_t candidates = 0;
  // Fork-judged only: the shrunk finding's folder, whose evidence files
  // (history.db, issued.db, dir/ or trace.bin) belong beside the artifact;
  // the caller copies them and removes the folder.
  std::string evidence_dir;
};

// nullopt when the artifact's workload no longer fails: in simulation, or
// for a fork-mode artifact simulation misses, in real kill cycles.
[[nodiscard]] faultfs::Result<std::optional<ShrinkOutcome>> shrink_artifact(
    const Artifact& artifact, const ShrinkOptions& options);

}  // namespace torture
