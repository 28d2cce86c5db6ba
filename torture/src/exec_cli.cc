#include "torture/exec_cli.h"

#include <CLI/CLI.hpp>
#include <iostream>
#include <random>
#include <thread>

#include "torture/exec.h"
#include "torture/options.h"

namespace torture {

struct ExecCommand {
  ExecOptions options;
  std::string policies = "drop,prefix,reorder,torn";
  std::string fs_models = "all";
  std::optional<uint64_t> seed;
  std::optional<double> time_s;
  std::string replay;
  CLI::App* app = nullptr;
};

namespace {

constexpr const char* kExecFooter = R"FOOTER(
PROGRAM runs in an empty folder (its cwd) under an LD_PRELOAD recorder: no root, no FUSE.
Each line it writes to the descriptor $DBX_ACK_FD (3) is an acknowledgement. At every
crash point (just before each fsync, fdatasync, directory fsync, syncfs and sync, and at
exit) crash images are drawn under each policy and file-system model and written out as
files; CMD is run with /bin/sh -c, {dir} replaced by the image's folder and {acks} by a
file of the lines acknowledged before the crash (also $DBX_ACKS_FILE). Exit 0 accepts the
image; anything else is a violation, saved under --report's failures/.
Not seen: stdio writes (fopen for writing inside the folder aborts), mmap writes, static
binaries. Exit codes: 0 no violation, 1 violations, 2 usage or set-up error.
Example:
  dbx-torture exec --check 'grep -qxF "$(tail -n1 {acks})" {dir}/data || ! [ -s {acks} ]' \
      -- ./my-saver data
)FOOTER";

int usage(const std::string& message) {
  std::cerr << "dbx-torture exec: " << message << " (see dbx-torture exec --help)\n";
  return 2;
}

}  // namespace

std::shared_ptr<ExecCommand> add_exec_command(CLI::App& app) {
  auto cmd = std::make_shared<ExecCommand>();
  ExecOptions& o = cmd->options;
  o.jobs = std::max(1u, std::min(kJobsMax, std::thread::hardware_concurrency()));
  CLI::App* exec = app.add_subcommand(
      "exec", "Crash-test an unmodified program: exec --check 'CMD {dir}' [options] -- PROGRAM...");
  exec->footer(kExecFooter);
  exec->add_option("--check", o.check, "Check command; {dir}: the image, {acks}: acked lines");
  exec->add_option("--replay", cmd->replay, "Rebuild one finding (failures/<id>), check again");
  exec->add_option("--policies,--policy", cmd->policies,
                   "drop,prefix,reorder,torn,corrupt,lost-file|default|all")
      ->capture_default_str();
  exec->add_option("--fs-model", cmd->fs_models, "posix,ext4-ordered|all")->capture_default_str();
  exec->add_option("--seed", cmd->seed, "Seed of the image draws (default: random)");
  exec->add_option("--time", cmd->time_s, "Stop judging after SECONDS (default: judge all)")
      ->check(CLI::Range(0.001, kTimeSecondsMax));
  exec->add_option("--images-max", o.images_max, "Images per crash point, policy and model")
      ->check(CLI::Range(1u, kExecImagesMax))
      ->capture_default_str();
  exec->add_option("--jobs", o.jobs, "Checks run at once")
      ->check(CLI::Range(1u, kJobsMax))
      ->capture_default_str();
  exec->add_option("--check-timeout", o.check_timeout_s, "Seconds before a check is killed")
      ->check(CLI::Range(0.01, 3600.0))
      ->capture_default_str();
  exec->add_option("--program-timeout", o.program_timeout_s, "Seconds before PROGRAM is killed")
      ->check(CLI::Range(0.01, kTimeSecondsMax))
      ->capture_default_str();
  exec->add_option("--max-violations", o.violations_max, "Stop after this many distinct causes")
      ->check(CLI::Range(1u, 10'000u))
      ->capture_default_str();
  exec->add_option("--report", o.report_dir, "Report directory")->capture_default_str();
  exec->add_option("--junit", o.junit_file, "Also write JUnit XML here");
  exec->add_option("PROGRAM", o.program, "The program and its arguments, after --");
  cmd->app = exec;
  return cmd;
}

bool exec_command_parsed(const ExecCommand& command) { return command.app->parsed(); }

int run_exec_command(ExecCommand& cmd) {
  ExecOptions& o = cmd.options;
  if (!cmd.replay.empty()) return replay_exec(cmd.replay, o.check, std::cout, std::cerr);
  if (o.check.empty()) return usage("--check CMD is required");
  if (o.program.empty()) return usage("no PROGRAM (give it after --)");
  auto policies = parse_policies(cmd.policies);
  if (!policies.is_ok()) return usage(policies.status().message());
  o.policies = policies.value();
  auto models = parse_exec_fs_models(cmd.fs_models);
  if (!models.is_ok()) return usage(models.status().message());
  o.fs_models = models.value();
  o.time_s = cmd.time_s;
  o.seed = cmd.seed ? *cmd.seed
                    : std::random_device()() * uint64_t{0x100000001} ^ std::random_device()();
  std::cout << "exec: seed " << o.seed << "\n";
  return run_exec(o, std::cout, std::cerr);
}

}  // namespace torture
