// Artifacts round-trip exactly and a damaged one is an error, not a crash.
#include "torture/artifact.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "torture/options.h"

namespace torture {
namespace {

namespace fs = std::filesystem;

class ArtifactTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = (fs::temp_directory_path() /
            ("dbx-artifact-test-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name()))
               .string();
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  static Artifact sample() {
    Artifact a;
    a.id = "w00000001-lazy-sim-torn";
    a.target = "mini-kv";
    a.mode = kModeSim;
    a.durability = targets::Durability::kFull;
    a.fs_model = faultfs::FsModel::kExt4Ordered;
    a.sector_bytes = 64;
    a.campaign_seed = 12345678901234ull;
    a.workload_index = 7;
    a.workload = generate_workload(3, WorkloadShape{12, true});
    a.crash.policy = "torn";
    a.crash.step = 4;
    a.crash.mutations = 9;
    a.crash.persistence_points = 3;
    auto choice =
        faultfs::CrashChoice::parse("v1;policy=torn;fs=ext4-ordered;sector=64;applied=3,5,1");
    EXPECT_TRUE(choice.is_ok());
    if (choice.is_ok()) a.crash.choice = choice.value();
    a.crash.recovery_event = 2;
    auto second = faultfs::CrashChoice::parse("v1;policy=torn;fs=ext4-ordered;sector=64;applied=");
    EXPECT_TRUE(second.is_ok());
    if (second.is_ok()) a.crash.recovery_choice = second.value();
    a.kind = "lost_acknowledged";
    a.verdict = "violation ...";
    a.context = "step 4";
    a.error = "";
    a.replay = "dbx-torture replay x";
    a.recovered = {{"t0", "k", std::string("\0v", 2)}};
    a.expected = {{"t0", "k", "w"}, {"t1", "", ""}};
    return a;
  }

  std::string dir_;
};

TEST_F(ArtifactTest, WriteThenReadIsExact) {
  const Artifact a = sample();
  ASSERT_TRUE(write_artifact(a, dir_).is_ok());
  auto back = read_artifact(dir_);
  ASSERT_TRUE(back.is_ok()) << back.status().to_string();
  EXPECT_EQ(back->id, a.id);
  EXPECT_EQ(back->durability, a.durability);
  EXPECT_EQ(back->fs_model, a.fs_model);
  EXPECT_EQ(back->sector_bytes, a.sector_bytes);
  EXPECT_EQ(back->campaign_seed, a.campaign_seed);
  EXPECT_EQ(back->workload, a.workload);
  EXPECT_EQ(back->crash, a.crash);
  EXPECT_EQ(back->recovered, a.recovered);
  EXPECT_EQ(back->expected, a.expected);
  EXPECT_FALSE(back->fork.has_value());
}

// The watchdog's spec text is written by hand: it must be exactly the JSON
// object's text (with and without choices, with characters to escape), and
// read back to the same spec.
TEST_F(ArtifactTest, CrashSpecTextIsTheJsonObjectsTextAndReadsBack) {
  CrashSpec bare;
  bare.policy = "a\"b\\c\n\x01";
  bare.step = 18446744073709551615ull;
  CrashSpec first_only = sample().crash;  // A first choice, no second one.
  first_only.recovery_choice.reset();
  for (const CrashSpec& spec : {sample().crash, bare, first_only}) {
    const auto choice = [](const std::optional<faultfs::CrashChoice>& c) {
      return c ? nlohmann::json(c->serialize()) : nlohmann::json(nullptr);
    };
    const nlohmann::json object = {{"policy", spec.policy},
                                   {"step", spec.step},
                                   {"mutations", spec.mutations},
                                   {"persistence_points", spec.persistence_points},
                                   {"choice", choice(spec.choice)},
                                   {"recovery_event", spec.recovery_event},
                                   {"recovery_choice", choice(spec.recovery_choice)}};
    const std::string text = crash_spec_to_text(spec);
    EXPECT_EQ(text, object.dump(-1));
    auto back = crash_spec_from_text(text);
    ASSERT_TRUE(back.is_ok()) << back.status().to_string();
    EXPECT_EQ(back.value(), spec) << text;
  }
}

TEST_F(ArtifactTest, ForkEvidenceRoundTrips) {
  Artifact a = sample();
  a.mode = kModeFork;
  a.fork = ForkEvidence{"kill", "/dev/shm/x/db", std::nullopt, "kill point dbx/wal/before_sync", 4};
  ASSERT_TRUE(write_artifact(a, dir_).is_ok());
  auto back = read_artifact(dir_);
  ASSERT_TRUE(back.is_ok()) << back.status().to_string();
  EXPECT_EQ(back->fork, a.fork);
}

// A plugin's finding names its plugins, so that replay loads them again; a
// relative path (which would depend on the replayer's directory) is refused.
TEST_F(ArtifactTest, TargetLibsRoundTripAndARelativePathIsRefused) {
  Artifact a = sample();
  EXPECT_TRUE(a.target_libs.empty());
  a.target_libs = {"/opt/plugins/libmine.so"};
  ASSERT_TRUE(write_artifact(a, dir_).is_ok());
  auto back = read_artifact(dir_);
  ASSERT_TRUE(back.is_ok()) << back.status().to_string();
  EXPECT_EQ(back->target_libs, a.target_libs);
  a.target_libs = {"libmine.so"};
  ASSERT_TRUE(write_artifact(a, dir_).is_ok());
  auto refused = read_artifact(dir_);
  ASSERT_FALSE(refused.is_ok());
  EXPECT_NE(refused.status().message().find("absolute"), std::string::npos)
      << refused.status().message();
}

// Artifacts written before fork.threads existed still read, as "not recorded".
TEST_F(ArtifactTest, ForkEvidenceWithoutThreadsReadsAsUnrecorded) {
  Artifact a = sample();
  a.mode = kModeFork;
  a.fork = ForkEvidence{"kill", "/dev/shm/x/db", std::nullopt, "timer", 4};
  ASSERT_TRUE(write_artifact(a, dir_).is_ok());
  const std::string meta = dir_ + "/" + kArtifactFile;
  std::ifstream in(meta);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const size_t at = text.find("\"threads\": 4");
  ASSERT_NE(at, std::string::npos) << text;
  text.replace(at, std::string("\"threads\": 4").size(), "\"unused\": 0");
  std::ofstream(meta, std::ios::trunc) << text;
  auto back = read_artifact(dir_);
  ASSERT_TRUE(back.is_ok()) << back.status().to_string();
  ASSERT_TRUE(back->fork.has_value());
  EXPECT_EQ(back->fork->threads, 0u);
}

// An artifact of an older build names the model "dir_mode", and its crash
// choices "dir=": "strict" reads as posix; the retired "lenient" is refused
// with a message naming its replacement, never read as another model.
TEST_F(ArtifactTest, OlderDirModeStrictReadsAsPosixAndLenientIsRefused) {
  Artifact a = sample();
  a.fs_model = faultfs::FsModel::kPosix;
  a.crash.choice->options.fs_model = faultfs::FsModel::kPosix;
  a.crash.recovery_choice->options.fs_model = faultfs::FsModel::kPosix;
  ASSERT_TRUE(write_artifact(a, dir_).is_ok());
  const std::string meta = dir_ + "/" + kArtifactFile;
  std::ifstream in(meta);
  const std::string good((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto rewrite = [&](const std::string& dir_mode, const std::string& dir_field) {
    std::string text = good;
    const std::string key = "\"fs_model\": \"posix\"";
    const size_t at = text.find(key);
    EXPECT_NE(at, std::string::npos) << text;
    if (at != std::string::npos) text.replace(at, key.size(), "\"dir_mode\": \"" + dir_mode + "\"");
    for (size_t p = text.find("fs=posix"); p != std::string::npos; p = text.find("fs=posix")) {
      text.replace(p, std::string("fs=posix").size(), "dir=" + dir_field);
    }
    std::ofstream(meta, std::ios::trunc) << text;
  };
  rewrite("strict", "strict");
  auto back = read_artifact(dir_);
  ASSERT_TRUE(back.is_ok()) << back.status().to_string();
  EXPECT_EQ(back->fs_model, faultfs::FsModel::kPosix);
  EXPECT_EQ(back->crash, a.crash);
  rewrite("lenient", "strict");
  back = read_artifact(dir_);
  ASSERT_FALSE(back.is_ok());
  EXPECT_NE(back.status().message().find("ext4-ordered"), std::string::npos)
      << back.status().to_string();
  rewrite("strict", "lenient");
  EXPECT_FALSE(read_artifact(dir_).is_ok());
}

TEST_F(ArtifactTest, DamagedArtifactsAreCorruptionErrors) {
  ASSERT_TRUE(write_artifact(sample(), dir_).is_ok());
  const std::string meta = dir_ + "/" + kArtifactFile;
  std::ifstream in(meta);
  const std::string good((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::vector<std::pair<std::string, std::string>> edits = {
      {"\"full\"", "\"fast\""},
      {"\"ext4-ordered\"", "\"sloppy\""},
      {"\"fs_model\": \"ext4-ordered\"", "\"fs_model\": \"lenient\""},
      {"\"sector_bytes\": 64", "\"sector_bytes\": 63"},
      {"policy=torn;fs=ext4-ordered;sector=64;applied=3,5,1", "policy=torn;garbage"},
      {"\"mode\": \"sim\"", "\"mode\": \"vm\""},
      {"\"step\": 4", "\"step\": -4"},
  };
  for (const auto& [from, to] : edits) {
    std::string text = good;
    const size_t at = text.find(from);
    ASSERT_NE(at, std::string::npos) << from;
    text.replace(at, from.size(), to);
    std::ofstream(meta, std::ios::trunc) << text;
    auto back = read_artifact(dir_);
    EXPECT_FALSE(back.is_ok()) << to;
  }
  std::ofstream(meta, std::ios::trunc) << good;
  fs::remove(dir_ + "/" + kWorkloadFile);
  EXPECT_FALSE(read_artifact(dir_).is_ok());
}

}  // namespace
}  // namespace torture
