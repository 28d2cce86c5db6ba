// Exhaustive exploration (`dbx-torture run --explore exhaustive`), in the
// manner of CrashMonkey's ACE: every workload of at most K operations over a
// small fixed alphabet, and for each one every distinct crash image at every
// crash point, under every crash policy and fs model asked for, each judged
// by the sampled mode's own judge (sim_runner.h with SimSettings::exhaustive).
//
// The alphabet keeps the space finite and small: one table "t", two keys
// "k1" and "k2", two values "v1" and "v2". Each operation kind of
// --ops-from contributes fixed letters:
//   put     put k1=v1, put k1=v2, put k2=v1, put k2=v2   (4 letters)
//   delete  del k1, del k2                               (2)
//   batch   {put k1=v2, put k2=v2}, {put k2=v1, del k1}   (2 atomic 2-op batches)
//   flush   a checkpoint                                  (1)
//   close   a clean close and reopen                      (1)
//   crash   a power loss the workload goes on from        (1)
// so the whole alphabet has 11 letters. Workloads are every word of length
// 0..K (the empty one is the open and the final clean shutdown alone): there
// are sum over k = 0..K of |alphabet|^k of them, numbered shortest first,
// then in letter order. Each runs once per durability level and fs model.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "faultfs/crash.h"
#include "faultfs/status.h"
#include "targets/types.h"
#include "torture/workload.h"

namespace torture {

inline constexpr const char* kExploreExhaustive = "exhaustive";
inline constexpr const char* kExploreOpsDefault = "put,delete,batch,flush,close,crash";
// Beyond it the space is no longer small: 11^6 workloads.
inline constexpr uint32_t kExploreMaxOpsMax = 5;

struct ExploreLetter {
  std::string name;  // "put k1=v1", "flush", ...
  Step step;
};

// What --explore exhaustive asked for (CampaignOptions::explore).
struct ExploreOptions {
  uint32_t max_ops = 2;
  std::vector<std::string> ops_from;  // Operation kinds, as given.
  std::vector<ExploreLetter> alphabet;
  std::vector<faultfs::FsModel> fs_models;  // Each workload runs under each.
};

// The letters of a comma-separated list of operation kinds; kInvalidArgument
// for an unknown or repeated kind or an empty list.
[[nodiscard]] faultfs::Result<std::vector<ExploreLetter>> explore_alphabet(
    std::string_view ops_from);

// sum over k = 0..max_ops of letters^k (saturating at UINT64_MAX).
uint64_t explore_workload_count(uint64_t letters, uint32_t max_ops);

// Workload `number` (< explore_workload_count) of the space: its steps and
// the sampled mode's default tuning. A crash step's seed is its position, so
// the same word always recovers the same image there.
Workload explore_workload(const std::vector<ExploreLetter>& alphabet, uint32_t max_ops,
                          uint64_t number);

// Runs in the campaign: workload number x durability x fs model.
uint64_t explore_run_count(const ExploreOptions& explore, size_t durabilities);

struct ExploreRunId {
  uint64_t workload = 0;
  size_t durability = 0;  // Index into CampaignOptions::durabilities.
  size_t fs_model = 0;    // Index into ExploreOptions::fs_models.
};
ExploreRunId explore_run_id(const ExploreOptions& explore, size_t durabilities, uint64_t index);

}  // namespace torture
