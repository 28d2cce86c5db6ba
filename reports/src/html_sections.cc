#include "html_sections.h"

#include <algorithm>
#include <cassert>
#include <map>
#include <set>

#include "reports/html_report.h"
#include "svg_chart.h"
#include "text.h"

namespace reports::html {
namespace {

constexpr const char* kDot = " \xC2\xB7 ";  // " · "
constexpr size_t kRateChartPointsMax = 240;

std::string esc(std::string_view value) { return text::escape_markup(value); }

std::string plural(uint64_t count, std::string_view one, std::string_view many) {
  return text::format_count(count) + " " + std::string(count == 1 ? one : many);
}

std::string join(const std::vector<std::string>& names, std::string_view separator) {
  std::string out;
  for (const std::string& name : names) out += (out.empty() ? "" : std::string(separator)) + name;
  return out;
}

std::string row(std::string_view header, const std::string& cell_html) {
  return "<tr><th>" + esc(header) + "</th><td>" + cell_html + "</td></tr>\n";
}

// "name 1,234 · other 56" for a breakdown map, in the given order first.
std::string breakdown(const std::map<std::string, uint64_t>& counts,
                      const std::vector<std::string>& order) {
  std::vector<std::string> parts;
  std::set<std::string> shown;
  for (const std::string& name : order) {
    const auto it = counts.find(name);
    parts.push_back(esc(name) + " " + text::format_count(it == counts.end() ? 0 : it->second));
    shown.insert(name);
  }
  for (const auto& [name, count] : counts) {
    if (!shown.contains(name)) parts.push_back(esc(name) + " " + text::format_count(count));
  }
  return parts.empty() ? "<span class=\"muted\">none recorded</span>" : join(parts, kDot);
}

std::string keys_cell(const std::vector<std::string>& keys, uint64_t count) {
  if (count == 0) return "<td class=\"keys muted\">\xE2\x80\x94</td>";  // An em dash.
  std::string cell = "<td class=\"keys\">";
  for (const std::string& key : keys) cell += "<code>" + esc(key) + "</code>";
  if (count > keys.size()) {
    cell += "<span class=\"muted\">and " + text::format_count(count - keys.size()) + " more</span>";
  }
  return cell + "</td>";
}

std::string diff_table(const KeyDiff& d) {
  if (d.missing_count == 0 && d.extra_count == 0 && d.wrong_count == 0) {
    return "<p class=\"muted\">No key differences recorded.</p>\n";
  }
  std::string table =
      "<table class=\"diff\"><tr><th>keys</th><th class=\"num\">count</th>"
      "<th>first keys</th></tr>\n";
  table += "<tr><td>missing (allowed, not recovered)</td><td class=\"num\">" +
           text::format_count(d.missing_count) + "</td>" +
           keys_cell(d.first_missing, d.missing_count) + "</tr>\n";
  table += "<tr><td>extra (recovered, not allowed)</td><td class=\"num\">" +
           text::format_count(d.extra_count) + "</td>" + keys_cell(d.first_extra, d.extra_count) +
           "</tr>\n";
  table += "<tr><td>wrong value</td><td class=\"num\">" + text::format_count(d.wrong_count) +
           "</td>" + keys_cell(d.first_wrong, d.wrong_count) + "</tr>\n";
  return table + "</table>\n";
}

std::string sequence_line(const KeyDiff& d) {
  std::string line = "Allowed sequence numbers p \xE2\x88\x88 [" +
                     text::format_count(d.allowed_seq_lo) + ", " +
                     text::format_count(d.allowed_seq_hi) + "]";
  if (d.closest_seq.has_value()) {
    line += "; diff against p = " + text::format_count(*d.closest_seq);
  }
  line += d.recovered_seq.has_value()
              ? "; the recovered state equals p = " + text::format_count(*d.recovered_seq)
              : "; the recovered state equals no state p";
  return "<p class=\"muted\">" + line + ".</p>\n";
}

std::string violation_article(const Violation& v) {
  std::string out = "<article class=\"violation\" id=\"violation-" + esc(v.id) + "\">\n";
  out += "<header><span class=\"kind\">" + esc(v.kind) + "</span><b class=\"mono\">" + esc(v.id) +
         "</b><span class=\"case\">durability " + esc(v.durability) + kDot + "policy " +
         esc(v.policy) + kDot + "mode " + esc(v.mode) + "</span></header>\n";
  if (!v.crash_op.empty() || !v.crash_file.empty()) {
    out += "<p class=\"muted\">Crash at <code>" + esc(v.crash_op) + "</code> on <code>" +
           esc(v.crash_file) + "</code></p>\n";
  }
  if (!v.detail.empty()) out += "<p class=\"detail\">" + esc(v.detail) + "</p>\n";
  out += diff_table(v.diff);
  out += sequence_line(v.diff);
  out += "<p class=\"muted\">Artifact: <code>" + esc(v.artifact) + "</code></p>\n";
  out += "<div class=\"replay\"><pre>" + esc(v.replay) +
         "</pre><button class=\"copy\" type=\"button\" title=\"Copy the replay command\">Copy"
         "</button></div>\n";
  return out + "</article>\n";
}

std::string figure(std::string_view value, std::string_view label, bool bad) {
  return std::string("<div class=\"figure") + (bad ? " bad" : "") + "\"><div class=\"value\">" +
         esc(value) + "</div><div class=\"label\">" + esc(label) + "</div></div>\n";
}

// Config order first, then names only the counters or violations mention.
std::vector<std::string> ordered_names(const std::vector<std::string>& configured,
                                       const std::set<std::string>& seen) {
  std::vector<std::string> names = configured;
  for (const std::string& name : seen) {
    if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
  }
  return names;
}

// Durability x policy rows, mode columns: crash states per case, with the
// cells that hold violations marked.
std::string coverage_table(const Summary& summary) {
  const auto& by_case = summary.counters.crash_states_by_case;
  if (by_case.empty()) return "";
  std::map<CaseKey, uint64_t> violations;
  std::set<std::string> durabilities, policies, modes;
  for (const auto& [key, count] : by_case) {
    durabilities.insert(key.durability);
    policies.insert(key.policy);
    modes.insert(key.mode);
  }
  for (const Violation& v : summary.violations) {
    violations[CaseKey{v.durability, v.policy, v.mode}]++;
    durabilities.insert(v.durability);
    policies.insert(v.policy);
    modes.insert(v.mode);
  }
  const CampaignConfig& config = summary.config;
  const auto durability_order = ordered_names(config.durability, durabilities);
  const auto policy_order = ordered_names(config.policies, policies);
  const auto mode_order = ordered_names(config.modes, modes);
  std::string out =
      "<h3 class=\"spaced\">Crash states per case</h3>\n<table class=\"coverage\">"
      "<tr><th>durability</th><th>policy</th>";
  for (const std::string& mode : mode_order) out += "<th class=\"num\">" + esc(mode) + "</th>";
  out += "</tr>\n";
  for (const std::string& durability : durability_order) {
    for (const std::string& policy : policy_order) {
      out += "<tr><td>" + esc(durability) + "</td><td>" + esc(policy) + "</td>";
      for (const std::string& mode : mode_order) {
        const CaseKey key{durability, policy, mode};
        const auto count = by_case.find(key);
        const auto hits = violations.find(key);
        const uint64_t states = count == by_case.end() ? 0 : count->second;
        if (hits != violations.end()) {
          out += "<td class=\"num hit\">" + text::format_count(states) + kDot +
                 plural(hits->second, "violation", "violations") + "</td>";
        } else {
          out += std::string("<td class=\"num") + (states == 0 ? " none" : "") + "\">" +
                 text::format_count(states) + "</td>";
        }
      }
      out += "</tr>\n";
    }
  }
  return out + "</table>\n";
}

}  // namespace

std::string verdict_section(const Summary& summary) {
  const Counters& c = summary.counters;
  const bool pass = passed(summary);
  std::string what =
      pass ? "No violation" : plural(summary.violations.size(), "violation", "violations");
  what += " in " + plural(c.crash_states, "crash state", "crash states") + " from " +
          plural(c.workloads, "workload", "workloads");
  std::string note;
  if (!pass) {
    std::map<std::string, uint64_t> kinds;
    for (const Violation& v : summary.violations) kinds[v.kind]++;
    std::vector<std::string> parts;
    for (const auto& [kind, count] : kinds) parts.push_back(text::format_count(count) + " " + kind);
    note = "Kinds: " + join(parts, ", ");
  } else {
    note = "Every recovered state was one the contract allows under the declared fault model.";
  }
  std::string out = std::string("<section class=\"verdict ") + (pass ? "pass" : "fail") +
                    "\"><div class=\"word\">" + (pass ? "PASS" : "FAIL") +
                    "</div><div><div class=\"what\">" + esc(what) + "</div><div class=\"note\">" +
                    esc(note) + "</div>";
  const Shard& shard = summary.config.shard;
  if (!shard.complete()) {
    out += "<div class=\"warn\">Partial campaign: " + text::format_count(shard.indices.size()) +
           " of " + text::format_count(shard.count) + " shards.</div>";
  } else if (shard.count > 1) {
    out += "<div class=\"note\">All " + text::format_count(shard.count) + " shards merged.</div>";
  }
  if (c.crash_states == 0) {
    out += "<div class=\"warn\">No crash state was judged: this verdict proves nothing.</div>";
  }
  if (!summary.interrupted.empty()) {
    out += "<div class=\"warn\">Interrupted by " + esc(summary.interrupted) + " after " +
           esc(text::format_duration(summary.elapsed_s)) +
           ": the counts cover only what ran before it.</div>";
  }
  return out + "</div></section>\n";
}

std::string figures_section(const Summary& summary) {
  const Counters& c = summary.counters;
  std::string out = "<div class=\"figures\">\n";
  out += figure(text::format_count(c.crash_states), "crash states judged", false);
  out += figure(text::format_count(c.workloads), "workloads", false);
  out += figure(text::format_rate(crash_states_per_s(summary)), "crash states / s", false);
  out += figure(text::format_duration(summary.elapsed_s), "elapsed", false);
  out += figure(text::format_count(c.io_errors_injected), "I/O errors injected", false);
  out += figure(text::format_count(summary.violations.size()), "violations",
                !summary.violations.empty());
  if (c.known_suppressed > 0) {
    out += figure(text::format_count(c.known_suppressed), "of known causes, suppressed", false);
  }
  if (!summary.violations.empty()) {
    out += figure(text::format_count(group_by_cause(summary.violations).size()), "distinct causes",
                  true);
  }
  if (summary.first_violation_s) {
    out +=
        figure(text::format_duration(*summary.first_violation_s), "to the first violation", true);
  }
  return out + "</div>\n";
}

std::string violations_section(const Summary& summary) {
  if (summary.violations.empty()) return "";
  std::string out = "<section class=\"card\" id=\"violations\">\n<h2>Violations (" +
                    text::format_count(summary.violations.size()) + ")</h2>\n";
  out +=
      "<p class=\"muted\">Each replay command rebuilds exactly that crash state and judges it "
      "again; it exits 1 while the bug is there.</p>\n";
  const size_t shown = std::min(summary.violations.size(), kHtmlViolationsMax);
  for (size_t i = 0; i < shown; i++) out += violation_article(summary.violations[i]);
  if (shown < summary.violations.size()) {
    out += "<p class=\"warn\">" + text::format_count(summary.violations.size() - shown) +
           " more violations are listed in summary.json.</p>\n";
  }
  return out + "</section>\n";
}

std::string causes_section(const Summary& summary) {
  if (summary.violations.empty()) return "";
  std::string out =
      "<section class=\"card\" id=\"causes\">\n<h2>Causes</h2>\n<p class=\"muted\">Violations "
      "with the same kind, policy, operation and file at the crash point: likely one bug "
      "each.</p>\n<table>\n<tr><th>kind</th><th>policy</th><th>operation</th><th>file</th>"
      "<th class=\"num\">violations</th><th>first</th></tr>\n";
  for (const CauseGroup& group : group_by_cause(summary.violations)) {
    const Cause& c = group.cause;
    out += "<tr><td>" + esc(c.kind) + "</td><td>" + esc(c.policy) + "</td><td class=\"mono\">" +
           esc(c.crash_op) + "</td><td class=\"mono\">" + esc(c.crash_file) +
           "</td><td class=\"num\">" + text::format_count(group.violations) + "</td><td>" +
           "<code>" + esc(group.first_id) + "</code></td></tr>\n";
  }
  return out + "</table>\n</section>\n";
}

std::string charts_section(const Summary& summary) {
  const Counters& c = summary.counters;
  std::vector<svg::Bar> bars;
  for (const std::string& policy : summary.config.policies) {
    const auto it = c.crash_states_by_policy.find(policy);
    bars.push_back({policy, it == c.crash_states_by_policy.end() ? 0 : it->second});
  }
  for (const auto& [policy, count] : c.crash_states_by_policy) {
    const auto& configured = summary.config.policies;
    if (std::find(configured.begin(), configured.end(), policy) == configured.end()) {
      bars.push_back({policy, count});
    }
  }
  std::string out =
      "<section class=\"card\" id=\"charts\">\n<h2>Charts</h2>\n<div class=\"charts\">";
  out += "<figure><figcaption>Crash states per policy</figcaption>" +
         svg::bar_chart(bars, "Crash states per policy") + "</figure>\n";
  out += "<figure><figcaption>Rate over time (crash states / s)</figcaption>" +
         svg::line_chart(svg::rate_points(summary.rate_series, kRateChartPointsMax),
                         "Crash states per second over time", "time since start (s)",
                         "crash states / s") +
         "</figure>\n</div>\n";
  out += coverage_table(summary);
  return out + "</section>\n";
}

std::string fault_model_section(const Summary& summary) {
  const FaultModel& model = summary.fault_model;
  std::string out = "<section class=\"card\" id=\"fault-model\">\n<h2>Declared fault model</h2>\n";
  out +=
      "<p>A crash keeps every durable image (file data made durable by fsync or fdatasync, "
      "directory entries by fsync of the directory) and applies one policy's choice of the "
      "un-synced changes. Sector size: <b>" +
      text::format_count(model.sector_size_bytes) + " bytes</b>. File-system model: <b>" +
      esc(model.fs_model) + "</b>";
  if (model.fs_model == "posix") {
    out += " (POSIX: a create, rename or unlink persists only after fsync of its directory)";
  } else if (model.fs_model == "ext4-ordered") {
    out +=
        " (ext4 data=ordered: entry changes and truncates persist as one in-order journal "
        "that any fsync commits; appends persist whole, after the journal entries before "
        "them; overwrites are unordered)";
  }
  out += ".</p>\n";
  if (summary.config.io_errors) {
    out += "<p>I/O errors: EIO, ENOSPC and short writes injected in a share of workloads; " +
           plural(summary.counters.io_errors_injected, "fault", "faults") + " fired.</p>\n";
  }
  out += "<table><tr><th>policy</th><th>what survives of the un-synced changes</th></tr>\n";
  for (const PolicyDescription& policy : model.policies) {
    out += "<tr><td><b>" + esc(policy.name) + "</b></td><td>" + esc(policy.description) +
           "</td></tr>\n";
  }
  out += "</table>\n";
  if (!model.beyond_contract.empty()) {
    out += "<div class=\"beyond\"><b>Beyond the contract</b><ul>";
    for (const std::string& entry : model.beyond_contract) out += "<li>" + esc(entry) + "</li>";
    out += "</ul></div>\n";
  }
  return out + "</section>\n";
}

std::string config_section(const Summary& summary) {
  const CampaignConfig& c = summary.config;
  std::string shard;
  for (const uint32_t index : c.shard.indices) {
    shard += (shard.empty() ? "" : ", ") + std::to_string(index);
  }
  std::string out =
      "<section class=\"card\" id=\"config\">\n<h2>Configuration</h2>\n"
      "<table class=\"kv\">\n";
  out += row("target", esc(c.target));
  out += row("durability", esc(join(c.durability, ", ")));
  out += row("modes", esc(join(c.modes, ", ")));
  out += row("policies", esc(join(c.policies, ", ")));
  out += row("file-system model", esc(c.fs_model));
  out += row("seed", std::to_string(c.seed));
  out += row("shard", c.shard.count == 1
                          ? std::string("not sharded")
                          : esc(shard) + " of " + std::to_string(c.shard.count) + " (0-based)");
  out += row("operations per workload", text::format_count(c.ops));
  out += row("writer threads", text::format_count(c.threads));
  out += row("jobs", text::format_count(c.jobs));
  out += row("I/O error injection", c.io_errors ? "on" : "off");
  out += row("time limit",
             c.time_limit_s.has_value() ? esc(text::format_duration(*c.time_limit_s)) : "none");
  out += row("workload limit",
             c.workloads_limit.has_value() ? text::format_count(*c.workloads_limit) : "none");
  out += row("crash states by mode", breakdown(summary.counters.crash_states_by_mode, c.modes));
  out += row("crash states by durability",
             breakdown(summary.counters.crash_states_by_durability, c.durability));
  out += row("engine version", esc(summary.engine_version));
  out += row("toolkit version", esc(summary.toolkit_version));
  out += row("started", format_utc_timestamp(summary.started_unix_ms));
  out += row("finished", format_utc_timestamp(summary.finished_unix_ms));
  out += row("host", summary.hostname.empty() ? "<span class=\"muted\">unknown</span>"
                                              : esc(summary.hostname));
  return out + "</table>\n</section>\n";
}

}  // namespace reports::html
