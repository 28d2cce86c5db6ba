// Sample summaries for the reports tests: a clean campaign, one with
// violations, and one whose every free-text field is hostile markup.
#pragma once

#include <string>

#include "reports/summary.h"

namespace reports::testing {

// Strings no writer may emit raw: markup, quotes, an entity, a control byte,
// invalid UTF-8 and a non-ASCII character.
inline const std::string kHostile =
    "<script>alert('x')</script> & \"quoted\" 'single' &amp; \x01 \xFF\xFE caf\xC3\xA9";

// All three durability levels, both modes, all five policies, 60 s, with
// per-policy/mode/durability/case counters and a 7-point rate series.
inline Summary passing_summary() {
  Summary s;
  CampaignConfig& c = s.config;
  c.target = "dbx";
  c.durability = {"none", "lazy", "full"};
  c.modes = {"sim", "fork"};
  c.policies = {"drop", "prefix", "reorder", "torn", "corrupt"};
  c.fs_model = "posix";
  c.seed = 42;
  c.shard = Shard{1, {0}};
  c.ops = 100;
  c.threads = 2;
  c.jobs = 2;
  c.io_errors = true;
  c.time_limit_s = 60.0;
  uint64_t total = 0;
  uint64_t per_case = 1000;
  for (const std::string& d : c.durability) {
    for (const std::string& p : c.policies) {
      for (const std::string& m : c.modes) {
        s.counters.crash_states_by_case[CaseKey{d, p, m}] = per_case;
        s.counters.crash_states_by_policy[p] += per_case;
        s.counters.crash_states_by_mode[m] += per_case;
        s.counters.crash_states_by_durability[d] += per_case;
        total += per_case;
        per_case += 137;
      }
    }
  }
  s.counters.crash_states = total;
  s.counters.workloads = 812;
  s.counters.io_errors_injected = 37;
  s.elapsed_s = 60.25;
  const double times[] = {5, 10, 20, 30, 40, 50, 60.25};
  for (size_t i = 0; i < std::size(times); i++) {
    s.rate_series.push_back({times[i], total * (i + 1) / std::size(times)});
  }
  s.fault_model = describe_fault_model("posix", c.policies, 512);
  s.engine_version = "0.1.0";
  s.toolkit_version = "0.1.0";
  s.started_unix_ms = 1'714'566'896'789;  // 2024-05-01T12:34:56.789Z
  s.finished_unix_ms = s.started_unix_ms + 60'250;
  s.hostname = "ci-runner-1";
  return s;
}

// "v<i>", appended piecewise: GCC 12 -O2 reports a bogus -Wrestrict on
// `"v" + std::to_string(i)` (GCC bug 105651).
inline std::string numbered_id(size_t i) {
  std::string id("v");
  id += std::to_string(i);
  return id;
}

inline Violation sample_violation(std::string id, std::string durability, std::string policy,
                                  std::string mode) {
  Violation v;
  v.id = std::move(id);
  v.kind = "lost_acknowledged_write";
  v.durability = std::move(durability);
  v.policy = std::move(policy);
  v.mode = std::move(mode);
  v.artifact = "failures/" + v.id;
  v.replay = "dbx-torture replay report/failures/" + v.id;
  v.detail = "recovered state at p=17 is below the acknowledged p=19";
  v.crash_op = "append";
  v.crash_file = "db/wal";
  v.diff.missing_count = 12;
  v.diff.first_missing = {"users:u17", "users:u18"};
  v.diff.wrong_count = 1;
  v.diff.first_wrong = {"users:u3"};
  v.diff.allowed_seq_lo = 19;
  v.diff.allowed_seq_hi = 24;
  v.diff.closest_seq = 19;
  v.diff.recovered_seq = 17;
  return v;
}

// passing_summary() with two violations in lazy.torn.sim and one in full.drop.fork.
inline Summary failing_summary() {
  Summary s = passing_summary();
  s.violations.push_back(sample_violation("s0-w17-c3", "lazy", "torn", "sim"));
  s.violations.push_back(sample_violation("s0-w18-c1", "lazy", "torn", "sim"));
  Violation hole = sample_violation("s0-w90-c0", "full", "drop", "fork");
  hole.kind = "hole";
  hole.diff = KeyDiff{};
  hole.diff.extra_count = 3;
  hole.diff.first_extra = {"t:\\x00k"};
  hole.diff.allowed_seq_lo = 5;
  hole.diff.allowed_seq_hi = 5;
  s.violations.push_back(hole);
  return s;
}

// failing_summary() with kHostile in every free-text field.
inline Summary hostile_summary() {
  Summary s = failing_summary();
  s.config.target = kHostile;
  s.hostname = kHostile;
  s.engine_version = kHostile;
  s.fault_model.beyond_contract.push_back(kHostile);
  s.fault_model.policies[0].description = kHostile;
  for (Violation& v : s.violations) {
    v.artifact = kHostile + "/" + v.id;
    v.replay = "dbx-torture replay '" + kHostile + "/" + v.id + "'";
    v.detail = kHostile;
    v.crash_op = kHostile;
    v.crash_file = kHostile;
    if (!v.diff.first_missing.empty()) v.diff.first_missing[0] = kHostile;
  }
  return s;
}

}  // namespace reports::testing
