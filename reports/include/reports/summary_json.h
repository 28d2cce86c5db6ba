// summary.json: the machine-readable report.
//
// Top-level keys: format, format_version, target, durability, modes, policies,
// fs_model, seed, shard{count, indices}, ops, threads, jobs, io_errors,
// time_limit_s, workloads_limit, workloads, crash_states,
// crash_states_by_policy{}, crash_states_by_mode{}, crash_states_by_durability{},
// crash_states_by_case[{durability, policy, mode, crash_states}],
// io_errors_injected, violations (a count), violations_list[{id, kind,
// durability, policy, mode, artifact, replay, detail, diff{...}}], elapsed_s,
// crash_states_per_s, rate_series[{t_s, crash_states}], fault_model{...},
// engine_version, toolkit_version, started_at, finished_at, hostname.
//
// Readers ignore keys they do not know (newer writers may add some) and reject
// a format_version they do not know.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "reports/status.h"
#include "reports/summary.h"

namespace reports {

inline constexpr uint64_t kSummaryFormatVersion = 1;
// A larger summary.json is rejected before parsing: parsing builds a DOM
// several times the text's size. A full summary (kViolationsMax violations
// with their diffs, kRatePointsMax rate points) stays far below this.
inline constexpr size_t kSummaryJsonBytesMax = 32u << 20;

// Renders `summary` (which must pass validate()) as pretty-printed JSON with a
// trailing newline. Never fails: bytes that are not valid UTF-8 become U+FFFD,
// so the round trip is exact for valid UTF-8 text.
std::string summary_to_json(const Summary& summary);

// Parses a summary_to_json() document. Rejects, with one line naming the key
// at fault, anything that is not JSON, lacks a key, has a key of the wrong type
// or out of range, or breaks validate(). Never throws, never aborts.
[[nodiscard]] Result<Summary> summary_from_json(std::string_view text);

}  // namespace reports
