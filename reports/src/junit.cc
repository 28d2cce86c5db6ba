#include "reports/junit.h"

#include <cassert>
#include <map>
#include <set>

#include "text.h"

namespace reports {
namespace {

struct TestCase {
  CaseKey key;
  uint64_t crash_states = 0;
  std::vector<const Violation*> violations;
};

// Every configured combination in configuration order, then any other
// combination a counter or a violation names (sorted), so that no failure is
// left out of the XML even if its policy was not configured (a process kill).
std::vector<TestCase> collect_cases(const Summary& summary) {
  const CampaignConfig& config = summary.config;
  std::vector<TestCase> cases;
  std::map<CaseKey, size_t> position;
  for (const std::string& durability : config.durability) {
    for (const std::string& policy : config.policies) {
      for (const std::string& mode : config.modes) {
        CaseKey key{durability, policy, mode};
        position.emplace(key, cases.size());
        cases.push_back({std::move(key), 0, {}});
      }
    }
  }
  std::set<CaseKey> extras;
  for (const auto& [key, count] : summary.counters.crash_states_by_case) {
    if (!position.contains(key)) extras.insert(key);
  }
  for (const Violation& v : summary.violations) {
    CaseKey key{v.durability, v.policy, v.mode};
    if (!position.contains(key)) extras.insert(std::move(key));
  }
  for (const CaseKey& key : extras) {
    position.emplace(key, cases.size());
    cases.push_back({key, 0, {}});
  }
  for (const auto& [key, count] : summary.counters.crash_states_by_case) {
    cases[position.at(key)].crash_states = count;
  }
  for (const Violation& v : summary.violations) {
    cases[position.at(CaseKey{v.durability, v.policy, v.mode})].violations.push_back(&v);
  }
  assert(cases.size() >= config.durability.size() * config.policies.size() * config.modes.size());
  return cases;
}

std::string attribute(std::string_view name, std::string_view value) {
  std::string out(" ");  // Appended piecewise: see GCC bug 105651 in text.cc.
  out += name;
  out += "=\"";
  out += text::escape_markup(value);
  out += '"';
  return out;
}

std::string property(std::string_view name, std::string_view value) {
  return "      <property" + attribute("name", name) + attribute("value", value) + "/>\n";
}

std::string join(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& name : names) out += (out.empty() ? "" : ",") + name;
  return out;
}

std::string properties(const Summary& summary) {
  const CampaignConfig& c = summary.config;
  std::string shard;
  for (const uint32_t index : c.shard.indices) {
    if (!shard.empty()) shard += ',';
    shard += std::to_string(index);
  }
  std::string out = "    <properties>\n";
  out += property("target", c.target);
  out += property("seed", std::to_string(c.seed));
  out += property("shard", shard + "/" + std::to_string(c.shard.count));
  out += property("durability", join(c.durability));
  out += property("modes", join(c.modes));
  out += property("policies", join(c.policies));
  out += property("fs_model", c.fs_model);
  out += property("ops", std::to_string(c.ops));
  out += property("threads", std::to_string(c.threads));
  out += property("jobs", std::to_string(c.jobs));
  out += property("io_errors", c.io_errors ? "on" : "off");
  out += property("workloads", std::to_string(summary.counters.workloads));
  out += property("crash_states", std::to_string(summary.counters.crash_states));
  out += property("crash_states_per_s", text::format_fixed(crash_states_per_s(summary), 1));
  out += property("io_errors_injected", std::to_string(summary.counters.io_errors_injected));
  out += property("known_suppressed", std::to_string(summary.counters.known_suppressed));
  out += property("sector_size_bytes", std::to_string(summary.fault_model.sector_size_bytes));
  out += property("engine_version", summary.engine_version);
  out += property("toolkit_version", summary.toolkit_version);
  out += property("distinct_causes", std::to_string(group_by_cause(summary.violations).size()));
  if (summary.first_violation_s) {
    out += property("first_violation_s", text::format_fixed(*summary.first_violation_s, 3));
  }
  if (!summary.interrupted.empty()) out += property("interrupted", summary.interrupted);
  out += "    </properties>\n";
  return out;
}

std::string failure_text(const TestCase& test_case) {
  std::string body;
  const size_t shown = std::min(test_case.violations.size(), kJunitViolationsPerCaseMax);
  for (size_t i = 0; i < shown; i++) {
    const Violation& v = *test_case.violations[i];
    const KeyDiff& d = v.diff;
    body += v.kind + " (violation " + v.id + ")\n";
    body += "  replay:   " + v.replay + "\n";
    body += "  artifact: " + v.artifact + "\n";
    body += "  diff:     " + std::to_string(d.missing_count) + " missing, " +
            std::to_string(d.extra_count) + " extra, " + std::to_string(d.wrong_count) +
            " wrong; allowed sequence range [" + std::to_string(d.allowed_seq_lo) + ", " +
            std::to_string(d.allowed_seq_hi) + "]\n";
    if (!v.detail.empty()) body += "  detail:   " + v.detail + "\n";
  }
  if (shown < test_case.violations.size()) {
    body += "... and " + std::to_string(test_case.violations.size() - shown) +
            " more violations (see summary.json)\n";
  }
  return body;
}

}  // namespace

