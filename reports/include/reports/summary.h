// The report model of one crash-torture campaign (or of several shards merged).
//
// Plain structs the torture harness fills in and the writers render:
// summary.json (summary_json.h), JUnit XML (junit.h) and index.html
// (html_report.h). Names of durability levels, policies, modes and directory
// modes are strings ("lazy", "torn", "sim", "posix") so that targets and
// reports can grow new ones without this module changing.
//
// Invariants every writer relies on are checked by validate(); readers and
// merge return its error for input that breaks them, writers assert them.
#pragma once

#include <compare>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "reports/status.h"

namespace reports {

// Limits: every list and string in a report is bounded so that a hostile or
// corrupt summary.json cannot exhaust memory or produce an unreadable page.
inline constexpr size_t kNameBytesMax = 64;         // durability, policy, mode, fs_model.
inline constexpr size_t kTextBytesMax = 64 * 1024;  // Any other string.
inline constexpr size_t kNamesMax = 64;             // Entries in one name list or map.
inline constexpr size_t kCasesMax = 4096;           // Entries in crash_states_by_case.
inline constexpr size_t kDiffKeysMax = 8;           // First keys kept per diff category.
inline constexpr size_t kDisplayKeyBytesMax = 96;   // Raw key bytes shown by display_key().
inline constexpr size_t kViolationsMax = 10'000;    // Violations listed in one summary.
inline constexpr size_t kRatePointsMax = 10'000;    // Points in the rate series.
inline constexpr uint32_t kShardCountMax = 65'536;  // N in --shard K/N.
inline constexpr size_t kFaultTextsMax = 64;        // beyond_contract entries.
inline constexpr uint32_t kSectorSizeBytesMax = 1u << 20;
inline constexpr size_t kIdBytesMax = 128;  // Violation ids (a folder name).
// 9999-12-31T23:59:59.999Z: four-digit years keep timestamps one shape.
inline constexpr int64_t kUnixMsMax = 253'402'300'799'999;

// Which shards of a campaign's seed space a summary covers. One run of
// `--shard K/N` covers {K} of N (K is 0-based: 0 <= K < N, as Kubernetes
// indexed jobs count); a merged summary covers the union of its inputs.
struct Shard {
  uint32_t count = 1;
  std::vector<uint32_t> indices = {0};  // Sorted, unique, each < count, non-empty.

  // True when every shard 0..count-1 is covered (the whole campaign ran).
  bool complete() const { return indices.size() == count; }
  bool operator==(const Shard&) const = default;
};

// What the campaign was asked to do: the command line, normalized.
struct CampaignConfig {
  std::string target = "dbx";
  std::vector<std::string> durability;  // e.g. {"none", "lazy", "full"}.
  std::vector<std::string> modes;       // e.g. {"sim", "fork"}.
  std::vector<std::string> policies;    // e.g. {"drop", "prefix", "reorder", "torn", "corrupt"}.
  std::string fs_model = "posix";
  uint64_t seed = 0;
  Shard shard;
  uint32_t ops = 0;      // Operations per workload.
  uint32_t threads = 1;  // Writer threads per workload (fork mode).
  uint32_t jobs = 1;     // Worker processes; a merged summary holds the sum over shards.
  bool io_errors = true;
  std::optional<double> time_limit_s;       // --time; absent when bounded by workloads.
  std::optional<uint64_t> workloads_limit;  // --workloads; absent when bounded by time.

  bool operator==(const CampaignConfig&) const = default;
};

// One JUnit testcase: a durability level x crash policy x mode combination.
struct CaseKey {
  std::string durability;
  std::string policy;
  std::string mode;

  auto operator<=>(const CaseKey&) const = default;
  bool operator==(const CaseKey&) const = default;
};

// "lazy.torn.sim": the testcase name in JUnit and the label in index.html.
std::string case_name(const CaseKey& key);

// What a campaign reached: coverage, never a verdict. Each row is a path a
// recovery bug may hide on, with how often the campaign exercised it. The
// harness lists every row it expected (the target's named kill points and
// recovery outcomes, the workload features of the modes that ran) even at
// zero: a zero row is a path no crash state reached, and the summary says so.
struct Reach {
  // Crash states judged after the process died at the named kill point.
  std::map<std::string, uint64_t> kill_points;
  // Recoveries that did it (the target's own labels, and the harness's
  // "second_generation": a recovery of a history that had already crashed).
  std::map<std::string, uint64_t> recovery_outcomes;
  // Workloads that had it (concurrent writers, crash steps, small tuning...).
  std::map<std::string, uint64_t> workload_features;

