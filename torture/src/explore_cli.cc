#include "explore_cli.h"

#include <CLI/CLI.hpp>

#include "faultfs/status_macros.h"

namespace torture {

using faultfs::ErrorCode;
using faultfs::Result;
using faultfs::Status;

namespace {

// Runs one campaign may hold: far above K = 3 over every level and model.
constexpr uint64_t kExploreRunsMax = uint64_t{1} << 32;

Result<std::vector<faultfs::FsModel>> parse_fs_models(const std::string& text) {
  if (text == "all") return std::vector{faultfs::FsModel::kPosix, faultfs::FsModel::kExt4Ordered};
  std::vector<faultfs::FsModel> out;
  for (const std::string_view item : split_list(text)) {
    auto model = faultfs::parse_fs_model(item);
    if (!model.is_ok()) {
      return Status(ErrorCode::kInvalidArgument, "--fs-model: " + model.status().message());
    }
    if (std::find(out.begin(), out.end(), model.value()) == out.end()) out.push_back(*model);
  }
  return out;
}

}  // namespace

void add_explore_flags(CLI::App* run, ExploreFlags* f) {
  run->add_option("--explore", f->explore,
                  "exhaustive: every workload of at most --max-ops operations from --ops-from, "
                  "every distinct crash image at every crash point (torture/explore.h)")
      ->check(CLI::IsMember({kExploreExhaustive}));
  run->add_option("--max-ops", f->max_ops, "With --explore: operations per workload, at most")
      ->check(CLI::Range(0u, kExploreMaxOpsMax))
      ->capture_default_str();
  run->add_option("--ops-from", f->ops_from,
                  "With --explore: operation kinds of the alphabet (put,delete,batch,flush,close,"
                  "crash)")
      ->capture_default_str();
}

Result<std::optional<ExploreOptions>> parse_explore_flags(const ExploreFlags& f,
                                                          bool fs_model_given,
                                                          std::string* fs_model_flag) {
  if (f.explore.empty()) return std::optional<ExploreOptions>();
  ExploreOptions e;
  e.max_ops = f.max_ops;
  ASSIGN_OR_RETURN(auto alphabet, explore_alphabet(f.ops_from));
  e.alphabet = std::move(alphabet);
  for (const std::string_view item : split_list(f.ops_from)) e.ops_from.emplace_back(item);
  ASSIGN_OR_RETURN(auto models, parse_fs_models(fs_model_given ? *fs_model_flag : "all"));
  e.fs_models = std::move(models);
  *fs_model_flag = faultfs::fs_model_name(e.fs_models.front());
  return std::optional<ExploreOptions>(std::move(e));
}

Status apply_explore(ExploreOptions explore, bool time_given, CampaignOptions* o) {
  const uint64_t runs = explore_run_count(explore, o->durabilities.size());
  if (runs > kExploreRunsMax) {
    return Status(ErrorCode::kInvalidArgument,
                  "--explore: " + std::to_string(runs) + " runs is more than one campaign holds");
  }
  o->modes = {kModeSim};
  o->io_errors = false;
  o->workloads = runs;
  if (!time_given) o->time_s.reset();
  o->explore = std::move(explore);
  return Status::ok();
}

}  // namespace torture
