// Runs `dbx-torture exec` for the exec tests.
#pragma once

#include <chrono>
#include <string>

#include "../cli/cli_run.h"

namespace torture::testing {

// The saver's check: every image must hold a saved number at least the last
// acknowledged one (any image passes before the first acknowledgement).
inline const std::string kSaverCheck =
    "'if [ -s {acks} ]; then [ \"$(cat {dir}/data)\" -ge \"$(tail -n1 {acks})\" ]; fi'";

struct TimedResult {
  CliResult result;
  double seconds = 0;
};

inline TimedResult run_timed(const std::string& args, const TempDir& scratch) {
  const auto start = std::chrono::steady_clock::now();
  TimedResult r{run_torture(args, scratch), 0};
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return r;
}

inline std::string saver_args(const std::string& report, const std::string& mode, int count,
                              const std::string& extra = "") {
  return "exec --seed 7 --jobs 2 --report " + report + " --check " + kSaverCheck + " " + extra +
         " -- " + DBX_EXEC_SAVER_BIN + " " + mode + " " + std::to_string(count);
}

}  // namespace torture::testing
