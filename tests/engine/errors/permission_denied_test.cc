// EACCES on each file or directory an open needs is permission_denied, never
// busy: a program that retries on busy would retry forever. Run as nobody
// (the kernel does not check permissions for root).
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <string>

#include "dbx/dbx.h"
#include "support/temp_dir.h"
#include "support/unprivileged.h"

namespace dbx {
namespace {

using testing::error_exit_code;
using testing::run_unprivileged;

// A database with a checkpoint and a WAL record after it, owned by the user
// the child runs as. Returns its directory.
std::string make_database(const testing::TempDir& dir) {
  {
    auto db = Database::open(dir.db());
    db->insert("t", "a", "1");
    db->flush();
    db->insert("t", "b", "2");
    db->close();
  }
  testing::give_to_unprivileged_user(dir.root());
  return dir.db();
}

// The exit code of an unprivileged open of `path`: 0 if it opened.
int unprivileged_open(const std::string& path) {
  return run_unprivileged([&] {
    Database::open(path)->close();
    return 0;
  });
}

void expect_permission_denied(int outcome, const std::string& what) {
  if (outcome == -1) GTEST_SKIP() << "cannot run as an unprivileged user";
  EXPECT_EQ(outcome, error_exit_code(ErrorCode::kPermissionDenied))
      << what << ": exit " << outcome << " (busy is " << error_exit_code(ErrorCode::kBusy)
      << ", 0: opened)";
}

TEST(PermissionDenied, CreatingTheDatabaseDirectoryInAReadOnlyParent) {
  testing::TempDir dir;
  testing::give_to_unprivileged_user(dir.root());
  ASSERT_EQ(::chmod(dir.root().c_str(), 0555), 0);
  expect_permission_denied(unprivileged_open(dir.db()), "mkdir of the database directory");
}

// One file of an existing database with its permission bits cut to `mode`.
struct DeniedFile {
  const char* name;
  mode_t mode;
  const char* label;
  friend void PrintTo(const DeniedFile& file, std::ostream* out) { *out << file.label; }
};

class PermissionDeniedOn : public ::testing::TestWithParam<DeniedFile> {};

TEST_P(PermissionDeniedOn, EachFileOfAnExistingDatabase) {
  testing::TempDir dir;
  const std::string db = make_database(dir);
  ASSERT_EQ(::chmod((db + "/" + GetParam().name).c_str(), GetParam().mode), 0);
  expect_permission_denied(unprivileged_open(db), GetParam().name);
}

INSTANTIATE_TEST_SUITE_P(Files, PermissionDeniedOn,
                         ::testing::Values(DeniedFile{"LOCK", 0444, "LockNotWritable"},
                                           DeniedFile{"wal.log", 0, "WalNotReadable"},
                                           DeniedFile{"wal.log", 0444, "WalNotWritable"},
                                           DeniedFile{"wos/db", 0444, "WosDbNotWritable"},
                                           DeniedFile{"wos/conf", 0, "WosConfNotReadable"}),
                         [](const auto& param_info) {
                           return std::string(param_info.param.label);
                         });

TEST(PermissionDenied, WosDirectoryNotWritable) {
  testing::TempDir dir;
  const std::string db = make_database(dir);
  // A clean store has nothing to tidy, so only a checkpoint needs to write
  // here; the open itself must still fail cleanly, or succeed and keep data.
  ASSERT_EQ(::chmod((db + "/wos").c_str(), 0555), 0);
  const int outcome = run_unprivileged([&] {
    auto handle = Database::open(db);
    if (handle->get("t", "b") != "2") return 2;
    handle->insert("t", "c", "3");
    handle->flush();  // Writes wos/db.tmp or appends: EACCES on a new file.
    return 0;
  });
  if (outcome == -1) GTEST_SKIP() << "cannot run as an unprivileged user";
  EXPECT_TRUE(outcome == 0 || outcome == error_exit_code(ErrorCode::kPermissionDenied))
      << "exit " << outcome;
}

TEST(PermissionDenied, ABusyLockIsStillBusy) {
  testing::TempDir dir;
  const std::string db = make_database(dir);
  auto holder = Database::open(db);
  const int outcome = unprivileged_open(db);
  if (outcome == -1) GTEST_SKIP() << "cannot run as an unprivileged user";
  EXPECT_EQ(outcome, error_exit_code(ErrorCode::kBusy));
}

}  // namespace
}  // namespace dbx