std::string render_junit_xml(const Summary& summary) {
  assert(validate(summary).is_ok());
  const std::vector<TestCase> cases = collect_cases(summary);
  const std::string classname = "dbx-torture." + summary.config.target;
  // Per-case counts are optional: without them no case can be called skipped
  // and time is split evenly.
  const bool counts_known = !summary.counters.crash_states_by_case.empty();
  uint64_t counted_states = 0;
  for (const TestCase& test_case : cases) counted_states += test_case.crash_states;

  std::string body;
  size_t failures = 0;
  size_t skipped = 0;
  for (const TestCase& test_case : cases) {
    const double share =
        counts_known && counted_states > 0
            ? static_cast<double>(test_case.crash_states) / static_cast<double>(counted_states)
            : 1.0 / static_cast<double>(cases.size());
    body += "    <testcase" + attribute("name", case_name(test_case.key)) +
            attribute("classname", classname) +
            attribute("time", text::format_fixed(summary.elapsed_s * share, 3));
    if (!test_case.violations.empty()) {
      failures++;
      const Violation& first = *test_case.violations[0];
      const std::string message = first.kind + ": " + std::to_string(test_case.violations.size()) +
                                  " violation(s); replay: " + first.replay;
      body += ">\n      <failure" + attribute("message", message) + attribute("type", first.kind) +
              ">" + text::escape_markup(failure_text(test_case)) + "</failure>\n    </testcase>\n";
    } else if (counts_known && test_case.crash_states == 0) {
      skipped++;
      body += ">\n      <skipped" + attribute("message", "no crash state of this combination ran") +
              "/>\n    </testcase>\n";
    } else {
      body += "/>\n";
    }
  }
  assert(failures + skipped <= cases.size());
  // A campaign a signal cut short is an error of its own: CI must not read
  // its partial counts as a full run that passed.
  size_t errors = 0;
  size_t test_count = cases.size();
  if (!summary.interrupted.empty()) {
    errors = 1;
    ++test_count;
    const std::string message = "campaign interrupted by " + summary.interrupted +
                                "; the counts cover only what ran before it";
    body += "    <testcase" + attribute("name", "campaign.complete") +
            attribute("classname", classname) + attribute("time", "0.000") + ">\n      <error" +
            attribute("message", message) + attribute("type", "interrupted") +
            "/>\n    </testcase>\n";
  }

  const std::string tests = std::to_string(test_count);
  const std::string time = text::format_fixed(summary.elapsed_s, 3);
  // xs:dateTime without a zone, as the JUnit schemas expect; the value is UTC.
  const std::string timestamp = format_utc_timestamp(summary.started_unix_ms).substr(0, 19);
  std::string xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  xml += "<testsuites" + attribute("name", "dbx-torture") + attribute("tests", tests) +
         attribute("failures", std::to_string(failures)) +
         attribute("errors", std::to_string(errors)) + attribute("time", time) + ">\n";
  xml += "  <testsuite" + attribute("name", classname) + attribute("tests", tests) +
         attribute("failures", std::to_string(failures)) +
         attribute("errors", std::to_string(errors)) +
         attribute("skipped", std::to_string(skipped)) + attribute("time", time) +
         attribute("timestamp", timestamp) + attribute("hostname", summary.hostname) + ">\n";
  xml += properties(summary);
  xml += body;
  xml += "  </testsuite>\n</testsuites>\n";
  return xml;
}

}  // namespace reports
