// The recorder's trace from a program of several concurrent processes: one
// well-formed trace (parse_trace checks the sequence has no gap) whose
// rebuild holds every byte each process appended, in each file's order.
#include <gtest/gtest.h>

#include "exec_test_util.h"
#include "faultfs/trace.h"

namespace torture::testing {
namespace {

TEST(ExecTrace, ConcurrentProcessesShareOneOrderedTrace) {
  TempDir dir;
  // Four subshells at once, each appending eight lines to its own file
  // through the shell's redirection (open O_APPEND, dup2 onto 1, write).
  const std::string program =
      "sh -c 'for p in 1 2 3 4; do (for i in 1 2 3 4 5 6 7 8; do echo $p.$i >> f$p; done) & "
      "done; wait'";
  const CliResult r = run_torture("exec --policies drop --fs-model posix --report " +
                                      dir / "report" + " --check false -- " + program,
                                  dir);
  ASSERT_EQ(r.code, 1) << r.out << r.err;
  EXPECT_EQ(r.err.find("warning"), std::string::npos) << r.err;
  auto trace = faultfs::read_trace(dir / "report/failures/exec-0001/trace");
  ASSERT_TRUE(trace.is_ok()) << trace.status().to_string();
  auto rebuilt = faultfs::rebuild_from_trace(trace.value(), trace.value().records.size());
  ASSERT_TRUE(rebuilt.is_ok()) << rebuilt.status().to_string();
  const auto files = rebuilt.value()->live_files();
  ASSERT_EQ(files.size(), 4u);
  for (int p = 1; p <= 4; ++p) {
    std::string expected;
    for (int i = 1; i <= 8; ++i) expected += std::to_string(p) + "." + std::to_string(i) + "\n";
    EXPECT_EQ(files.at("f" + std::to_string(p)), expected);
  }
}

}  // namespace
}  // namespace torture::testing
