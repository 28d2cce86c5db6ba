// Faults beyond the contract: the doubles that lose durable data silently are
// caught as undetected_loss (a damaged record dropped as a torn tail under
// corrupt; a lost file recreated under lost-file), the control is not, and
// each finding rebuilds exactly from its CrashSpec.
#include <gtest/gtest.h>
#include <stdlib.h>

#include "targets/target.h"
#include "torture/artifact.h"
#include "torture/sim_runner.h"

namespace torture {
namespace {

const int kQuietEngine = ::setenv("DBX_LOG_LEVEL", "off", /*overwrite=*/0);

SimSettings settings(targets::Durability d, faultfs::CrashPolicy policy) {
  SimSettings s;
  s.durability = d;
  s.policies = {policy};
  return s;
}

// The findings of `target` over a few seeds.
std::vector<Finding> findings_of(const char* target, targets::Durability d,
                                 faultfs::CrashPolicy policy) {
  const targets::TargetInfo* info = targets::find_target(target);
  EXPECT_NE(info, nullptr) << target;
  std::vector<Finding> out;
  for (uint64_t seed = 1; seed <= 4 && info != nullptr; ++seed) {
    auto r = run_sim(*info, generate_workload(seed, WorkloadShape{40, false}), settings(d, policy));
    EXPECT_TRUE(r.is_ok()) << r.status().to_string();
    if (r.is_ok()) out.insert(out.end(), r->findings.begin(), r->findings.end());
  }
  return out;
}

void expect_caught_and_replayed(const char* target, targets::Durability d,
                                faultfs::CrashPolicy policy) {
  const std::vector<Finding> found = findings_of(target, d, policy);
  ASSERT_FALSE(found.empty()) << target;
  const Finding& f = found.front();
  EXPECT_EQ(f.kind, "undetected_loss") << f.verdict.to_string();
  // Replay: the run again with only that crash state.
  const targets::TargetInfo& info = *targets::find_target(target);
  SimControl control;
  control.only = &f.crash;
  for (uint64_t seed = 1; seed <= 4; ++seed) {
    auto again = run_sim(info, generate_workload(seed, WorkloadShape{40, false}),
                         settings(d, policy), control);
    ASSERT_TRUE(again.is_ok());
    if (!again->only_result || again->only_result->verdict.ok) continue;
    EXPECT_EQ(again->only_result->kind, f.kind);
    EXPECT_EQ(again->only_result->recovered, f.recovered);
    return;
  }
  ADD_FAILURE() << "no seed replays " << describe_crash(f.crash);
}

TEST(BeyondContract, DamagedRecordDroppedAsATornTailIsUndetectedLoss) {
  expect_caught_and_replayed("stops-at-damaged-record", targets::Durability::kFull,
                             faultfs::CrashPolicy::kCorrupt);
}

TEST(BeyondContract, LostFileRecreatedSilentlyIsUndetectedLoss) {
  expect_caught_and_replayed("recreates-missing-files", targets::Durability::kLazy,
                             faultfs::CrashPolicy::kLostFile);
}

TEST(BeyondContract, ControlDetectsDamageAndLostFiles) {
  for (auto d :
       {targets::Durability::kNone, targets::Durability::kLazy, targets::Durability::kFull}) {
    for (auto p : {faultfs::CrashPolicy::kCorrupt, faultfs::CrashPolicy::kLostFile}) {
      const std::vector<Finding> found = findings_of("mini-kv", d, p);
      EXPECT_TRUE(found.empty()) << found.front().verdict.to_string() << "\n"
                                 << describe_crash(found.front().crash);
    }
  }
}

}  // namespace
}  // namespace torture
