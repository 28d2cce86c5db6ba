#include "torture/options.h"

#include <algorithm>
#include <cassert>
#include <charconv>
#include <span>

#include "torture/seeds.h"

namespace torture {

using faultfs::ErrorCode;
using faultfs::Result;
using faultfs::Status;

namespace {

Status usage(std::string message) {
  return Status(ErrorCode::kInvalidArgument, std::move(message));
}

template <typename T>
void add_unique(std::vector<T>* out, const T& value) {
  if (std::find(out->begin(), out->end(), value) == out->end()) out->push_back(value);
}

bool parse_u32(std::string_view text, uint32_t* out) {
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && end == text.data() + text.size() && !text.empty();
}

}  // namespace

std::vector<std::string_view> split_list(std::string_view text) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (start <= text.size()) {
    const size_t comma = text.find(',', start);
    const size_t end = comma == std::string_view::npos ? text.size() : comma;
    out.push_back(text.substr(start, end - start));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return out;
}

Result<std::vector<targets::Durability>> parse_durabilities(std::string_view text) {
  std::vector<targets::Durability> out;
  for (const std::string_view item : split_list(text)) {
    if (item == "all") {
      for (auto d :
           {targets::Durability::kNone, targets::Durability::kLazy, targets::Durability::kFull}) {
        add_unique(&out, d);
      }
    } else if (item == "none") {
      add_unique(&out, targets::Durability::kNone);
    } else if (item == "lazy") {
      add_unique(&out, targets::Durability::kLazy);
    } else if (item == "full") {
      add_unique(&out, targets::Durability::kFull);
    } else {
      return usage("--durability: unknown level '" + std::string(item) +
                   "' (want none, lazy, full or all)");
    }
  }
  return out;
}

Result<std::vector<std::string>> parse_modes(std::string_view text) {
  std::vector<std::string> out;
  for (const std::string_view item : split_list(text)) {
    if (item == "all") {
      add_unique<std::string>(&out, kModeSim);
      add_unique<std::string>(&out, kModeFork);
    } else if (item == kModeSim || item == kModeFork) {
      add_unique(&out, std::string(item));
    } else {
      return usage("--mode: unknown mode '" + std::string(item) + "' (want sim, fork or all)");
    }
  }
  return out;
}

Result<std::vector<faultfs::CrashPolicy>> parse_policies(std::string_view text) {
  std::vector<faultfs::CrashPolicy> out;
  for (const std::string_view item : split_list(text)) {
    if (item == "default" || item == "all") {
      using Policies = std::span<const faultfs::CrashPolicy>;
      for (auto p : item == "all" ? Policies(kAllPolicies) : Policies(kDefaultPolicies)) {
        add_unique(&out, p);
      }
      continue;
    }
    auto policy = faultfs::parse_crash_policy(item);
    if (!policy.is_ok()) {
      return usage("--policy: unknown policy '" + std::string(item) +
                   "' (want drop, prefix, reorder, torn, corrupt, lost-file, default or all)");
    }
    add_unique(&out, policy.value());
  }
  return out;
}

Status parse_shard(std::string_view text, uint32_t* index, uint32_t* count) {
  const size_t slash = text.find('/');
  uint32_t k = 0;
  uint32_t n = 0;
  if (slash == std::string_view::npos || !parse_u32(text.substr(0, slash), &k) ||
      !parse_u32(text.substr(slash + 1), &n)) {
    return usage("--shard: want K/N with 0 <= K < N, got '" + std::string(text) + "'");
  }
  if (n == 0 || n > kShardCountMax || k >= n) {
    return usage("--shard: want K/N with 0 <= K < N <= " + std::to_string(kShardCountMax) +
                 ", got '" + std::string(text) + "'");
  }
  *index = k;
  *count = n;
  return Status::ok();
}

targets::Durability workload_durability(const CampaignOptions& options, uint64_t index) {
  assert(!options.durabilities.empty());
  return options.durabilities[index % options.durabilities.size()];
}

const std::string& workload_mode(const CampaignOptions& options, uint64_t index) {
  assert(!options.modes.empty());
  return options.modes[(index / options.durabilities.size()) % options.modes.size()];
}

bool workload_io_errors(const CampaignOptions& options, uint64_t index) {
  // One workload in four, drawn from the seed so that every combination of
  // durability and mode gets some.
  return options.io_errors && derive_seed(options.seed, index, streams::kWorkloadIoErrors) % 4 == 0;
}

uint64_t workload_seed(const CampaignOptions& options, uint64_t index) {
  return derive_seed(options.seed, index, streams::kWorkloadSeed);
}

std::vector<std::string> policy_names(const std::vector<faultfs::CrashPolicy>& policies) {
  std::vector<std::string> out;
  for (const auto p : policies) out.emplace_back(faultfs::crash_policy_name(p));
  return out;
}

std::vector<std::string> durability_names(const std::vector<targets::Durability>& durabilities) {
  std::vector<std::string> out;
  for (const auto d : durabilities) out.emplace_back(targets::durability_name(d));
  return out;
}

}  // namespace torture
