// Exhaustive campaigns end to end through the built CLI, each a few
// seconds: a clean target whose whole space is covered, with the space's
// size recomputed here from the documented alphabet, and a test double
// whose 2-operation bug the exhaustive walk must catch, with an artifact
// that replays.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "cli_run.h"

namespace torture::testing {
namespace {

using Json = nlohmann::json;

Json summary_of(const TempDir& t) {
  return Json::parse(slurp(t / "report/summary.json"), nullptr, /*allow_exceptions=*/false);
}

// sum over k = 0..max_ops of letters^k, counted independently of the harness.
uint64_t words(uint64_t letters, uint32_t max_ops) {
  uint64_t total = 0;
  uint64_t power = 1;
  for (uint32_t k = 0; k <= max_ops; ++k, power *= letters) total += power;
  return total;
}

TEST(ExploreCli, DbxIsCleanAndItsWholeSpaceIsCovered) {
  TempDir t;
  // put is 4 letters (2 keys x 2 values), flush 1; Full only, posix only;
  // the policies whose walks stay within budget here (torn meets DBX's
  // 64 KiB preallocation write, corrupt every bit of it).
  const CliResult r = run_torture(
      "run --target dbx --explore exhaustive --max-ops 2 --ops-from put,flush --durability full "
      "--fs-model posix --policy drop,prefix,reorder,lost-file --jobs 2 --quiet --report " +
          (t / "report"),
      t);
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  const Json s = summary_of(t);
  ASSERT_TRUE(s.is_object() && s.contains("exploration")) << r.out;
  const Json& e = s["exploration"];
  EXPECT_EQ(e["workloads"], words(5, 2));  // 31 words.
  EXPECT_EQ(e["runs"], words(5, 2));       // x 1 durability x 1 fs model.
  EXPECT_EQ(e["runs_done"], e["runs"]);
  EXPECT_EQ(e["enumerations_partial"], 0);
  EXPECT_EQ(e["covered"], true) << e.dump();
  EXPECT_GT(e["distinct_images"].get<uint64_t>(), e["points"].get<uint64_t>());
  EXPECT_GT(e["duplicates_skipped"].get<uint64_t>(), 0u);
  EXPECT_EQ(s["workloads"], words(5, 2));
  EXPECT_NE(r.out.find("exploration: covered all of it"), std::string::npos) << r.out;
}

TEST(ExploreCli, NoSyncDoubleIsCaughtInTwoOperationsAndReplays) {
  TempDir t;
  const CliResult r = run_torture(
      "run --target no-sync-full --explore exhaustive --max-ops 2 --ops-from put --fs-model posix "
      "--jobs 2 --quiet --max-violations 1 --report " +
          (t / "report"),
      t);
  ASSERT_EQ(r.code, 1) << r.out << r.err;
  const Json s = summary_of(t);
  ASSERT_TRUE(s.is_object());
  ASSERT_GE(s["violations_list"].size(), 1u);
  EXPECT_EQ(s["exploration"]["covered"], false);
  EXPECT_NE(s["exploration"]["coverage"].get<std::string>().find("first violation"),
            std::string::npos);
  const std::string artifact =
      t / ("report/" + s["violations_list"][0]["artifact"].get<std::string>());
  ASSERT_TRUE(std::filesystem::exists(artifact + "/artifact.json")) << artifact;
  const CliResult replay = run_torture("replay " + artifact, t);
  EXPECT_EQ(replay.code, 1) << replay.out << replay.err;
  EXPECT_NE(replay.out.find("STILL FAILS"), std::string::npos) << replay.out;
}

TEST(ExploreCli, FlagsAreChecked) {
  TempDir t;
  EXPECT_EQ(run_torture("run --explore exhaustive --ops-from put,wait --quiet", t).code, 2);
  EXPECT_EQ(run_torture("run --explore random --quiet", t).code, 2);
  EXPECT_EQ(run_torture("run --explore exhaustive --max-ops 9 --quiet", t).code, 2);
  EXPECT_EQ(run_torture("run --explore exhaustive --fs-model ext5 --quiet", t).code, 2);
}

}  // namespace
}  // namespace torture::testing
