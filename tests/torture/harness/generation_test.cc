// Multi-generation histories: a crash step recovers one crash image and the
// workload goes on from it, so a recovery that leaves a trap behind (here: a
// torn tail kept in place) is caught once a later generation steps into it.
#include <gtest/gtest.h>
#include <stdlib.h>

#include "targets/target.h"
#include "torture/sim_runner.h"
#include "torture/workload.h"

namespace torture {
namespace {

const int kQuietEngine = ::setenv("DBX_LOG_LEVEL", "off", /*overwrite=*/0);

const targets::TargetInfo& target(const char* name) {
  const targets::TargetInfo* info = targets::find_target(name);
  EXPECT_NE(info, nullptr) << name;
  return *info;
}

SimSettings within_contract(targets::Durability d) {
  SimSettings s;
  s.durability = d;
  s.policies = {faultfs::CrashPolicy::kDrop, faultfs::CrashPolicy::kPrefix,
                faultfs::CrashPolicy::kReorder, faultfs::CrashPolicy::kTorn};
  return s;
}

Step write_step(const std::string& key) {
  Step step;
  step.write.push_back(targets::Op::put("t", key, "v" + key));
  return step;
}

TEST(Generations, ACrashStepRecoversAnImageAndTheWorkloadGoesOn) {
  Workload w = generate_workload(3, WorkloadShape{1, false});
  w.steps.clear();
  for (const char* k : {"a", "b", "c"}) w.steps.push_back(write_step(k));
  Step crash;
  crash.kind = StepKind::kCrash;
  w.steps.push_back(crash);
  for (const char* k : {"d", "e"}) w.steps.push_back(write_step(k));
  for (auto d :
       {targets::Durability::kNone, targets::Durability::kLazy, targets::Durability::kFull}) {
    auto r = run_sim(target("mini-kv"), w, within_contract(d));
    ASSERT_TRUE(r.is_ok()) << r.status().to_string();
    EXPECT_TRUE(r->findings.empty()) << r->findings.front().verdict.to_string();
    EXPECT_EQ(r->generations, 1u) << targets::durability_name(d);
    EXPECT_EQ(r->states_by_policy[kPolicyGeneration], 1u) << targets::durability_name(d);
    // The second generation's writes are crashed and judged too.
    EXPECT_GT(r->crash_states, 10u);
  }
}

TEST(Generations, TheGeneratorDrawsCrashStepsAndTheyRoundTrip) {
  size_t crash_steps = 0;
  for (uint64_t seed = 0; seed < 20; ++seed) {
    const Workload w = generate_workload(seed, WorkloadShape{100, true});
    for (const Step& s : w.steps) crash_steps += s.kind == StepKind::kCrash;
    auto back = workload_from_json(workload_to_json(w));
    ASSERT_TRUE(back.is_ok()) << back.status().to_string();
    EXPECT_EQ(back.value(), w);
  }
  EXPECT_GT(crash_steps, 20u);  // About 2.5 a workload.
}

// Every crash step turned into a clean reopen: the history has one generation.
Workload without_crashes(Workload w) {
  for (Step& s : w.steps) {
    if (s.kind == StepKind::kCrash) s.kind = StepKind::kReopen;
  }
  return w;
}

TEST(Generations, ATornTailKeptIsCaughtOnlyByALaterGeneration) {
  const targets::TargetInfo& info = target("torn-tail-kept");
  size_t caught = 0;
  size_t caught_in_one_generation = 0;
  for (uint64_t seed = 0; seed < 8; ++seed) {
    const Workload w = generate_workload(seed, WorkloadShape{100, false});
    const SimSettings s = within_contract(targets::Durability::kLazy);
    auto one = run_sim(info, without_crashes(w), s);
    ASSERT_TRUE(one.is_ok()) << one.status().to_string();
    caught_in_one_generation += one->findings.empty() ? 0 : 1;
    auto many = run_sim(info, w, s);
    ASSERT_TRUE(many.is_ok()) << many.status().to_string();
    if (many->findings.empty()) continue;
    ++caught;
    // Replay rebuilds the finding from its spec: the generations before it
    // are drawn from the workload's seed again, though a replay (as the CLI
    // runs it) judges the finding's one policy alone.
    const CrashSpec& spec = many->findings.front().crash;
    SimSettings alone = s;
    alone.process_kill = spec.policy == "kill";
    alone.policies.clear();
    if (auto policy = faultfs::parse_crash_policy(spec.policy); policy.is_ok()) {
      alone.policies = {policy.value()};
    }
    SimControl control;
    control.only = &spec;
    auto again = run_sim(info, w, alone, control);
    ASSERT_TRUE(again.is_ok()) << again.status().to_string();
    ASSERT_TRUE(again->only_result.has_value());
    EXPECT_EQ(again->only_result->kind, many->findings.front().kind);
  }
  EXPECT_EQ(caught_in_one_generation, 0u);
  EXPECT_GE(caught, 2u);
}

}  // namespace
}  // namespace torture
