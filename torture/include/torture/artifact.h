// A failure artifact: the self-contained folder <report>/failures/<id>/ that
// replays one failing crash state on any machine.
//
//   artifact.json   what failed: target, mode, durability, crash settings,
//                   the crash spec (point, policy, CrashChoice, second crash),
//                   violation kind, verdict, context and the replay command
//   workload.json   the workload (torture/workload.h)
//   recovered.json  the state the target recovered
//   expected.json   the closest state the contract allows
//   fork mode only: history.db (the child's oracle log), and either dir/ (the
//   database directory as the killed child left it) or trace.bin (its
//   recorded I/O, from which the power-loss image is rebuilt)
//
// read_artifact() validates everything and never throws: a corrupt artifact
// is an error (exit 2), never a crash.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "faultfs/crash.h"
#include "faultfs/status.h"
#include "targets/types.h"
#include "torture/sim_runner.h"
#include "torture/workload.h"

namespace torture {

inline constexpr uint64_t kArtifactVersion = 1;
inline constexpr const char* kArtifactFile = "artifact.json";
inline constexpr const char* kWorkloadFile = "workload.json";
inline constexpr const char* kRecoveredFile = "recovered.json";
inline constexpr const char* kExpectedFile = "expected.json";
inline constexpr const char* kHistoryFile = "history.db";
inline constexpr const char* kTraceFile = "trace.bin";
inline constexpr const char* kDirFolder = "dir";
// Any one artifact file larger than this is refused (a corrupt artifact
// must not exhaust memory).
inline constexpr size_t kArtifactFileBytesMax = size_t{256} << 20;

// What a fork-mode failure judged.
struct ForkEvidence {
  // kPolicyKill: dir/ as the child left it; a crash policy name: the trace's
  // power-loss image under `choice`.
  std::string policy;
  std::string db_path;  // The database directory the child used (trace paths).
  std::optional<faultfs::CrashChoice> choice;
  std::string kill;  // How the child died ("kill point dbx/wal/before_sync", "timer").
  // The child's writer threads; 0: not recorded (an artifact written before
  // the field was). Shrink runs its kill cycles with as many.
  uint32_t threads = 0;

  bool operator==(const ForkEvidence&) const = default;
};

// Limits on an artifact's plugin list (target_libs).
inline constexpr size_t kArtifactTargetLibsMax = 16;
inline constexpr size_t kArtifactTargetLibBytesMax = 4096;

struct Artifact {
  std::string id;
  std::string target;
  // The plugins (absolute paths) the campaign loaded with --target-lib, so
  // that replay, shrink and dump-image load them again; empty for a
  // built-in target. Absent from older artifacts.
  std::vector<std::string> target_libs;
  std::string mode;  // kModeSim or kModeFork.
  targets::Durability durability = targets::Durability::kLazy;
  faultfs::FsModel fs_model = faultfs::FsModel::kPosix;
  uint32_t sector_bytes = 512;
  uint64_t campaign_seed = 0;
  uint64_t workload_index = 0;
  Workload workload;
  CrashSpec crash;                   // Sim mode.
  std::optional<ForkEvidence> fork;  // Fork mode.
  std::string kind;                  // Violation kind.
  // The crash point's persistence operation and file (the cause, with kind
  // and policy); empty when unknown.
  std::string crash_op;
  std::string crash_file;
  std::string verdict;  // The oracle's verdict text.
  std::string context;
  std::string error;
  std::string replay;  // One command line.
  targets::State recovered;
  targets::State expected;
};

// Writes `artifact` into `dir` (created; must not exist yet or be empty).
// Fork evidence files (history.db, dir/, trace.bin) are copied by the caller.
[[nodiscard]] faultfs::Status write_artifact(const Artifact& artifact, const std::string& dir);
// kCorruption naming the file and field for anything missing or malformed.
[[nodiscard]] faultfs::Result<Artifact> read_artifact(const std::string& dir);

// The command line that replays the artifact at `dir` with this executable.
std::string replay_command(const std::string& dir);
// A CrashSpec as one JSON line and back (a campaign worker leaves the state
// it is recovering where the parent can read it should the target crash).
std::string crash_spec_to_text(const CrashSpec& spec);
[[nodiscard]] faultfs::Result<CrashSpec> crash_spec_from_text(std::string_view text);

// A CrashSpec as one human line (for reports and logs).
std::string describe_crash(const CrashSpec& spec);

}  // namespace torture
