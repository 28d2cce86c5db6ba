// --known FILE: a campaign goes past the causes it was told are known and
// still fails on a new one.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "cli_run.h"

namespace torture::testing {
namespace {

using Json = nlohmann::json;

constexpr const char* kCampaign = "--mode sim --workloads 20 --seed 3 --jobs 1 --quiet";

Json read_json(const std::string& path) {
  return Json::parse(slurp(path), nullptr, /*allow_exceptions=*/false);
}

// Every cause a finished report lists, as a known-causes file; the summary's
// own "causes" entries are pasted as they are, with a reason added.
std::string known_file_from(const std::string& report, const std::string& path) {
  const Json summary = read_json(report + "/summary.json");
  Json known = Json::array();
  for (Json cause : summary.at("causes")) {
    cause["why"] = "accepted for the test";
    known.push_back(cause);
  }
  std::ofstream(path) << Json{{"version", 1}, {"known", known}}.dump(1);
  return path;
}

TEST(TortureKnownCauses, KnownCausesPassAndANewBugStillFails) {
  TempDir t;
  const std::string first = t / "first";
  const CliResult found =
      run_torture(std::string("run --target no-sync-full ") + kCampaign + " --report " + first, t);
  ASSERT_EQ(found.code, 1) << found.err;
  const uint64_t violations = read_json(first + "/summary.json").at("violations").get<uint64_t>();
  ASSERT_GT(violations, 0u);
  const std::string known = known_file_from(first, t / "known.json");

  const std::string again = t / "again";
  const CliResult passed = run_torture(std::string("run --target no-sync-full ") + kCampaign +
                                           " --known " + known + " --report " + again,
                                       t);
  EXPECT_EQ(passed.code, 0) << passed.out << passed.err;
  const Json summary = read_json(again + "/summary.json");
  EXPECT_EQ(summary.at("violations").get<uint64_t>(), 0u);
  EXPECT_EQ(summary.at("known_suppressed").get<uint64_t>(), violations);
  EXPECT_TRUE(std::filesystem::is_empty(again + "/failures"));

  // The same list does not hide another target's bug (other kinds).
  const CliResult other = run_torture(std::string("run --target delete-not-logged ") + kCampaign +
                                          " --known " + known + " --report " + (t / "other"),
                                      t);
  EXPECT_EQ(other.code, 1) << other.out << other.err;
}

TEST(TortureKnownCauses, AMalformedOrCatchAllFileIsAUsageError) {
  TempDir t;
  const std::string path = t / "known.json";
  for (const std::string& text :
       {std::string("not json"), std::string(R"({"version": 2, "known": []})"),
        std::string(R"({"version": 1, "known": [{"kind": "lost_acknowledged"}]})"),
        std::string(R"({"version": 1, "known": [{"why": "hides everything"}]})"),
        std::string(R"({"version": 1, "known": [{"kind": "x", "why": "y", "typo": 1}]})")}) {
    std::ofstream(path, std::ios::trunc) << text;
    const CliResult r = run_torture("run --target mini-kv --workloads 1 --known " + path, t);
    EXPECT_EQ(r.code, 2) << text << "\n" << r.err;
    EXPECT_NE(r.err.find("--known"), std::string::npos) << r.err;
  }
}

}  // namespace
}  // namespace torture::testing
