// Whole campaigns through the CLI, kept small (a few dozen-op workloads):
// reports that parse, determinism across --jobs, shards that merge into the
// whole, and a test double caught, replayed and shrunk.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>
#include <vector>

#include "cli_run.h"

namespace torture::testing {
namespace {

using Json = nlohmann::json;

Json read_json(const std::string& path) {
  return Json::parse(slurp(path), nullptr, /*allow_exceptions=*/false);
}

// Well-formed HTML5 as the report promises: every non-void element closed in
// order; script and style bodies skipped; comments and doctype allowed.
std::string html_problem(const std::string& html) {
  static const std::set<std::string> kVoid = {"area",   "base",  "br",    "col",  "embed",
                                              "hr",     "img",   "input", "link", "meta",
                                              "source", "track", "wbr"};
  std::vector<std::string> open;
  size_t i = 0;
  while ((i = html.find('<', i)) != std::string::npos) {
    if (html.compare(i, 4, "<!--") == 0) {
      i = html.find("-->", i);
      if (i == std::string::npos) return "unclosed comment";
      continue;
    }
    const size_t end = html.find('>', i);
    if (end == std::string::npos) return "unclosed tag at " + std::to_string(i);
    std::string tag = html.substr(i + 1, end - i - 1);
    i = end + 1;
    if (tag.empty() || tag[0] == '!') continue;
    const bool closing = tag[0] == '/';
    const bool self_closing = tag.back() == '/';
    size_t n = closing ? 1 : 0;
    std::string name;
    while (n < tag.size() && (std::isalnum(static_cast<unsigned char>(tag[n])) || tag[n] == '-')) {
      name.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(tag[n++]))));
    }
    if (name.empty()) return "tag without a name: <" + tag + ">";
    if (closing) {
      if (open.empty() || open.back() != name) return "</" + name + "> closes nothing open";
      open.pop_back();
      continue;
    }
    if (self_closing || kVoid.count(name) > 0) continue;
    if (name == "script" || name == "style") {
      const size_t close = html.find("</" + name, i);
      if (close == std::string::npos) return "unclosed " + name;
      i = close;
    }
    open.push_back(name);
  }
  if (!open.empty()) return "unclosed <" + open.back() + ">";
  return "";
}

TEST(TortureCampaign, ControlTargetPassesAndWritesReportsThatParse) {
  TempDir t;
  const std::string report = t / "report";
  const CliResult r = run_torture(
      "run --target mini-kv --mode all --workloads 6 --ops 20 --jobs 2 "
      "--seed 11 --quiet --report " +
          report + " --junit " + (t / "junit.xml"),
      t);
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("PASS"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(report + "/index.html"), std::string::npos) << r.out;
  const Json s = read_json(report + "/summary.json");
  ASSERT_TRUE(s.is_object());
  for (const char* key :
       {"target", "durability", "modes", "policies", "fs_model", "seed", "shard", "workloads",
        "crash_states", "crash_states_by_policy", "crash_states_by_mode", "violations",
        "violations_list", "elapsed_s", "crash_states_per_s", "fault_model", "engine_version",
        "toolkit_version", "io_errors_injected"}) {
    EXPECT_TRUE(s.contains(key)) << key;
  }
  EXPECT_EQ(s["target"], "mini-kv");
  EXPECT_EQ(s["seed"], 11u);
  EXPECT_EQ(s["workloads"], 6u);
  EXPECT_EQ(s["violations"], 0u);
  EXPECT_GT(s["crash_states"].get<uint64_t>(), 0u);
  EXPECT_GT(s["crash_states_by_mode"].value("sim", 0u), 0u);
  EXPECT_GT(s["crash_states_by_mode"].value("fork", 0u), 0u);
  for (const char* policy : {"drop", "prefix", "reorder", "torn", "corrupt", "kill"}) {
    EXPECT_GT(s["crash_states_by_policy"].value(policy, 0u), 0u) << policy;
  }
  const std::string html = slurp(report + "/index.html");
  EXPECT_EQ(html_problem(html), "");
  EXPECT_EQ(html.find("src=\"http"), std::string::npos);
  const std::string junit = slurp(t / "junit.xml");
  EXPECT_NE(junit.find("<testsuites"), std::string::npos);
  EXPECT_NE(junit.find("lazy.torn.sim"), std::string::npos);
}

