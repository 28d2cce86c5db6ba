// The nonce-reuse check: the ledger's rule (one (key, nonce) pair, one
// ciphertext), the sim runner feeding it from encrypted targets only, and end
// to end: dbx-encrypted passes a campaign, and the double whose nonces
// restart at every open is caught as nonce_reuse, replays, and shrinks.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <nlohmann/json.hpp>

#include "cli_run.h"
#include "nonce_ledger.h"
#include "targets/target.h"
#include "torture/artifact.h"
#include "torture/sim_runner.h"
#include "torture/workload.h"

namespace torture::testing {
namespace {

using Json = nlohmann::json;
using targets::SealedItem;

const int kQuietEngine = ::setenv("DBX_LOG_LEVEL", "off", /*overwrite=*/0);

TEST(NonceLedger, TheSamePairWithTheSameHashIsARewriteNotAReuse) {
  detail::NonceLedger ledger;
  EXPECT_FALSE(ledger.add({SealedItem{"k1n1", "h1", "wal @ 0"}}, "step 1"));
  EXPECT_FALSE(ledger.add({SealedItem{"k1n1", "h1", "wal @ 0"}}, "step 2"));
  EXPECT_EQ(ledger.pairs(), 1u);
  EXPECT_EQ(ledger.items_seen(), 2u);
}

TEST(NonceLedger, TheSamePairWithAnotherHashIsAReuseNamingBothPlaces) {
  detail::NonceLedger ledger;
  EXPECT_FALSE(ledger.add({SealedItem{"k1n1", "h1", "wal @ 0"}}, "step 1"));
  const auto reuse = ledger.add({SealedItem{"k1n1", "h2", "db @ 48"}}, "step 5");
  ASSERT_TRUE(reuse.has_value());
  EXPECT_EQ(reuse->first_where, "wal @ 0 at step 1");
  EXPECT_EQ(reuse->second_where, "db @ 48 at step 5");
  // The first hash stays: the reuse is found again while the item is there.
  EXPECT_TRUE(ledger.add({SealedItem{"k1n1", "h2", "db @ 48"}}, "step 6"));
}

TEST(NonceLedger, OneNonceUnderTwoKeysIsNoReuse) {
  detail::NonceLedger ledger;
  EXPECT_FALSE(ledger.add({SealedItem{"k1n1", "h1", "a"}, SealedItem{"k2n1", "h2", "b"}}, "s"));
  EXPECT_EQ(ledger.pairs(), 2u);
}

// Writes, a reopen, more writes, a crash step, more writes.
Workload reopen_and_crash_workload() {
  Workload w = generate_workload(11, WorkloadShape{1, false});
  w.steps.clear();
  auto write = [&w](const std::string& key) {
    Step step;
    step.write.push_back(targets::Op::put("t", key, "value of " + key));
    w.steps.push_back(step);
  };
  for (const char* k : {"a", "b", "c"}) write(k);
  Step reopen;
  reopen.kind = StepKind::kReopen;
  w.steps.push_back(reopen);
  for (const char* k : {"d", "e"}) write(k);
  Step crash;
  crash.kind = StepKind::kCrash;
  w.steps.push_back(crash);
  for (const char* k : {"f", "g"}) write(k);
  return w;
}

faultfs::Result<SimResult> sim(const char* target, const Workload& w) {
  const targets::TargetInfo* info = targets::find_target(target);
  EXPECT_NE(info, nullptr) << target;
  SimSettings settings;
  settings.durability = targets::Durability::kLazy;
  settings.policies = {faultfs::CrashPolicy::kDrop, faultfs::CrashPolicy::kTorn};
  return run_sim(*info, w, settings);
}

TEST(NonceCheck, TheLedgerReadsAnEncryptedTargetsItemsAndAPlainTargetsNone) {
  const Workload w = reopen_and_crash_workload();
  auto encrypted = sim("dbx-encrypted", w);
  ASSERT_TRUE(encrypted.is_ok()) << encrypted.status().to_string();
  EXPECT_TRUE(encrypted->findings.empty()) << encrypted->findings.front().verdict.to_string();
  EXPECT_GT(encrypted->sealed_items_seen, 0u);
  EXPECT_GT(encrypted->sealed_pairs, 0u);
  auto plain = sim("dbx", w);
  ASSERT_TRUE(plain.is_ok()) << plain.status().to_string();
  EXPECT_EQ(plain->sealed_items_seen, 0u);
}

TEST(NonceCheck, NoncesRestartedAtAReopenAreANonceReuseOfTheNoncePolicy) {
  auto r = sim("dbx-encrypted-nonce-restart", reopen_and_crash_workload());
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  ASSERT_EQ(r->findings.size(), 1u);
  EXPECT_EQ(r->findings.front().kind, "nonce_reuse");
  EXPECT_EQ(r->findings.front().crash.policy, kPolicyNonce);
  // A live finding: no crash state counted for it.
  EXPECT_EQ(r->states_by_policy.count(kPolicyNonce), 0u);
}

Json summary_of(const std::string& report) {
  return Json::parse(slurp(report + "/summary.json"), nullptr, /*allow_exceptions=*/false);
}

TEST(NonceCheck, DbxEncryptedPassesASimCampaign) {
  TempDir t;
  const std::string report = t / "report";
  const CliResult r = run_torture(
      "run --target dbx-encrypted --mode sim --time 10 --seed 3 --jobs 2 --quiet --report " +
          report,
      t);
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  const Json s = summary_of(report);
  ASSERT_TRUE(s.is_object());
  EXPECT_GT(s["workloads"].get<uint64_t>(), 0u);
  EXPECT_TRUE(s["violations_list"].empty()) << s["violations_list"].dump();
}

TEST(NonceCheck, TheRestartedNonceDoubleIsCaughtReplaysAndShrinks) {
  TempDir t;
  const std::string report = t / "report";
  const CliResult r = run_torture(
      "run --target dbx-encrypted-nonce-restart --mode sim --time 30 --max-violations 1"
      " --seed 1 --jobs 2 --quiet --report " +
          report,
      t);
  ASSERT_EQ(r.code, 1) << r.out << r.err;
  const Json s = summary_of(report);
  ASSERT_TRUE(s.is_object());
  std::string found;
  for (const auto& v : s["violations_list"]) {
    if (v["kind"] == "nonce_reuse") found = report + "/" + v["artifact"].get<std::string>();
  }
  ASSERT_FALSE(found.empty()) << r.out;
  const CliResult replay = run_torture("replay " + found, t);
  EXPECT_EQ(replay.code, 1) << replay.out << replay.err;
  EXPECT_NE(replay.out.find("nonce_reuse"), std::string::npos) << replay.out;
  const std::string shrunk_dir = t / "shrunk";
  const CliResult shrink = run_torture("shrink " + found + " --time 60 --out " + shrunk_dir, t);
  ASSERT_EQ(shrink.code, 0) << shrink.out << shrink.err;
  auto shrunk = read_artifact(shrunk_dir);
  ASSERT_TRUE(shrunk.is_ok()) << shrunk.status().message();
  EXPECT_EQ(shrunk->kind, "nonce_reuse");
  EXPECT_LE(workload_ops(shrunk->workload), 10u) << workload_to_json(shrunk->workload);
  EXPECT_EQ(run_torture("replay " + shrunk_dir, t).code, 1);
}

}  // namespace
}  // namespace torture::testing
