// `dbx-torture exec`: crash-test an unmodified program, unprivileged.
//
// The program runs on the real file system in an empty recording root (its
// cwd) under an LD_PRELOAD library (targets/exec/) that records its
// file-system calls inside the root as a faultfs trace, and the lines it
// writes to $DBX_ACK_FD as acknowledgements stamped with their trace
// position. The trace is then rebuilt as a SimFs; at each crash point (just
// before every sync-family call: fsync, fdatasync, directory fsync, syncfs,
// sync; and at the program's exit; close and sync_file_range promise nothing
// on power loss and are neither points nor durability) crash images are drawn under each policy
// and file-system model, written out as real files, and judged by a check
// command: exit 0 accepts the image, anything else is a violation.
//
// Not seen by the recorder (README, "exec"): stdio writes (fopen for writing
// inside the root aborts the program instead), writes through mmap, calls
// of statically linked or non-libc programs (Go). A final comparison of the
// rebuilt state with the real root warns about any file they changed.
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "faultfs/crash.h"
#include "faultfs/status.h"

namespace torture {

// The program's acknowledgement descriptor (also in $DBX_ACK_FD).
inline constexpr int kExecAckFd = 3;
inline constexpr uint32_t kExecImagesMax = 1u << 16;
inline constexpr uint32_t kExecViolationsListedMax = 100;

struct ExecOptions {
  std::string check;                 // The check command; {dir} and {acks} are replaced.
  std::vector<std::string> program;  // PROGRAM ARGS..., non-empty.
  std::vector<faultfs::CrashPolicy> policies;
  std::vector<faultfs::FsModel> fs_models;  // Each a model the images are built under.
  uint64_t seed = 0;
  std::optional<double> time_s;  // Stop judging after this long (default: judge every image).
  uint32_t images_max = 16;      // Per crash point, policy and model.
  uint32_t jobs = 1;             // Check commands run at once.
  double check_timeout_s = 10;
  double program_timeout_s = 600;
  uint32_t sector_bytes = 512;
  uint32_t violations_max = 10;  // Distinct causes before the run stops.
  std::string report_dir = "exec-report";
  std::string junit_file;
  bool quiet = false;
};

// "posix", "ext4-ordered", comma-separated, or "all".
[[nodiscard]] faultfs::Result<std::vector<faultfs::FsModel>> parse_exec_fs_models(
    std::string_view text);

// Records, judges and reports. 0: no violation; 1: violations; 2: a usage or
// set-up error (one line on `err`), e.g. the program failed or the trace
// holds an operation the simulator cannot rebuild.
int run_exec(const ExecOptions& options, std::ostream& out, std::ostream& err);

// Whether `dir` is an exec finding (holds exec.json).
bool is_exec_artifact(const std::string& dir);

// Rebuilds the finding's crash image and runs its check command again (or
// `check_override`, if not empty). 1: it still fails; 0: it passes; 2: error.
int replay_exec(const std::string& artifact_dir, const std::string& check_override,
                std::ostream& out, std::ostream& err);

}  // namespace torture
