// The campaign's configuration, as `dbx-torture run` parses it, and the
// parsers of its list-valued flags (each error is one line for exit code 2).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "faultfs/crash.h"
#include "faultfs/status.h"
#include "targets/types.h"
#include "torture/explore.h"
#include "torture/known_causes.h"

namespace torture {

inline constexpr const char* kModeSim = "sim";
inline constexpr const char* kModeFork = "fork";

// Limits on the flags.
inline constexpr uint32_t kOpsMax = 100'000;
inline constexpr uint32_t kThreadsMax = 64;
inline constexpr uint32_t kJobsMax = 256;
inline constexpr uint32_t kShardCountMax = 65'536;
inline constexpr double kTimeSecondsMax = 7 * 24 * 3600.0;

// The policies a campaign runs when --policy is not given ("default"): every
// one, lost-file included (DBX detects lost and rolled-back files in every
// durability level, None through its header-only log).
inline constexpr faultfs::CrashPolicy kDefaultPolicies[] = {
    faultfs::CrashPolicy::kDrop, faultfs::CrashPolicy::kPrefix,  faultfs::CrashPolicy::kReorder,
    faultfs::CrashPolicy::kTorn, faultfs::CrashPolicy::kCorrupt, faultfs::CrashPolicy::kLostFile};
// Every policy ("all").
inline constexpr faultfs::CrashPolicy kAllPolicies[] = {
    faultfs::CrashPolicy::kDrop, faultfs::CrashPolicy::kPrefix,  faultfs::CrashPolicy::kReorder,
    faultfs::CrashPolicy::kTorn, faultfs::CrashPolicy::kCorrupt, faultfs::CrashPolicy::kLostFile};

struct CampaignOptions {
  std::string target = "dbx";
  // Absolute paths of the --target-lib plugins, recorded in each artifact.
  std::vector<std::string> target_libs;
  std::vector<targets::Durability> durabilities;  // Non-empty after parsing.
  std::vector<std::string> modes;                 // kModeSim and/or kModeFork.
  std::vector<faultfs::CrashPolicy> policies;     // Non-empty.
  faultfs::FsModel fs_model = faultfs::FsModel::kPosix;
  bool io_errors = true;
  uint32_t ops = 100;
  uint32_t threads = 1;
  uint64_t seed = 0;
  std::optional<double> time_s;  // Exactly one of time_s and workloads.
  std::optional<uint64_t> workloads;
  uint32_t jobs = 1;
  uint32_t shard_index = 0;  // K of --shard K/N, 0-based.
  uint32_t shard_count = 1;
  std::string report_dir;  // Empty: no report written.
  std::string junit_file;
  bool quiet = false;
  // Stop the campaign once this many violations were found (each one is an
  // artifact; a broken target would otherwise fill the disk).
  uint32_t violations_max = 10;
  uint32_t sector_bytes = 512;
  // --known: violations of these causes are suppressed (known_causes.h).
  std::vector<KnownCause> known;
  // --explore exhaustive: the workloads are the exploration space's runs
  // (torture/explore.h), not seeded draws; sim mode only.
  std::optional<ExploreOptions> explore;
};

// The items of a comma-separated flag value, empty ones kept ("" is one
// empty item), so each parser rejects them with its own message.
std::vector<std::string_view> split_list(std::string_view text);
// "none|lazy|full|all", comma-separated lists allowed.
[[nodiscard]] faultfs::Result<std::vector<targets::Durability>> parse_durabilities(
    std::string_view text);
// "sim|fork|all".
[[nodiscard]] faultfs::Result<std::vector<std::string>> parse_modes(std::string_view text);
// "drop,prefix,reorder,torn,corrupt,lost-file", "default" or "all".
[[nodiscard]] faultfs::Result<std::vector<faultfs::CrashPolicy>> parse_policies(
    std::string_view text);
// "K/N" with 0 <= K < N <= kShardCountMax.
[[nodiscard]] faultfs::Status parse_shard(std::string_view text, uint32_t* index, uint32_t* count);

// Durability of workload `index` (0-based, campaign-wide), its mode and
// whether it injects I/O errors: a fixed function of the index and options,
// so that shards and jobs agree on every workload.
targets::Durability workload_durability(const CampaignOptions& options, uint64_t index);
const std::string& workload_mode(const CampaignOptions& options, uint64_t index);
bool workload_io_errors(const CampaignOptions& options, uint64_t index);
// The seed of workload `index`.
uint64_t workload_seed(const CampaignOptions& options, uint64_t index);

std::vector<std::string> policy_names(const std::vector<faultfs::CrashPolicy>& policies);
std::vector<std::string> durability_names(const std::vector<targets::Durability>& durabilities);

}  // namespace torture
