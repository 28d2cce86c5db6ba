#include "torture/cli.h"

#include <CLI/CLI.hpp>
#include <cassert>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <random>
#include <thread>

#include "cli_commands.h"
#include "explore_cli.h"
#include "faultfs/status_macros.h"
#include "targets/plugin.h"
#include "targets/target.h"
#include "torture/campaign.h"
#include "torture/exec.h"
#include "torture/exec_cli.h"
#include "torture/options.h"

namespace torture {

namespace {

int usage_error(const std::string& message) {
  std::cerr << "dbx-torture: " << message << " (see dbx-torture --help)\n";
  return 2;
}

// --target-lib on every subcommand that names a target: plugins load before
// any target is looked up, into this process (forked workers inherit them).
void add_target_lib_option(CLI::App* command, std::vector<std::string>* libs) {
  command->add_option("--target-lib", *libs,
                      "Shared library of extra targets (targets/plugin.h); repeatable");
}

[[nodiscard]] faultfs::Status load_target_libs(const std::vector<std::string>& libs) {
  for (const std::string& lib : libs) RETURN_IF_ERROR(targets::load_target_plugin(lib));
  return faultfs::Status::ok();
}

struct RunFlags {
  std::string durability = "all";
  std::string mode = "all";
  std::string policy = "default";
  std::string fs_model = "posix";
  std::string retired_dir_mode;  // --dir-mode: refused, naming --fs-model.
  std::string io_errors = "on";
  std::string shard = "0/1";
  std::string known_file;
  std::optional<uint64_t> seed;
  double time_s = 60;
  uint64_t workloads = 0;
};

// Validates and normalizes `run`'s flags into `o`; an error is one line.
faultfs::Status finish_run_options(const RunFlags& f, bool durability_given, bool time_given,
                                   bool workloads_given, CampaignOptions* o) {
  using faultfs::ErrorCode;
  using faultfs::Status;
  const targets::TargetInfo* target = targets::find_target(o->target);
  if (target == nullptr) {
    return Status(ErrorCode::kInvalidArgument,
                  "unknown target '" + o->target + "' (see dbx-torture list-targets)");
  }
  if (durability_given) {
    ASSIGN_OR_RETURN(auto d, parse_durabilities(f.durability));
    o->durabilities = d;
  } else {
    // "all" levels the target has: a double's bug shows only in its own.
    o->durabilities = target->durabilities;
  }
  ASSIGN_OR_RETURN(auto modes, parse_modes(f.mode));
  o->modes = modes;
  ASSIGN_OR_RETURN(auto policies, parse_policies(f.policy));
  o->policies = policies;
  if (!f.retired_dir_mode.empty()) {
    return Status(ErrorCode::kInvalidArgument,
                  "--dir-mode is replaced by --fs-model posix|ext4-ordered (strict is posix; "
                  "lenient is retired: use ext4-ordered)");
  }
  auto fs_model = faultfs::parse_fs_model(f.fs_model);
  if (!fs_model.is_ok()) {
    return Status(ErrorCode::kInvalidArgument, "--fs-model: " + fs_model.status().message());
  }
  o->fs_model = fs_model.value();
  o->io_errors = f.io_errors == "on";
  RETURN_IF_ERROR(parse_shard(f.shard, &o->shard_index, &o->shard_count));
  if (!f.known_file.empty()) {
    ASSIGN_OR_RETURN(auto known, read_known_causes(f.known_file));
    o->known = std::move(known);
  }
  o->seed =
      f.seed ? *f.seed : std::random_device()() * uint64_t{0x100000001} ^ std::random_device()();
  if (workloads_given) {
    o->workloads = f.workloads;
  } else {
    o->time_s = f.time_s;
  }
  if (time_given && (f.time_s <= 0 || f.time_s > kTimeSecondsMax)) {
    return Status(ErrorCode::kInvalidArgument, "--time: want 0 < SECONDS <= one week");
  }
  return Status::ok();
}

// `run`: the options flags set directly, the flags finish_run_options()
// validates, and the CLI11 options whose presence changes a default. CLI11
// binds the members' addresses, so a RunCommand must not move once added.
struct RunCommand {
  CampaignOptions options;
  RunFlags flags;
  CLI::App* app = nullptr;
  CLI::Option* durability = nullptr;
  CLI::Option* time = nullptr;
  CLI::Option* workloads = nullptr;
  std::vector<std::string> target_libs;
  ExploreFlags explore;
};

void add_run_command(CLI::App& app, RunCommand* cmd) {
  CampaignOptions& o = cmd->options;
  RunFlags& f = cmd->flags;
  o.jobs = std::max(1u, std::min(kJobsMax, std::thread::hardware_concurrency()));
  o.report_dir = "torture-report";
  CLI::App* run = app.add_subcommand("run", "Run a crash-torture campaign");
  run->add_option("--target", o.target, "Target name (list-targets)");
  add_target_lib_option(run, &cmd->target_libs);
  cmd->durability =
      run->add_option("--durability", f.durability, "none|lazy|full|all (default: the target's)");
  run->add_option("--mode", f.mode, "sim|fork|all")->capture_default_str();
  run->add_option("--policy", f.policy,
                  "drop,prefix,reorder,torn,corrupt,lost-file|default|all (default: all)")
      ->capture_default_str();
  run->add_option("--fs-model", f.fs_model, "posix|ext4-ordered")->capture_default_str();
  run->add_option("--dir-mode", f.retired_dir_mode, "retired: use --fs-model")->group("");
  run->add_option("--io-errors", f.io_errors, "off|on")
      ->check(CLI::IsMember({"off", "on"}))
      ->capture_default_str();
  run->add_option("--ops", o.ops, "Operations per workload")
      ->check(CLI::Range(1u, kOpsMax))
      ->capture_default_str();
  run->add_option("--threads", o.threads, "Writer threads per workload (fork mode)")
      ->check(CLI::Range(1u, kThreadsMax))
      ->capture_default_str();
  run->add_option("--known", f.known_file,
                  "JSON file of known causes whose violations are suppressed (known_causes.h)");
  run->add_option("--seed", f.seed, "Campaign seed (default: random, printed in the report)");
  cmd->time = run->add_option("--time", f.time_s, "Seconds to run")->capture_default_str();
  cmd->workloads = run->add_option("--workloads", f.workloads, "Workloads to run")
                       ->check(CLI::Range(uint64_t{1}, uint64_t{1} << 40));
  cmd->time->excludes(cmd->workloads);
  run->add_option("--jobs", o.jobs, "Worker processes")
      ->check(CLI::Range(1u, kJobsMax))
      ->capture_default_str();
  run->add_option("--shard", f.shard, "K/N: run shard K (0-based) of N")->capture_default_str();
  run->add_option("--report", o.report_dir, "Report directory")->capture_default_str();
  run->add_option("--junit", o.junit_file, "Also write JUnit XML here");
  run->add_flag("--quiet", o.quiet, "No progress line");
  run->add_option("--max-violations", o.violations_max,
                  "Stop after violations of this many distinct causes (kind, policy, crash "
                  "operation and file)")
      ->check(CLI::Range(1u, 10'000u))
      ->capture_default_str();
  add_explore_flags(run, &cmd->explore);
  cmd->app = run;
}

int run_run_command(RunCommand* cmd) {
  assert(cmd->app != nullptr && cmd->app->parsed());
  auto explore = parse_explore_flags(cmd->explore, cmd->app->get_option("--fs-model")->count() > 0,
                                     &cmd->flags.fs_model);
  if (!explore.is_ok()) return usage_error(explore.status().message());
  faultfs::Status s =
      finish_run_options(cmd->flags, cmd->durability->count() > 0, cmd->time->count() > 0,
                         cmd->workloads->count() > 0, &cmd->options);
  if (s.is_ok() && explore.value()) {
    s = apply_explore(std::move(*explore.value()), cmd->time->count() > 0, &cmd->options);
  }
  if (!s.is_ok()) return usage_error(s.message());
  return run_campaign(cmd->options, std::cout, std::cerr);
}

// `replay` and `shrink`: both take one artifact folder.
struct ArtifactCommands {
  std::string artifact_dir;
  std::string shrink_out;
  std::string dump_out;
  ShrinkOptions shrink_options;
  CLI::App* replay = nullptr;
  CLI::App* dump = nullptr;
  CLI::App* shrink = nullptr;
  std::vector<std::string> target_libs;
};

void add_artifact_commands(CLI::App& app, ArtifactCommands* cmd) {
  cmd->replay = app.add_subcommand("replay", "Rebuild one artifact's crash state, judge it");
  cmd->replay->add_option("ARTIFACT_DIR", cmd->artifact_dir, "A failures/<id> folder")->required();
  add_target_lib_option(cmd->replay, &cmd->target_libs);

  cmd->dump = app.add_subcommand("dump-image", "Write an artifact's exact crash image as files");
  cmd->dump->add_option("ARTIFACT_DIR", cmd->artifact_dir, "A failures/<id> folder")->required();
  cmd->dump->add_option("DIR", cmd->dump_out, "Output folder (new or empty)")->required();
  add_target_lib_option(cmd->dump, &cmd->target_libs);

  CLI::App* shrink = app.add_subcommand("shrink", "Shrink an artifact's workload, as a new one");
  shrink->add_option("ARTIFACT_DIR", cmd->artifact_dir, "A failures/<id> folder")->required();
  shrink->add_option("--out", cmd->shrink_out, "New artifact folder (default: <ARTIFACT_DIR>-min)");
  add_target_lib_option(shrink, &cmd->target_libs);
  shrink->add_option("--time", cmd->shrink_options.time_s, "Seconds to search")
      ->check(CLI::Range(0.1, kTimeSecondsMax))
      ->capture_default_str();
  shrink
      ->add_option("--threads", cmd->shrink_options.fork_threads,
                   "Writer threads of the kill cycles a fork artifact's candidates run when "
                   "simulation misses it (default: as many as the artifact's child had)")
      ->check(CLI::Range(0u, kThreadsMax));
  cmd->shrink = shrink;
}

// The shrunk artifact goes beside the original, never over it.
std::string default_shrink_out(const std::string& artifact_dir) {
  std::string out = std::filesystem::path(artifact_dir).lexically_normal().string();
  while (!out.empty() && out.back() == '/') out.pop_back();
  out += "-min";
  assert(out != artifact_dir);
  return out;
}

struct MergeCommand {
  std::vector<std::string> inputs;
  std::string out;
  std::string junit;
  CLI::App* app = nullptr;
};

void add_merge_command(CLI::App& app, MergeCommand* cmd) {
  cmd->app = app.add_subcommand("merge", "Merge the reports of a campaign's shards");
  cmd->app->add_option("REPORT_DIR", cmd->inputs, "Shard report folders")->required();
  cmd->app->add_option("--report", cmd->out, "Output report folder")->required();
  cmd->app->add_option("--junit", cmd->junit, "Also write JUnit XML here");
}

}  // namespace

int run_cli(int argc, char** argv) {
  CLI::App app{"dbx-torture: crash-torture campaigns against DBX and other targets"};
  app.require_subcommand(1);
  app.set_help_all_flag("--help-all", "Help for every subcommand");

  RunCommand run;
  add_run_command(app, &run);
  ArtifactCommands artifact;
  add_artifact_commands(app, &artifact);
  MergeCommand merge;
  add_merge_command(app, &merge);
  CLI::App* list = app.add_subcommand(
      "list-targets", "One target a line: name, description, durability levels, capabilities");
  std::vector<std::string> list_libs;
  add_target_lib_option(list, &list_libs);
  const auto exec = add_exec_command(app);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help.
    return usage_error(e.what());
  }

  std::vector<std::string> libs = list_libs;
  for (const auto* more : {&run.target_libs, &artifact.target_libs}) {
    libs.insert(libs.end(), more->begin(), more->end());
  }
  if (const faultfs::Status loaded = load_target_libs(libs); !loaded.is_ok()) {
    return usage_error(loaded.message());
  }
  for (const std::string& lib : run.target_libs) {
    run.options.target_libs.push_back(std::filesystem::absolute(lib).lexically_normal().string());
  }
  if (list->parsed()) return list_targets(std::cout);
  if (run.app->parsed()) return run_run_command(&run);
  if (exec_command_parsed(*exec)) return run_exec_command(*exec);
  if (artifact.replay->parsed() && is_exec_artifact(artifact.artifact_dir)) {
    return replay_exec(artifact.artifact_dir, "", std::cout, std::cerr);
  }
  if (artifact.replay->parsed()) {
    return replay_command_main(artifact.artifact_dir, std::cout, std::cerr);
  }
  if (artifact.dump->parsed()) {
    return dump_image_command_main(artifact.artifact_dir, artifact.dump_out, std::cout, std::cerr);
  }
  if (artifact.shrink->parsed()) {
    if (artifact.shrink_out.empty()) {
      artifact.shrink_out = default_shrink_out(artifact.artifact_dir);
    }
    return shrink_command_main(artifact.artifact_dir, artifact.shrink_out, artifact.shrink_options,
                               std::cout, std::cerr);
  }
  if (merge.app->parsed()) {
    return merge_command_main(merge.inputs, merge.out, merge.junit, std::cout, std::cerr);
  }
  return usage_error("no subcommand");
}

}  // namespace torture
