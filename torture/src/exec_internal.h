// The pieces of `dbx-torture exec` (torture/exec.h): recording, crash
// points and images, the check command, reports and artifacts.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "faultfs/crash.h"
#include "faultfs/sim_fs.h"
#include "faultfs/status.h"
#include "faultfs/trace.h"
#include "reports/summary.h"
#include "torture/exec.h"

namespace torture::exec {

// One acknowledgement line and how many trace records preceded it.
struct Ack {
  uint64_t records = 0;
  std::string line;
};

struct Recording {
  std::string work_dir;  // Temporary; holds root/, trace, acks.log. Removed by the caller.
  std::string trace_path;
  std::string acks_path;
  faultfs::Trace trace;
  std::vector<Ack> acks;
};

// Runs the program under the preload library in a fresh recording root.
[[nodiscard]] faultfs::Result<Recording> record_program(const ExecOptions& options,
                                                        std::ostream& err);
[[nodiscard]] faultfs::Result<std::vector<Ack>> read_acks(const std::string& path);
// Warns on `err` about files whose rebuilt contents differ from the real
// root's: changes the recorder did not see (mmap, stdio, static binaries).
void warn_untraced_changes(const Recording& recording, std::ostream& err);

// A crash point: the state after the first `records` trace records.
struct CrashPoint {
  size_t records = 0;
  std::string op;    // The sync-family record about to run ("sync", "sync_dir"...) or "exit".
  std::string file;  // The file or directory it syncs; empty for sync_fs and exit.
  size_t acks = 0;   // Acknowledgements given before the point.
  std::shared_ptr<const faultfs::SimFs> fs;
};

// Every crash point of the trace, in trace order. An error names the record
// the simulator cannot rebuild.
[[nodiscard]] faultfs::Result<std::vector<CrashPoint>> crash_points(const faultfs::Trace& trace,
                                                                    const std::vector<Ack>& acks);

struct Job {
  size_t point = 0;
  faultfs::CrashChoice choice;
};

// The images to judge: up to images_max per point, policy and model, each
// drawn from its own seed; ordered round by round (every point's first
// image, then every point's second...), so that a time limit still covers
// every point.
std::vector<Job> plan_jobs(const std::vector<CrashPoint>& points, const ExecOptions& options);

// Writes the image of `choice` at `point` to `image_dir` (new or empty).
[[nodiscard]] faultfs::Status materialize(const CrashPoint& point,
                                          const faultfs::CrashChoice& choice,
                                          const std::string& image_dir);
// The first `count` acknowledged lines, one a line, to `path`.
[[nodiscard]] faultfs::Status write_acks_file(const std::string& path, const std::vector<Ack>& acks,
                                              size_t count);

struct CheckOutcome {
  bool passed = false;
  bool timed_out = false;
  int exit_code = 0;   // When it exited; else the killing signal as 128 + N.
  std::string output;  // Its stdout and stderr, at most kCheckOutputBytesMax.

  // "check_failed" or "check_timeout"; empty when it passed.
  std::string kind() const;
  std::string detail() const;
};
inline constexpr size_t kCheckOutputBytesMax = 64 * 1024;

// `text` with every byte other than printable ASCII, '\n' and '\t' as '?':
// a check's output and a program's file names go into JSON and HTML.
std::string printable(std::string_view text);

// `command` with {dir} and {acks} replaced.
std::string expand_check(const std::string& command, const std::string& dir,
                         const std::string& acks_file);
// Runs the expanded check with /bin/sh -c in its own process group (killed
// whole at the timeout), $DBX_ACKS_FILE and $DBX_IMAGE_DIR set and the
// recorder's variables removed; its output goes to `output_file`.
[[nodiscard]] faultfs::Result<CheckOutcome> run_check(const std::string& command,
                                                      const std::string& image_dir,
                                                      const std::string& acks_file,
                                                      const std::string& output_file,
                                                      double timeout_s);

// What an artifact records of one finding.
struct ExecFinding {
  std::string check;
  size_t point_records = 0;
  faultfs::CrashChoice choice;
  double check_timeout_s = 0;
  std::string kind;
  int exit_code = 0;
};

// Writes <dir>/exec.json, trace (a hard link or copy), acks.log, output.txt
// and image/ (the judged image).
[[nodiscard]] faultfs::Status save_artifact(const std::string& dir, const ExecFinding& finding,
                                            const Recording& recording, const std::string& output,
                                            const std::string& image_dir);
[[nodiscard]] faultfs::Result<ExecFinding> read_finding(const std::string& artifact_dir);

// Totals of a run, for the report.
struct RunTotals {
  uint64_t judged = 0;
  uint64_t duplicates = 0;  // Images equal to one already judged at the same point: skipped.
  std::map<std::string, uint64_t> by_policy;
  std::map<reports::CaseKey, uint64_t> by_case;
  std::vector<reports::Violation> violations;
  std::vector<reports::RatePoint> rate;
  double elapsed_s = 0;
  int64_t started_unix_ms = 0;
  int64_t finished_unix_ms = 0;
  std::optional<double> first_violation_s;
};

reports::Summary build_summary(const ExecOptions& options, const RunTotals& totals);
// summary.json, index.html and the JUnit file; 0 or 2 (error on `err`).
int write_reports(const ExecOptions& options, const reports::Summary& summary, std::ostream& err);

}  // namespace torture::exec
