// Flag parsers and the workload-index functions shards and jobs agree on.
#include "torture/options.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace torture {
namespace {

// Empty items are kept, so "lazy," and ",," reach each parser as items it
// rejects rather than vanishing (the --ops-from and --fs-model parsers
// share this splitter).
TEST(Options, SplitListKeepsEmptyItems) {
  using V = std::vector<std::string_view>;
  EXPECT_EQ(split_list(""), V{""});
  EXPECT_EQ(split_list("put"), V{"put"});
  EXPECT_EQ(split_list("put,flush"), (V{"put", "flush"}));
  EXPECT_EQ(split_list("lazy,"), (V{"lazy", ""}));
  EXPECT_EQ(split_list(",,"), (V{"", "", ""}));
}

TEST(Options, DurabilityListsAllAndDuplicates) {
  auto all = parse_durabilities("all");
  ASSERT_TRUE(all.is_ok());
  EXPECT_EQ(all->size(), 3u);
  auto two = parse_durabilities("full,lazy,full");
  ASSERT_TRUE(two.is_ok());
  EXPECT_EQ(two.value(), (std::vector{targets::Durability::kFull, targets::Durability::kLazy}));
  EXPECT_FALSE(parse_durabilities("").is_ok());
  EXPECT_FALSE(parse_durabilities("lazy,").is_ok());
  EXPECT_FALSE(parse_durabilities("LAZY").is_ok());
}

TEST(Options, PoliciesAndModes) {
  auto p = parse_policies("torn,drop");
  ASSERT_TRUE(p.is_ok());
  EXPECT_EQ(p.value(), (std::vector{faultfs::CrashPolicy::kTorn, faultfs::CrashPolicy::kDrop}));
  EXPECT_EQ(parse_policies("all")->size(), 6u);
  // The default set is every policy, lost-file included.
  auto defaults = parse_policies("default");
  ASSERT_TRUE(defaults.is_ok());
  EXPECT_EQ(defaults->size(), 6u);
  EXPECT_EQ(std::count(defaults->begin(), defaults->end(), faultfs::CrashPolicy::kLostFile), 1);
  EXPECT_EQ(parse_policies("drop,lost-file")->back(), faultfs::CrashPolicy::kLostFile);
  EXPECT_FALSE(parse_policies("drop,melt").is_ok());
  EXPECT_EQ(parse_modes("all")->size(), 2u);
  EXPECT_FALSE(parse_modes("vm").is_ok());
}

TEST(Options, ShardBoundsAreExact) {
  uint32_t k = 9, n = 9;
  EXPECT_TRUE(parse_shard("0/1", &k, &n).is_ok());
  EXPECT_EQ(k, 0u);
  EXPECT_EQ(n, 1u);
  EXPECT_TRUE(parse_shard("65535/65536", &k, &n).is_ok());
  for (const char* bad : {"1/1", "0/0", "0/65537", "-1/2", "1", "/2", "1/", "a/b", "1/2/3"}) {
    EXPECT_FALSE(parse_shard(bad, &k, &n).is_ok()) << bad;
  }
}

TEST(Options, WorkloadIndexDecidesDurabilityModeAndSeed) {
  CampaignOptions o;
  o.durabilities = {targets::Durability::kNone, targets::Durability::kLazy,
                    targets::Durability::kFull};
  o.modes = {kModeSim, kModeFork};
  o.seed = 3;
  size_t io = 0;
  for (uint64_t i = 0; i < 600; ++i) {
    EXPECT_EQ(workload_durability(o, i), o.durabilities[i % 3]);
    EXPECT_EQ(workload_mode(o, i), o.modes[(i / 3) % 2]);
    EXPECT_EQ(workload_seed(o, i), workload_seed(o, i));
    EXPECT_NE(workload_seed(o, i), workload_seed(o, i + 1));
    io += workload_io_errors(o, i);
  }
  EXPECT_GT(io, 100u);  // About one in four.
  EXPECT_LT(io, 200u);
  o.io_errors = false;
  for (uint64_t i = 0; i < 100; ++i) EXPECT_FALSE(workload_io_errors(o, i));
}

}  // namespace
}  // namespace torture
