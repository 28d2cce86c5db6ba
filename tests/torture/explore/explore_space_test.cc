// The exploration space: its alphabet, and a numbering of its words that
// lists each word of length 0..K exactly once, shortest first.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "torture/explore.h"

namespace torture {
namespace {

std::vector<ExploreLetter> alphabet_of(const char* ops) {
  auto letters = explore_alphabet(ops);
  EXPECT_TRUE(letters.is_ok()) << letters.status().to_string();
  return letters.is_ok() ? letters.value() : std::vector<ExploreLetter>{};
}

// A word as text: its steps' kinds and every op's key and value.
std::string word(const Workload& w) {
  std::string out;
  for (const Step& s : w.steps) {
    out += step_kind_name(s.kind);
    for (const targets::Op& op : s.write) out += " " + op.key + "=" + op.value;
    out += ";";
  }
  return out;
}

TEST(ExploreAlphabet, DefaultKindsGiveElevenLetters) {
  const auto letters = alphabet_of(kExploreOpsDefault);
  ASSERT_EQ(letters.size(), 11u);  // 4 puts, 2 deletes, 2 batches, flush, close, crash.
  size_t batches = 0;
  for (const ExploreLetter& l : letters) {
    if (l.step.kind == StepKind::kWrite && l.step.write.size() == 2) ++batches;
  }
  EXPECT_EQ(batches, 2u);
}

TEST(ExploreAlphabet, UnknownOrRepeatedKindIsRefused) {
  EXPECT_FALSE(explore_alphabet("put,wait").is_ok());
  EXPECT_FALSE(explore_alphabet("put,put").is_ok());
  EXPECT_FALSE(explore_alphabet("").is_ok());
  EXPECT_EQ(alphabet_of("flush,close").size(), 2u);
}

TEST(ExploreWorkloads, CountIsTheSumOfPowers) {
  EXPECT_EQ(explore_workload_count(11, 0), 1u);
  EXPECT_EQ(explore_workload_count(11, 1), 12u);
  EXPECT_EQ(explore_workload_count(11, 2), 1u + 11u + 121u);
  EXPECT_EQ(explore_workload_count(11, 3), 1u + 11u + 121u + 1331u);
  EXPECT_EQ(explore_workload_count(2, 40), (uint64_t{1} << 41) - 1);
  EXPECT_EQ(explore_workload_count(1u << 20, 5), UINT64_MAX);  // Saturates.
}

TEST(ExploreWorkloads, NumberingListsEveryWordOnceShortestFirst) {
  const auto letters = alphabet_of("put,flush,crash");  // 6 letters.
  const uint32_t k = 3;
  const uint64_t n = explore_workload_count(letters.size(), k);
  std::set<std::string> seen;
  size_t last_length = 0;
  for (uint64_t i = 0; i < n; ++i) {
    const Workload w = explore_workload(letters, k, i);
    ASSERT_GE(w.steps.size(), last_length) << "word " << i << " is shorter than the one before";
    last_length = w.steps.size();
    EXPECT_TRUE(seen.insert(word(w)).second) << "word " << i << " twice: " << word(w);
  }
  EXPECT_EQ(seen.size(), 1u + 6u + 36u + 216u);
  EXPECT_TRUE(explore_workload(letters, k, 0).steps.empty());
  EXPECT_EQ(explore_workload(letters, k, n - 1).steps.size(), 3u);
}

TEST(ExploreWorkloads, CrashStepSeedIsItsPosition) {
  const auto letters = alphabet_of("crash");
  const Workload w = explore_workload(letters, 2, 2);  // crash, crash
  ASSERT_EQ(w.steps.size(), 2u);
  EXPECT_EQ(w.steps[0].crash_seed, 1u);
  EXPECT_EQ(w.steps[1].crash_seed, 2u);
}

TEST(ExploreRuns, EachIndexIsOneRunAndDurabilityMatchesTheCampaigns) {
  ExploreOptions e;
  e.max_ops = 1;
  e.alphabet = alphabet_of("put");
  e.fs_models = {faultfs::FsModel::kPosix, faultfs::FsModel::kExt4Ordered};
  const size_t durabilities = 3;
  const uint64_t runs = explore_run_count(e, durabilities);
  ASSERT_EQ(runs, 5u * 3u * 2u);
  std::set<std::tuple<uint64_t, size_t, size_t>> ids;
  for (uint64_t i = 0; i < runs; ++i) {
    const ExploreRunId id = explore_run_id(e, durabilities, i);
    EXPECT_EQ(id.durability, i % durabilities);  // As workload_durability() picks.
    EXPECT_LT(id.workload, 5u);
    ids.insert({id.workload, id.durability, id.fs_model});
  }
  EXPECT_EQ(ids.size(), runs);
}

}  // namespace
}  // namespace torture
