// The simulation mode: a correct target passes, a run is a function of its
// workload, and every finding rebuilds exactly from its CrashSpec.
#include "torture/sim_runner.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>

#include "targets/target.h"
#include "torture/artifact.h"
#include "torture/options.h"
#include "torture/replay.h"

namespace torture {
namespace {

// The engine logs every recovery at info level: thousands of lines here.
const int kQuietEngine = ::setenv("DBX_LOG_LEVEL", "off", /*overwrite=*/0);

const targets::TargetInfo& target(const char* name) {
  const targets::TargetInfo* info = targets::find_target(name);
  EXPECT_NE(info, nullptr) << name;
  return *info;
}

SimSettings all_policies(targets::Durability d) {
  SimSettings s;
  s.durability = d;
  s.policies = {faultfs::CrashPolicy::kDrop, faultfs::CrashPolicy::kPrefix,
                faultfs::CrashPolicy::kReorder, faultfs::CrashPolicy::kTorn,
                faultfs::CrashPolicy::kCorrupt};
  return s;
}

TEST(SimRunner, ControlTargetPassesEveryPolicyAndDurability) {
  for (auto d :
       {targets::Durability::kNone, targets::Durability::kLazy, targets::Durability::kFull}) {
    auto r = run_sim(target("mini-kv"), generate_workload(21, WorkloadShape{40, false}),
                     all_policies(d));
    ASSERT_TRUE(r.is_ok()) << r.status().to_string();
    EXPECT_TRUE(r->findings.empty()) << r->findings.front().verdict.to_string();
    for (const char* p : {"kill", "drop", "prefix", "reorder", "torn", "corrupt", "reopen"}) {
      EXPECT_GT(r->states_by_policy[p], 0u) << p << " " << targets::durability_name(d);
    }
  }
}

TEST(SimRunner, InjectedIoErrorsFireAndAreJudged) {
  uint64_t fired = 0;
  for (uint64_t seed = 0; seed < 12; ++seed) {
    auto r = run_sim(target("mini-kv"), generate_workload(seed, WorkloadShape{30, true}),
                     all_policies(targets::Durability::kFull));
    ASSERT_TRUE(r.is_ok()) << r.status().to_string();
    EXPECT_TRUE(r->findings.empty()) << r->findings.front().verdict.to_string();
    fired += r->io_faults_fired;
  }
  EXPECT_GT(fired, 0u);
}

TEST(SimRunner, SameWorkloadSameCrashStates) {
  // DBX's recovery reads its whole preallocated WAL: a short workload.
  const Workload w = generate_workload(8, WorkloadShape{20, true});
  SimSettings s = all_policies(targets::Durability::kLazy);
  s.policies = {faultfs::CrashPolicy::kTorn, faultfs::CrashPolicy::kReorder};
  auto a = run_sim(target("dbx"), w, s);
  auto b = run_sim(target("dbx"), w, s);
  ASSERT_TRUE(a.is_ok() && b.is_ok());
  EXPECT_GT(a->crash_states, 0u);
  EXPECT_EQ(a->crash_states, b->crash_states);
  EXPECT_EQ(a->states_by_policy, b->states_by_policy);
  ASSERT_EQ(a->findings.size(), b->findings.size());
  for (size_t i = 0; i < a->findings.size(); ++i) {
    EXPECT_EQ(a->findings[i].crash, b->findings[i].crash);
  }
}

// Each double's first findings, rebuilt from nothing but their CrashSpec.
TEST(SimRunner, EveryFindingReplaysToTheSameRecoveredState) {
  size_t replayed = 0;
  for (const char* name :
       {"no-dir-sync", "torn-tail-replayed", "wal-cut-early", "ack-before-record-done"}) {
    const targets::TargetInfo& info = target(name);
    SimSettings s = all_policies(info.durabilities.back());
    s.findings_max = 3;
    s.recovery_crash_per_mille = 500;  // Second crashes replay too.
    // A double is caught within a few workloads; take the first that fails.
    Workload w;
    SimResult found;
    for (uint64_t seed = 31; seed < 41 && found.findings.empty(); ++seed) {
      w = generate_workload(seed, WorkloadShape{40, false});
      auto r = run_sim(info, w, s);
      ASSERT_TRUE(r.is_ok()) << r.status().to_string();
      found = std::move(r).value();
    }
    ASSERT_FALSE(found.findings.empty()) << name;
    const auto* r = &found;
    for (const Finding& f : r->findings) {
      SimSettings one = s;
      SimControl control;
      control.only = &f.crash;
      auto again = run_sim(info, w, one, control);
      ASSERT_TRUE(again.is_ok()) << again.status().to_string();
      ASSERT_TRUE(again->only_result.has_value()) << describe_crash(f.crash);
      EXPECT_FALSE(again->only_result->verdict.ok);
      EXPECT_EQ(again->only_result->kind, f.kind);
      EXPECT_EQ(again->only_result->recovered, f.recovered);
      ++replayed;
    }
  }
  EXPECT_GE(replayed, 4u);
}

TEST(SimRunner, ShrinkingADoubleFindsTenOpsOrFewer) {
  const targets::TargetInfo& info = target("delete-not-logged");
  SimSettings s = all_policies(targets::Durability::kLazy);
  const Workload w = generate_workload(4, WorkloadShape{60, false});
  auto r = run_sim(info, w, s);
  ASSERT_TRUE(r.is_ok());
  ASSERT_FALSE(r->findings.empty());
  Artifact a;
  a.target = info.name;
  a.mode = kModeSim;
  a.durability = s.durability;
  a.workload = w;
  a.crash = r->findings[0].crash;
  a.kind = r->findings[0].kind;
  ShrinkOptions options;
  options.time_s = 60;
  auto shrunk = shrink_artifact(a, options);
  ASSERT_TRUE(shrunk.is_ok()) << shrunk.status().to_string();
  ASSERT_TRUE(shrunk->has_value());
  EXPECT_LE(shrunk.value()->ops_after, 10u);
  EXPECT_LT(shrunk.value()->ops_after, shrunk.value()->ops_before);
  EXPECT_EQ(shrunk.value()->artifact.kind, a.kind);
  // The new artifact replays on its own.
  const std::string dir =
      (std::filesystem::temp_directory_path() / ("dbx-shrink-test-" + std::to_string(::getpid())))
          .string();
  std::filesystem::remove_all(dir);
  ASSERT_TRUE(write_artifact(shrunk.value()->artifact, dir).is_ok());
  auto read = read_artifact(dir);
  ASSERT_TRUE(read.is_ok());
  auto replay = replay_artifact(read.value(), dir);
  std::filesystem::remove_all(dir);
  ASSERT_TRUE(replay.is_ok()) << replay.status().to_string();
  EXPECT_TRUE(replay->still_fails);
}

}  // namespace
}  // namespace torture

