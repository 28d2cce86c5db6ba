// The simulation mode: one workload drives a target on SimFs in-process,
// and every crash point it passes is judged under every crash policy.
//
// Crash points: every persistence point (each sync and sync_dir) and a
// seeded sample of the mutating operations between them, in the main run and
// in the recoveries of clean reopens. Per point: a process kill (the image as
// the OS holds it) and, per policy, a bounded set of distinct power-loss
// images (SimFs::enumerate_crashes); a seeded share of those images is
// crashed a second time in the middle of its own recovery. Every image is
// reopened, read back completely and judged by the oracle; `corrupt` images
// only have to be a correct state or a detected error.
//
// Determinism: everything is drawn from the workload's seed and identified by
// operation counts (CrashSpec), so one CrashSpec rebuilds exactly one state,
// on any machine.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "faultfs/crash.h"
#include "faultfs/status.h"
#include "oracle/checker.h"
#include "oracle/types.h"
#include "targets/target.h"
#include "torture/workload.h"

namespace torture {

// Pseudo-policies next to the crash policies (names in reports):
inline constexpr const char* kPolicyKill = "kill";          // Process kill: OS keeps all.
inline constexpr const char* kPolicyReopen = "reopen";      // Clean close + open.
inline constexpr const char* kPolicyIoError = "io_error";   // Reopen after an injected fault.
inline constexpr const char* kPolicyWorkload = "workload";  // An op failed, no fault injected.
// A crash step's power loss, recovered and continued: the next generation.
inline constexpr const char* kPolicyGeneration = "generation";
// A transaction's read or commit the isolation judge refused, live.
inline constexpr const char* kPolicyIsolation = "isolation";
// An encrypted target sealed two plaintexts under one (data key, nonce),
// seen live on disk by the nonce ledger (TargetInfo::sealed_items).
inline constexpr const char* kPolicyNonce = "nonce";

struct SimSettings {
  targets::Durability durability = targets::Durability::kLazy;
  std::vector<faultfs::CrashPolicy> policies;
  bool process_kill = true;  // Judge a "kill" image at every crash point.
  faultfs::FsModel fs_model = faultfs::FsModel::kPosix;
  uint32_t sector_bytes = 512;
  uint32_t images_per_policy = 4;            // enumerate_crashes bound, >= 1.
  uint32_t mutation_sample_per_mille = 250;  // Mutations taken as crash points.
  uint32_t recovery_crash_per_mille = 125;   // Images crashed again mid-recovery.
  uint32_t findings_max = 1;                 // Stop the workload after this many.
  // Exhaustive exploration (torture/explore.h): per point and policy every
  // distinct image (SimFs::visit_crashes) instead of a sample, and an image
  // judged once per workload under the same bounds and history.
  bool exhaustive = false;
};

// What an exhaustive run covered (SimSettings::exhaustive; zero otherwise).
struct ExploreCounts {
  uint64_t points = 0;                // Crash points judged (each FS operation).
  uint64_t enumerations = 0;          // (point, policy) pairs whose images were walked.
  uint64_t enumerations_partial = 0;  // Of those, over the candidate budget: sampled.
  uint64_t images = 0;                // Distinct images the walks found.
  uint64_t duplicates = 0;            // Choices a walk found giving an image it had.
  uint64_t skipped = 0;               // Images already judged under the same bounds.
  uint64_t sampled = 0;               // Images drawn for partial walks.
  std::map<std::string, uint64_t> partial_by_policy;  // enumerations_partial by policy.

  bool operator==(const ExploreCounts&) const = default;
  ExploreCounts& operator+=(const ExploreCounts& o);
};

// Exactly one judged state of a sim run.
struct CrashSpec {
  std::string policy;  // A crash policy name or one of the pseudo-policies.
  // When: 0 = the first open, k = during workload step k-1, steps.size() + 1 =
  // the final close and reopen.
  uint64_t step = 0;
  // The operation after which the crash happened, as SimFs counts them
  // (crash policies and kill only).
  uint64_t mutations = 0;
  uint64_t persistence_points = 0;
  std::optional<faultfs::CrashChoice> choice;  // Crash policies only.
  // A second crash during the recovery of the first image: after the
  // recovery_event-th operation of that recovery (0 = none).
  uint64_t recovery_event = 0;
  std::optional<faultfs::CrashChoice> recovery_choice;

  bool operator==(const CrashSpec&) const = default;
};

struct Finding {
  CrashSpec crash;
  std::string kind;  // The oracle's violation kind, or "unexpected_error".
  oracle::Verdict verdict;
  targets::State recovered;
  targets::State expected;  // The closest allowed state.
  std::string context;      // Where: step, operation, path.
  std::string error;        // The target's error, if any.
  // The operation and file of the crash point (the open, for a reopen).
  std::string crash_op;
  std::string crash_file;
};

struct SimResult {
  uint64_t crash_states = 0;
  std::map<std::string, uint64_t> states_by_policy;
  uint64_t io_faults_fired = 0;
  uint64_t memo_hits = 0;
  uint64_t generations = 0;  // Crash steps recovered and continued on.
  // Reach: recoveries by outcome (Judge::recovery_outcomes()).
  std::map<std::string, uint64_t> recovery_outcomes;
  // Reach: transactions by how they ended ("committed", "conflicted",
  // "rolled_back", "lost" with their handle).
  std::map<std::string, uint64_t> transaction_outcomes;
  // Reach: sealed items the nonce ledger read, and the distinct (key, nonce)
  // pairs among them (0 for a target without TargetInfo::sealed_items).
  uint64_t sealed_items_seen = 0;
  uint64_t sealed_pairs = 0;
  std::vector<Finding> findings;
  // With SimControl::only: how that one state was judged (ok or not).
  std::optional<Finding> only_result;
  bool stopped_early = false;  // should_stop() said so.
  ExploreCounts explore;       // SimSettings::exhaustive only.
};

struct SimControl {
  // Judge only this state (replay); everything else still runs unjudged.
  const CrashSpec* only = nullptr;
  // Polled between crash points; true ends the run early.
  std::function<bool()> should_stop;
  // Called before each recovery of a judged state with that state and its
  // crash point's operation and file, and with nullptr once it returned: a
  // campaign worker leaves it where the parent finds it should the target
  // abort or hang in that recovery.
  std::function<void(const CrashSpec* spec, std::string_view crash_op, std::string_view crash_file)>
      recovering;
  // With `only`: called with the file system that state's recovery is about
  // to open and the database directory in it (dump-image writes it out).
  std::function<void(faultfs::FileSystem& image, const std::string& db_dir)> inspect_image;
};

// Runs `workload`. A non-ok Result is a harness failure (the oracle's log,
// a replayed choice that no longer fits), never a finding.
[[nodiscard]] faultfs::Result<SimResult> run_sim(const targets::TargetInfo& target,
                                                 const Workload& workload,
                                                 const SimSettings& settings,
                                                 const SimControl& control = {});

// The database directory inside the simulated file system.
inline constexpr const char* kSimDbDir = "db";

}  // namespace torture