  bool operator==(const Reach&) const = default;
};

// The rows of `reach` at zero, as "<section> <name>" (e.g.
// "kill_point dbx/wal/before_sync"), in section then name order.
std::vector<std::string> unreached(const Reach& reach);

struct Counters {
  uint64_t workloads = 0;
  uint64_t crash_states = 0;  // Recovered states judged by the oracle.
  // Breakdowns of crash_states. A crash state without a policy (a process
  // kill judges the directory as left) is counted under whatever name the
  // harness gives it, so the breakdowns need not sum to crash_states.
  std::map<std::string, uint64_t> crash_states_by_policy;
  std::map<std::string, uint64_t> crash_states_by_mode;
  std::map<std::string, uint64_t> crash_states_by_durability;
  std::map<CaseKey, uint64_t> crash_states_by_case;
  uint64_t io_errors_injected = 0;  // Faults that actually fired, not faults armed.
  // Violations of causes the campaign was told are known (--known): not in
  // `violations`, and no failure.
  uint64_t known_suppressed = 0;
  Reach reach;

  bool operator==(const Counters&) const = default;
};

// A violation's "human diff": the recovered state against the closest state
// the contract allows. Keys are display_key() renderings (printable, bounded),
// optionally prefixed by their table by the harness ("users:u1").
struct KeyDiff {
  uint64_t missing_count = 0;              // In the allowed state, not recovered.
  uint64_t extra_count = 0;                // Recovered, not in the allowed state.
  uint64_t wrong_count = 0;                // In both with different values.
  std::vector<std::string> first_missing;  // At most kDiffKeysMax and at most missing_count.
  std::vector<std::string> first_extra;    // Same bounds against extra_count.
  std::vector<std::string> first_wrong;    // Same bounds against wrong_count.
  // The contract's allowed range [lo, hi] of the sequence number p.
  uint64_t allowed_seq_lo = 0;
  uint64_t allowed_seq_hi = 0;
  std::optional<uint64_t> closest_seq;    // The allowed p the diff is against.
  std::optional<uint64_t> recovered_seq;  // The p whose state equals the recovered one, if any.

  bool operator==(const KeyDiff&) const = default;
};

struct Violation {
  std::string id;    // A name (at most kIdBytesMax), unique in the campaign: failures/<id>/.
  std::string kind;  // A name: the oracle's verdict, e.g. "lost_acknowledged_write".
  std::string durability;
  std::string policy;
  std::string mode;
  std::string artifact;  // The artifact folder; a relative path is relative to the report dir.
  std::string replay;    // One command line that replays exactly this crash state.
  std::string detail;    // Free text, e.g. the error recovery returned; may be empty.
  // Where the crash hit: the persistence operation ("sync", "append",
  // "kill point dbx/wal/before_sync") and the file it touched; either may be
  // empty when the harness cannot tell (a kill after an acknowledgement).
  std::string crash_op;
  std::string crash_file;
  KeyDiff diff;

  bool operator==(const Violation&) const = default;
};

// A root cause: violations that share it are one bug seen several times.
struct Cause {
  std::string kind;
  std::string policy;
  std::string crash_op;
  std::string crash_file;

  auto operator<=>(const Cause&) const = default;
  bool operator==(const Cause&) const = default;
};

Cause cause_of(const Violation& violation);

struct CauseGroup {
  Cause cause;
  uint64_t violations = 0;
  std::string first_id;  // The smallest violation id of the group.
};

// The distinct causes of `violations`, largest group first (ties by cause).
std::vector<CauseGroup> group_by_cause(const std::vector<Violation>& violations);

// One sample of campaign progress: crash states judged since the start.
struct RatePoint {
  double t_s = 0;
  uint64_t crash_states = 0;

  bool operator==(const RatePoint&) const = default;
};

struct PolicyDescription {
  std::string name;
  std::string description;

  bool operator==(const PolicyDescription&) const = default;
};

// The declared fault model: what the crashes could do, and what they did
// that is beyond the contract (where detection is all that is required).
struct FaultModel {
  uint32_t sector_size_bytes = 512;
  std::string fs_model = "posix";
  std::vector<PolicyDescription> policies;
  std::vector<std::string> beyond_contract;

