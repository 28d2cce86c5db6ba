// Scratch folders for the bench tests: one per process and test, since ctest
// runs the cases of one engine in parallel processes, which must not share a
// database.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

namespace bench::testing {

// An empty folder named after `name`, the running test and this process.
inline std::string fresh_dir(const std::string& name) {
  const ::testing::TestInfo* test = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string test_name = test != nullptr ? test->name() : "none";
  for (char& c : test_name) {
    if (c == '/') c = '_';
  }
  const std::filesystem::path dir =
      std::filesystem::path(::testing::TempDir()) /
      ("dbx_bench_" + name + "_" + std::to_string(::getpid()) + "_" + test_name);
  std::filesystem::remove_all(dir);
  return dir.string();
}

}  // namespace bench::testing