namespace torture {
namespace {

// Lazy's promise in time: a double whose background sync never runs (or
// runs 8x too rarely) passes every bound a sync could raise, and is caught
// only because writes older than the sync interval must survive.
TEST(SimRunner, LazySyncDoublesAreCaughtByThePromiseInTime) {
  // The late one is caught only where an 8x-too-late sync leaves an aged
  // write unsynced at a crash point before the next flush or close.
  for (const auto& [name, caught_min] :
       {std::pair<std::string, size_t>{"lazy-sync-never", 3}, {"lazy-sync-late", 1}}) {
    size_t caught = 0;
    for (uint64_t seed = 0; seed < 6; ++seed) {
      auto r = run_sim(target(name.c_str()), generate_workload(seed, WorkloadShape{100, false}),
                       all_policies(targets::Durability::kLazy));
      ASSERT_TRUE(r.is_ok()) << r.status().to_string();
      if (r->findings.empty()) continue;
      ++caught;
      EXPECT_EQ(r->findings.front().kind, "lost_acknowledged") << name;
    }
    EXPECT_GE(caught, caught_min) << name;
  }
}

// Histories that reach every path: a checkpoint the size threshold
// triggers is reached only because each workload draws a scaled-down
// threshold. With the former fixed 64 MiB one, the same workloads never run
// that checkpoint, and its bug passes.
TEST(SimRunner, ThresholdCheckpointDoubleIsCaughtOnlyWithScaledDownTuning) {
  constexpr uint64_t kFormerFixedThresholdBytes = 64ull << 20;
  size_t caught_scaled = 0;
  size_t caught_fixed = 0;
  for (uint64_t seed = 0; seed < 8; ++seed) {
    Workload scaled = generate_workload(seed, WorkloadShape{100, false});
    Workload fixed = scaled;
    fixed.delta_flush_threshold_bytes = kFormerFixedThresholdBytes;
    for (auto d : {targets::Durability::kNone, targets::Durability::kFull}) {
      auto r = run_sim(target("threshold-checkpoint-unsynced"), scaled, all_policies(d));
      ASSERT_TRUE(r.is_ok()) << r.status().to_string();
      caught_scaled += r->findings.empty() ? 0 : 1;
      auto f = run_sim(target("threshold-checkpoint-unsynced"), fixed, all_policies(d));
      ASSERT_TRUE(f.is_ok()) << f.status().to_string();
      EXPECT_TRUE(f->findings.empty()) << f->findings.front().verdict.to_string();
      caught_fixed += f->findings.empty() ? 0 : 1;
    }
  }
  EXPECT_GE(caught_scaled, 2u);
  EXPECT_EQ(caught_fixed, 0u);
}

TEST(SimRunner, TheControlKeepsLazysPromiseInTime) {
  for (uint64_t seed = 0; seed < 6; ++seed) {
    auto r = run_sim(target("mini-kv"), generate_workload(seed, WorkloadShape{100, false}),
                     all_policies(targets::Durability::kLazy));
    ASSERT_TRUE(r.is_ok()) << r.status().to_string();
    EXPECT_TRUE(r->findings.empty()) << r->findings.front().verdict.to_string();
  }
}

}  // namespace
}  // namespace torture

namespace torture {
namespace {

// The reach table's recovery outcomes come from each recovery the judge
// runs: a correct engine's recoveries over a few histories show clean ends,
// checkpoint skips, dropped torn tails and second-generation recoveries.
TEST(SimRunner, DbxRecoveriesReportTheirOutcomesForTheReachTable) {
  std::map<std::string, uint64_t> outcomes;
  for (uint64_t seed = 0; seed < 6; ++seed) {
    auto r = run_sim(target("dbx"), generate_workload(seed, WorkloadShape{100, false}),
                     all_policies(targets::Durability::kLazy));
    ASSERT_TRUE(r.is_ok()) << r.status().to_string();
    EXPECT_TRUE(r->findings.empty()) << r->findings.front().verdict.to_string();
    for (const auto& [label, count] : r->recovery_outcomes) outcomes[label] += count;
  }
  for (const char* label : {"clean", "checkpoint_skip", "torn_tail_dropped", "second_generation"}) {
    EXPECT_GT(outcomes[label], 0u) << label;
  }
  // A double says nothing of its recoveries but what the harness saw.
  auto r = run_sim(target("mini-kv"), generate_workload(1, WorkloadShape{100, false}),
                   all_policies(targets::Durability::kLazy));
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  for (const auto& [label, count] : r->recovery_outcomes) EXPECT_EQ(label, "second_generation");
}

}  // namespace
}  // namespace torture
