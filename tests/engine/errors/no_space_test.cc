// A full file system is no_space (not io_error), and a write that fails for
// it loses nothing acknowledged before it: after space is freed, a reopen
// shows every acknowledged write.
#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include "dbx/dbx.h"
#include "support/scratch_mount.h"

namespace dbx {
namespace {

constexpr uint64_t kMountBytes = uint64_t{3} << 20;
constexpr size_t kFillerBytes = size_t{1} << 20;
constexpr size_t kValueBytes = 16 << 10;

std::string key_of(int i) { return "k" + std::to_string(100000 + i); }

class NoSpace : public ::testing::TestWithParam<Durability> {};

TEST_P(NoSpace, AWriteOnAFullDiskIsNoSpaceAndEveryAcknowledgedWriteSurvives) {
  testing::ScratchMount mount(kMountBytes);
  if (!mount.mounted()) GTEST_SKIP() << "mounting a tmpfs needs CAP_SYS_ADMIN";
  const std::string filler = mount.path() + "/filler";
  std::ofstream(filler) << std::string(kFillerBytes, 'f');
  const std::string path = mount.path() + "/db";
  Options options;
  options.durability = GetParam();
  options.wal_preallocate_bytes = 0;  // This test is about running out, not about reserving.

  int acknowledged = 0;
  std::optional<ErrorCode> failure;
  {
    auto db = Database::open(path, options);
    try {
      for (;; ++acknowledged) db->insert("t", key_of(acknowledged), std::string(kValueBytes, 'v'));
    } catch (const Error& e) {
      failure = e.code();
      EXPECT_EQ(e.code(), ErrorCode::kNoSpace) << e.what();
    }
    try {
      db->close();  // Read-only since the failure: close reports it.
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::kReadOnly) << e.what();
    }
  }
  ASSERT_TRUE(failure.has_value());
  ASSERT_GT(acknowledged, 10) << "the disk was full before the test began";

  ASSERT_EQ(std::remove(filler.c_str()), 0);
  auto reopened = Database::open(path, options);
  for (int i = 0; i < acknowledged; ++i) {
    ASSERT_EQ(reopened->get("t", key_of(i)), std::string(kValueBytes, 'v')) << key_of(i);
  }
  // The failed write may or may not be there; nothing after it may.
  EXPECT_LE(reopened->count("t"), static_cast<uint64_t>(acknowledged) + 1);
}

INSTANTIATE_TEST_SUITE_P(Durabilities, NoSpace,
                         ::testing::Values(Durability::kFull, Durability::kLazy),
                         [](const auto& param_info) {
                           return param_info.param == Durability::kFull ? "Full" : "Lazy";
                         });

}  // namespace
}  // namespace dbx
