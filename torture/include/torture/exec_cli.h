// The `exec` subcommand's flags (CLI11), kept beside the rest of exec so
// that cli.cc only adds and dispatches it.
#pragma once

#include <memory>

namespace CLI {
class App;
}  // namespace CLI

namespace torture {

struct ExecCommand;

// Adds `exec` to `app`. The returned command must outlive app.parse().
std::shared_ptr<ExecCommand> add_exec_command(CLI::App& app);
bool exec_command_parsed(const ExecCommand& command);
// Runs the parsed command: an exec run or, with --replay, a replay.
int run_exec_command(ExecCommand& command);

}  // namespace torture
