// The bodies of dbx-torture's subcommands other than run (cli.cc parses).
// Each returns the exit code and prints errors as one line on `err`.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "torture/replay.h"

namespace torture {

int list_targets(std::ostream& out);
// 0: the artifact's crash image was written to `out_dir`; 2: error.
int dump_image_command_main(const std::string& artifact_dir, const std::string& out_dir,
                            std::ostream& out, std::ostream& err);
int replay_command_main(const std::string& artifact_dir, std::ostream& out, std::ostream& err);
// 0: a smaller (or equal) failing artifact was written to `out_dir`;
// 1: the artifact no longer fails, nothing written; 2: error.
int shrink_command_main(const std::string& artifact_dir, const std::string& out_dir,
                        const ShrinkOptions& options, std::ostream& out, std::ostream& err);
int merge_command_main(const std::vector<std::string>& inputs, const std::string& out_dir,
                       const std::string& junit_file, std::ostream& out, std::ostream& err);

}  // namespace torture