// The counts a sim campaign of a seed yields, per case.
Json sim_counts(const std::string& target, const std::string& jobs, const std::string& extra) {
  TempDir t;
  const std::string report = t / "report";
  const CliResult r = run_torture("run --target " + target +
                                      " --mode sim --seed 42 --quiet --max-violations 10000 "
                                      "--jobs " +
                                      jobs + " --report " + report + " " + extra,
                                  t);
  EXPECT_LE(r.code, 1) << r.err;
  const Json s = read_json(report + "/summary.json");
  if (!s.is_object()) return Json();
  return Json{{"crash_states", s.value("crash_states", Json())},
              {"by_case", s.value("crash_states_by_case", Json())},
              {"io", s.value("io_errors_injected", Json())},
              {"violations", s.value("violations", Json())}};
}

TEST(TortureCampaign, SameSeedSameCrashStatesWhateverJobs) {
  // DBX's recovery reads its whole preallocated WAL: few, short workloads.
  const std::pair<std::string, std::string> runs[] = {
      {"mini-kv", "--workloads 6 --ops 25"}, {"dbx", "--workloads 4 --ops 12 --policy drop,torn"}};
  for (const auto& [target, shape] : runs) {
    const Json one = sim_counts(target, "1", shape);
    const Json two = sim_counts(target, "2", shape);
    const Json three = sim_counts(target, "3", shape);
    ASSERT_TRUE(one["crash_states"].is_number()) << target;
    EXPECT_GT(one["crash_states"].get<uint64_t>(), 0u);
    EXPECT_EQ(one, two) << target;
    EXPECT_EQ(one, three) << target;
  }
}

TEST(TortureCampaign, ShardsMergeIntoTheWholeCampaign) {
  TempDir t;
  const std::string common =
      "run --target mini-kv --mode sim --workloads 6 --ops 20 --seed 9 --quiet --jobs 1 ";
  ASSERT_EQ(run_torture(common + "--report " + (t / "whole"), t).code, 0);
  ASSERT_EQ(run_torture(common + "--shard 0/2 --report " + (t / "s0"), t).code, 0);
  ASSERT_EQ(run_torture(common + "--shard 1/2 --report " + (t / "s1"), t).code, 0);
  const CliResult merged =
      run_torture("merge " + (t / "s1") + " " + (t / "s0") + " --report " + (t / "merged"), t);
  ASSERT_EQ(merged.code, 0) << merged.err;
  const Json whole = read_json(t / "whole/summary.json");
  const Json s0 = read_json(t / "s0/summary.json");
  const Json s1 = read_json(t / "s1/summary.json");
  const Json m = read_json(t / "merged/summary.json");
  EXPECT_EQ(s0["workloads"].get<uint64_t>() + s1["workloads"].get<uint64_t>(), 6u);
  EXPECT_EQ(m["workloads"], 6u);
  EXPECT_EQ(m["crash_states"], whole["crash_states"]);
  EXPECT_EQ(m["crash_states_by_case"], whole["crash_states_by_case"]);
  EXPECT_EQ(html_problem(slurp(t / "merged/index.html")), "");
  // A shard merged twice is refused.
  EXPECT_EQ(
      run_torture("merge " + (t / "s0") + " " + (t / "s0") + " --report " + (t / "m2"), t).code, 2);
}

// The first violation's artifact folder of a report.
std::string first_artifact(const std::string& report) {
  const Json s = read_json(report + "/summary.json");
  if (!s.is_object() || s["violations_list"].empty()) return "";
  return report + "/" + s["violations_list"][0]["artifact"].get<std::string>();
}

