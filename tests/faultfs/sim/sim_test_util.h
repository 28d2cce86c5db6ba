// Helpers shared by the SimFs tests.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>
#include <stdexcept>
#include <string>

#include "faultfs/crash.h"
#include "faultfs/sim_fs.h"

namespace faultfs::testing {
inline const Status& status_of(const Status& s) { return s; }
template <typename T>
const Status& status_of(const Result<T>& r) {
  return r.status();
}
// The value of a Result that must be OK; a failed one fails the test (gtest
// reports the exception) instead of asserting on a bad access.
template <typename T>
T must(Result<T> r) {
  if (!r.is_ok()) throw std::runtime_error("unexpected error: " + r.status().to_string());
  return std::move(r).value();
}
}  // namespace faultfs::testing

#define FAULTFS_ASSERT_OK(expr)                                        \
  do {                                                                 \
    const auto& faultfs_result_ = (expr);                              \
    ASSERT_TRUE(faultfs_result_.is_ok())                               \
        << ::faultfs::testing::status_of(faultfs_result_).to_string(); \
  } while (0)

#define FAULTFS_EXPECT_OK(expr)                                        \
  do {                                                                 \
    const auto& faultfs_result_ = (expr);                              \
    EXPECT_TRUE(faultfs_result_.is_ok())                               \
        << ::faultfs::testing::status_of(faultfs_result_).to_string(); \
  } while (0)

namespace faultfs::testing {

// path -> bytes of every file an image holds.
using Image = std::map<std::string, std::string>;

inline CrashOptions options(CrashPolicy policy, FsModel mode = FsModel::kPosix,
                            uint32_t sector_bytes = 512) {
  CrashOptions o;
  o.policy = policy;
  o.fs_model = mode;
  o.sector_bytes = sector_bytes;
  return o;
}

// Every distinct image enumerate_crashes() finds, each rebuilt by crash_with().
inline std::set<Image> enumerated_images(const SimFs& fs, const CrashOptions& o,
                                         size_t max_images = 1024, uint64_t seed = 1) {
  std::mt19937_64 rng(seed);
  std::set<Image> out;
  for (const CrashChoice& choice : fs.enumerate_crashes(o, max_images, rng)) {
    auto image = fs.crash_with(o, choice);
    EXPECT_TRUE(image.is_ok()) << image.status().to_string() << " for " << choice.serialize();
    if (image.is_ok()) out.insert((*image)->live_files());
  }
  return out;
}

// The distinct images `attempts` random crashes produce.
inline std::set<Image> sampled_images(const SimFs& fs, const CrashOptions& o, int attempts,
                                      uint64_t seed = 7) {
  std::mt19937_64 rng(seed);
  std::set<Image> out;
  for (int i = 0; i < attempts; ++i) out.insert(fs.crash(o, rng)->live_files());
  return out;
}

// Writes `data` to a new file, then optionally syncs it and its directory.
inline Status put_file(FileSystem& fs, const std::string& path, std::string_view data,
                       bool sync_data, bool sync_parent) {
  auto file = fs.open(path, OpenMode::kCreateTruncate);
  if (!file.is_ok()) return file.status();
  Status s = (*file)->append(data);
  if (s.is_ok() && sync_data) s = (*file)->sync();
  if (s.is_ok()) s = (*file)->close();
  if (s.is_ok() && sync_parent) s = fs.sync_dir(parent_path(path));
  return s;
}

}  // namespace faultfs::testing
