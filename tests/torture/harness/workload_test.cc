// The workload generator's determinism, coverage of sizes, and its JSON form.
#include "torture/workload.h"

#include <gtest/gtest.h>

#include <random>
#include <set>

namespace torture {
namespace {

TEST(Workload, SameSeedAndShapeGiveTheSameSteps) {
  const WorkloadShape shape{200, true};
  EXPECT_EQ(generate_workload(77, shape), generate_workload(77, shape));
  EXPECT_NE(generate_workload(77, shape), generate_workload(78, shape));
}

TEST(Workload, HasExactlyTheAskedStepsAndValidWrites) {
  for (uint32_t ops : {1u, 2u, 100u}) {
    const Workload w = generate_workload(ops, WorkloadShape{ops, false});
    ASSERT_EQ(w.steps.size(), ops);
    EXPECT_EQ(workload_faults(w), 0u);
    for (const Step& s : w.steps) {
      EXPECT_EQ(s.kind == StepKind::kWrite, !s.write.empty());
      EXPECT_LE(s.write.size(), kBatchOpsMax);
    }
  }
}

TEST(Workload, SizesRunFromEmptyTo64KiBMostlySmall) {
  size_t empty_keys = 0, empty_values = 0, big_values = 0, small_values = 0, values = 0;
  size_t deletes = 0, batches = 0, flushes = 0, reopens = 0;
  for (uint64_t seed = 0; seed < 60; ++seed) {
    for (const Step& s : generate_workload(seed, WorkloadShape{100, false}).steps) {
      flushes += s.kind == StepKind::kFlush;
      reopens += s.kind == StepKind::kReopen;
      batches += s.write.size() > 1;
      for (const targets::Op& op : s.write) {
        EXPECT_LE(op.key.size(), kKeyBytesMax);
        EXPECT_LE(op.value.size(), kValueBytesMax);
        empty_keys += op.key.empty();
        if (op.kind == targets::OpKind::kDelete) {
          ++deletes;
          continue;
        }
        ++values;
        empty_values += op.value.empty();
        big_values += op.value.size() > 4096;
        small_values += op.value.size() <= 40;
      }
    }
  }
  EXPECT_GT(empty_keys, 0u);
  EXPECT_GT(empty_values, 0u);
  EXPECT_GT(big_values, 0u);
  EXPECT_GT(small_values, values / 2);  // Mostly small.
  EXPECT_GT(deletes, 0u);
  EXPECT_GT(batches, 0u);
  EXPECT_GT(flushes, 0u);
  EXPECT_GT(reopens, 0u);
}

TEST(Workload, IoErrorShapeArmsOneToThreeFaults) {
  for (uint64_t seed = 0; seed < 20; ++seed) {
    const size_t faults = workload_faults(generate_workload(seed, WorkloadShape{50, true}));
    EXPECT_GE(faults, 1u);
    EXPECT_LE(faults, 3u);
  }
}

TEST(Workload, JsonRoundTripIsExactForBinaryBytes) {
  Workload w = generate_workload(5, WorkloadShape{150, true});
  Step binary;
  binary.write.push_back(
      targets::Op::put("t0", std::string("\0\x01\xff k", 5), std::string(3, '\0')));
  binary.write.push_back(targets::Op::del("t1", ""));
  w.steps.push_back(binary);
  auto back = workload_from_json(workload_to_json(w));
  ASSERT_TRUE(back.is_ok()) << back.status().to_string();
  EXPECT_EQ(back.value(), w);
}

TEST(Workload, WaitStepsOutlastTheDrawnSyncIntervalAndRoundTrip) {
  size_t waits = 0;
  uint32_t wait_ms_total = 0;
  for (uint64_t seed = 0; seed < 20; ++seed) {
    const Workload w = generate_workload(seed, WorkloadShape{100, false});
    EXPECT_GE(w.sync_interval_ms, 5u);
    EXPECT_LE(w.sync_interval_ms, 50u);
    for (const Step& s : w.steps) {
      EXPECT_EQ(s.kind == StepKind::kWait, s.wait_ms > 0);
      if (s.kind != StepKind::kWait) continue;
      EXPECT_LE(s.wait_ms, 2 * w.sync_interval_ms);
      ++waits;
      wait_ms_total += s.wait_ms;
    }
    auto back = workload_from_json(workload_to_json(w));
    ASSERT_TRUE(back.is_ok()) << back.status().to_string();
    EXPECT_EQ(back.value(), w);
  }
  EXPECT_GT(waits, 20u * 3);
  EXPECT_GT(wait_ms_total, 20u * 20);
  const char* bad_wait =
      "{\"format\":\"dbx-torture-workload\",\"seed\":1,\"steps\":[{\"kind\":\"wait\","
      "\"ms\":0}]}";
  EXPECT_EQ(workload_from_json(bad_wait).status().code(), faultfs::ErrorCode::kCorruption);
}

TEST(Workload, EachSeedDrawsTheTargetsTuningScaledDown) {
  std::set<uint64_t> thresholds, preallocations;
  size_t flush_intervals = 0;
  for (uint64_t seed = 0; seed < 40; ++seed) {
    const Workload w = generate_workload(seed, WorkloadShape{10, false});
    thresholds.insert(w.delta_flush_threshold_bytes);
    preallocations.insert(w.wal_preallocate_bytes);
    flush_intervals += w.flush_interval_ms > 0;
  }
  EXPECT_GE(thresholds.size(), 3u);  // Some in KiB: checkpoints inside a workload.
  EXPECT_TRUE(preallocations.count(0));
  EXPECT_GT(flush_intervals, 0u);
}

TEST(Workload, MalformedJsonIsCorruptionNeverACrash) {
  const std::string good = workload_to_json(generate_workload(9, WorkloadShape{20, true}));
  for (const char* bad : {"", "{}", "[1,2]", "{\"format\":\"dbx-torture-workload\"}",
                          "{\"format\":\"dbx-torture-workload\",\"seed\":1,\"steps\":[{}]}",
                          "{\"format\":\"dbx-torture-workload\",\"seed\":1,\"steps\":[{\"kind\":"
                          "\"write\",\"write\":[]}]}",
                          "{\"format\":\"dbx-torture-workload\",\"seed\":1,\"steps\":[{\"kind\":"
                          "\"write\",\"write\":[{\"op\":\"put\",\"t\":\"=t\",\"k\":\"xZZ\","
                          "\"v\":\"=\"}]}]}"}) {
    auto parsed = workload_from_json(bad);
    EXPECT_FALSE(parsed.is_ok()) << bad;
    if (!parsed.is_ok()) {
      EXPECT_EQ(parsed.status().code(), faultfs::ErrorCode::kCorruption);
    }
  }
  // Random byte damage: either still a workload or a clean error.
  std::mt19937_64 rng(1);
  for (int i = 0; i < 300; ++i) {
    std::string damaged = good;
    damaged[rng() % damaged.size()] = static_cast<char>(rng());
    if (rng() % 2 == 0) damaged.resize(rng() % damaged.size());
    auto parsed = workload_from_json(damaged);
    if (!parsed.is_ok()) {
      EXPECT_EQ(parsed.status().code(), faultfs::ErrorCode::kCorruption);
    }
  }
}

}  // namespace
}  // namespace torture