TEST(TortureCampaign, TestDoubleIsCaughtReplayedAndShrunkToTenOpsOrFewer) {
  TempDir t;
  const std::string report = t / "report";
  const CliResult r = run_torture(
      "run --target no-sync-full --mode sim --workloads 4 --ops 40 "
      "--seed 3 --jobs 2 --quiet --report " +
          report,
      t);
  ASSERT_EQ(r.code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("FAIL"), std::string::npos);
  const std::string artifact = first_artifact(report);
  ASSERT_FALSE(artifact.empty());
  const CliResult replay = run_torture("replay " + artifact, t);
  EXPECT_EQ(replay.code, 1) << replay.out << replay.err;
  EXPECT_NE(replay.out.find("STILL FAILS"), std::string::npos);
  const std::string shrunk = t / "shrunk";
  const CliResult shrink = run_torture("shrink " + artifact + " --out " + shrunk, t);
  ASSERT_EQ(shrink.code, 0) << shrink.out << shrink.err;
  const Json workload = read_json(shrunk + "/workload.json");
  ASSERT_TRUE(workload.is_object());
  EXPECT_LE(workload["steps"].size(), 10u);
  EXPECT_GE(workload["steps"].size(), 1u);
  EXPECT_EQ(run_torture("replay " + shrunk, t).code, 1);
}

TEST(TortureCampaign, ForkModeCatchesADoubleAndItsArtifactReplays) {
  TempDir t;
  const std::string report = t / "report";
  const CliResult r = run_torture(
      "run --target delete-not-logged --mode fork --workloads 16 "
      "--ops 40 --seed 5 --jobs 2 --quiet --report " +
          report,
      t);
  ASSERT_EQ(r.code, 1) << r.out << r.err;
  const std::string artifact = first_artifact(report);
  ASSERT_FALSE(artifact.empty());
  EXPECT_TRUE(std::filesystem::exists(artifact + "/history.db"));
  const CliResult replay = run_torture("replay " + artifact, t);
  EXPECT_EQ(replay.code, 1) << replay.out << replay.err;
}

// --fs-model ext4-ordered reaches every report and the artifact, and the
// finding replays under the same model (its crash choice fits only it).
TEST(TortureCampaign, Ext4OrderedModelIsNamedInEveryReportAndItsFindingReplays) {
  TempDir t;
  const std::string report = t / "report";
  const CliResult r = run_torture(
      "run --target no-sync-full --mode sim --fs-model ext4-ordered --workloads 4 --ops 40 "
      "--seed 3 --jobs 2 --quiet --report " +
          report + " --junit " + (t / "junit.xml"),
      t);
  ASSERT_EQ(r.code, 1) << r.out << r.err;
  const Json s = read_json(report + "/summary.json");
  ASSERT_TRUE(s.is_object());
  EXPECT_EQ(s["fs_model"], "ext4-ordered");
  EXPECT_EQ(s["fault_model"]["fs_model"], "ext4-ordered");
  EXPECT_NE(slurp(t / "junit.xml").find("name=\"fs_model\" value=\"ext4-ordered\""),
            std::string::npos);
  EXPECT_NE(slurp(report + "/index.html").find("File-system model: <b>ext4-ordered</b>"),
            std::string::npos);
  const std::string artifact = first_artifact(report);
  ASSERT_FALSE(artifact.empty());
  const Json meta = read_json(artifact + "/artifact.json");
  EXPECT_EQ(meta.value("fs_model", ""), "ext4-ordered");
  EXPECT_FALSE(meta.contains("dir_mode"));
  const CliResult replay = run_torture("replay " + artifact, t);
  EXPECT_EQ(replay.code, 1) << replay.out << replay.err;
  EXPECT_NE(replay.out.find("STILL FAILS"), std::string::npos) << replay.out;
}

// A report directory holds one campaign: the same run again writes the same
// artifacts, which must replace the first run's, not collide with them.
TEST(TortureCampaign, ASecondRunIntoTheSameReportReplacesTheFirstsFindings) {
  TempDir t;
  const std::string report = t / "report";
  const std::string run =
      "run --target delete-not-logged --mode fork --workloads 16 --ops 40 --seed 5 --jobs 2 "
      "--quiet --report " +
      report;
  ASSERT_EQ(run_torture(run, t).code, 1);
  std::filesystem::create_directories(report + "/failures/stale-artifact");
  const CliResult again = run_torture(run, t);
  EXPECT_EQ(again.code, 1) << again.out << again.err;
  EXPECT_EQ(again.err.find("io_error"), std::string::npos) << again.err;
  EXPECT_FALSE(std::filesystem::exists(report + "/failures/stale-artifact"));
  EXPECT_FALSE(first_artifact(report).empty());
}

}  // namespace
}  // namespace torture::testing
