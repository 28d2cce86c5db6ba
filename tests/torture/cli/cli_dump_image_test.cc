// dump-image ARTIFACT DIR: the crash image a finding names, as real files,
// the same bytes every time, and never over a folder that holds something.
#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <map>
#include <string>

#include "cli_run.h"

namespace torture::testing {
namespace {

namespace fs = std::filesystem;

// Every file under `root`, by relative path, as its size and a hash of its
// bytes (short enough to print when two trees differ); directories as "/".
std::map<std::string, std::string> tree_of(const std::string& root) {
  std::map<std::string, std::string> tree;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    const std::string name = fs::relative(entry.path(), root).string();
    if (entry.is_directory()) {
      tree[name] = "/";
      continue;
    }
    const std::string bytes = slurp(entry.path());
    tree[name] = std::to_string(bytes.size()) + " bytes, hash " +
                 std::to_string(std::hash<std::string>{}(bytes));
  }
  return tree;
}

// The first finding of a campaign of the `double_name` double in `mode`
// whose folder name ends with `suffix` (fork findings end with their policy).
std::string first_finding(const TempDir& t, const std::string& double_name, const std::string& mode,
                          const std::string& suffix = "", int workloads = 20) {
  const std::string report = t / ("report-" + mode);
  const CliResult r =
      run_torture("run --target " + double_name + " --mode " + mode + " --workloads " +
                      std::to_string(workloads) + " --seed 3 --jobs 1 --quiet --report " + report,
                  t);
  EXPECT_EQ(r.code, 1) << r.out << r.err;
  for (const auto& entry : fs::directory_iterator(report + "/failures")) {
    const std::string name = entry.path().filename().string();
    const bool matches = name.size() >= suffix.size() &&
                         name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
    if (entry.is_directory() && matches) return entry.path().string();
  }
  return {};
}

TEST(TortureDumpImage, ASimFindingDumpsTheSameImageEveryTime) {
  TempDir t;
  const std::string artifact = first_finding(t, "no-sync-full", "sim");
  ASSERT_FALSE(artifact.empty());
  const CliResult first = run_torture("dump-image " + artifact + " " + (t / "one"), t);
  ASSERT_EQ(first.code, 0) << first.err;
  EXPECT_NE(first.out.find(t / "one"), std::string::npos) << first.out;
  ASSERT_EQ(run_torture("dump-image " + artifact + " " + (t / "two"), t).code, 0);
  const auto one = tree_of(t / "one");
  EXPECT_EQ(one, tree_of(t / "two"));
  // The target wrote its files before the crash: the image cannot be an
  // empty directory (a dump that wrote nothing would pass the check above).
  EXPECT_FALSE(one.empty());
}

TEST(TortureDumpImage, AKillFindingDumpsTheDirectoryTheChildLeft) {
  TempDir t;
  // Where the kill lands is up to the scheduler: most campaigns of this
  // double have a kill finding, a few do not.
  const std::string artifact = first_finding(t, "no-sync-full", "fork", "-fork-kill", 100);
  if (artifact.empty()) GTEST_SKIP() << "this campaign's kills found nothing";
  ASSERT_TRUE(fs::is_directory(artifact + "/dir"));
  const CliResult r = run_torture("dump-image " + artifact + " " + (t / "image"), t);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(tree_of(t / "image"), tree_of(artifact + "/dir"));
}

// A power-loss finding of a double that never syncs: its image is rebuilt
// from the trace and has lost what the killed child's directory still holds,
// so a dump that copied that directory would show no loss at all.
TEST(TortureDumpImage, APowerLossFindingDumpsTheImageNotTheChildsDirectory) {
  TempDir t;
  const std::string artifact = first_finding(t, "no-sync-full", "fork", "-fork-drop");
  ASSERT_FALSE(artifact.empty());
  ASSERT_EQ(run_torture("dump-image " + artifact + " " + (t / "one"), t).code, 0);
  ASSERT_EQ(run_torture("dump-image " + artifact + " " + (t / "two"), t).code, 0);
  const auto image = tree_of(t / "one");
  EXPECT_EQ(image, tree_of(t / "two"));
  EXPECT_NE(image, tree_of(artifact + "/dir"));
}

TEST(TortureDumpImage, AFolderThatHoldsSomethingIsRefused) {
  TempDir t;
  const std::string artifact = first_finding(t, "no-sync-full", "sim");
  ASSERT_FALSE(artifact.empty());
  fs::create_directories(t / "full");
  std::ofstream(t / "full/keep") << "mine";
  const CliResult r = run_torture("dump-image " + artifact + " " + (t / "full"), t);
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_NE(r.err.find("not empty"), std::string::npos) << r.err;
  EXPECT_EQ(slurp(t / "full/keep"), "mine");
}

TEST(TortureDumpImage, AMissingArtifactIsAUsageError) {
  TempDir t;
  const CliResult r = run_torture("dump-image " + (t / "absent") + " " + (t / "out"), t);
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("malformed artifact"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(t / "out"));
}

}  // namespace
}  // namespace torture::testing