  bool operator==(const FaultModel&) const = default;
};

// An exhaustive campaign's space (dbx-torture run --explore exhaustive) and
// how much of it ran. Counts are over every run that reported.
struct Exploration {
  uint32_t max_ops = 0;
  std::vector<std::string> ops_from;   // Operation kinds of the alphabet.
  std::vector<std::string> alphabet;   // Its letters ("put k1=v1", ...), at most kNamesMax.
  std::vector<std::string> fs_models;  // Each workload ran under each.
  uint64_t workloads = 0;              // Words of length 0..max_ops.
  uint64_t runs = 0;                   // workloads x durability levels x fs models.
  uint64_t runs_done = 0;              // Runs that reported, complete (<= runs).
  uint64_t points = 0;                 // Crash points judged.
  uint64_t enumerations = 0;           // (point, policy) image walks.
  uint64_t enumerations_partial = 0;   // Walks over the candidate budget, sampled.
  std::map<std::string, uint64_t> partial_by_policy;
  uint64_t images = 0;      // Distinct images the walks found.
  uint64_t duplicates = 0;  // Choices giving an image their walk had already.
  uint64_t skipped = 0;     // Images already judged under the same bounds.
  uint64_t sampled = 0;     // Images drawn for partial walks.
  bool covered = false;     // Every run done, every walk complete.
  std::string coverage;     // One line: what was covered, or the fraction and why not.

  bool operator==(const Exploration&) const = default;
};

struct Summary {
  CampaignConfig config;
  Counters counters;
  std::vector<Violation> violations;
  double elapsed_s = 0;
  // Cumulative crash states over time: t_s and crash_states non-decreasing.
  std::vector<RatePoint> rate_series;
  FaultModel fault_model;
  std::string engine_version;
  std::string toolkit_version;
  int64_t started_unix_ms = 0;   // In [0, kUnixMsMax].
  int64_t finished_unix_ms = 0;  // In [started_unix_ms, kUnixMsMax].
  std::string hostname;          // A merged summary lists its hosts, comma-separated.
  // Set when a signal cut the campaign short ("SIGINT", "SIGTERM"): the
  // counts cover only what ran before it.
  std::string interrupted;
  // Seconds from the start to the first violation found; absent without one.
  std::optional<double> first_violation_s;
  // --explore campaigns only.
  std::optional<Exploration> exploration;

  bool operator==(const Summary&) const = default;
};

// crash_states / elapsed_s; 0 when no time elapsed.
double crash_states_per_s(const Summary& summary);

// The verdict: true exactly when no violation was found.
bool passed(const Summary& summary);

// OK when `summary` keeps every invariant documented above (names are
// non-empty [A-Za-z0-9_-] of at most kNameBytesMax, name lists non-empty
// without duplicates, target, versions, artifact and replay non-empty, limits
// hold, numbers finite and non-negative, threads and jobs >= 1, shard indices
// sorted and unique, violation ids unique, diffs within their counts and
// closest_seq in the allowed range, fault_model.fs_model == config.fs_model,
// rate series monotonic and within crash_states);
// otherwise an error naming the first offending field.
[[nodiscard]] Status validate(const Summary& summary);

// The fault model faultfs/doc/crash_model.md declares for `policies` under `fs_model`, with the
// standard description of each known policy and the beyond-contract text of
// "corrupt". Unknown policy names get a generic description.
FaultModel describe_fault_model(std::string_view fs_model, const std::vector<std::string>& policies,
                                uint32_t sector_size_bytes);

// A printable, bounded rendering of raw key bytes for a diff: printable ASCII
// as is, '\\' doubled, other bytes as \xNN, and at most kDisplayKeyBytesMax raw
// bytes followed by "...(+N bytes)". Always valid UTF-8.
std::string display_key(std::string_view raw_key);

// "2024-05-01T12:34:56.789Z" (UTC, milliseconds).
std::string format_utc_timestamp(int64_t unix_ms);

// The inverse of format_utc_timestamp(); rejects any other shape.
[[nodiscard]] Result<int64_t> parse_utc_timestamp(std::string_view text);

// This toolkit's version (the CMake project version), for toolkit_version.
const char* toolkit_version();

}  // namespace reports
