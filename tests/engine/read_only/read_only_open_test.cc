// Options::read_only / Database::open_read_only: the recovered state served
// from memory, and not one byte written (no file created, resized or touched).
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "dbx/dbx.h"
#include "support/scratch_mount.h"
#include "support/temp_dir.h"
#include "support/tree_snapshot.h"
#include "support/unprivileged.h"

namespace dbx {
namespace {

using testing::error_exit_code;
using testing::snapshot_tree;

// Rows a checkpointed (a, b) and only in the WAL (b overwritten, c, a removed).
void make_database(const std::string& path) {
  auto db = Database::open(path);
  db->insert("t", "a", "1");
  db->insert("t", "b", "2");
  db->flush();
  db->insert("t", "b", "22");
  db->insert("t", "c", "3");
  db->remove("t", "a");
  db->close();
}

// 0 when `db` shows exactly make_database's rows; 2 otherwise.
int check_rows(Database& db) {
  const std::vector<Database::Row> expected{{"b", "22"}, {"c", "3"}};
  return db.scan("t") == expected ? 0 : 2;
}

template <typename Fn>
void expect_error(ErrorCode code, Fn&& fn) {
  try {
    fn();
    ADD_FAILURE() << "no error, expected " << error_code_name(code);
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), code) << e.what();
  }
}

TEST(ReadOnlyOpen, ServesTheRecoveredStateAndWritesNothing) {
  testing::TempDir dir;
  make_database(dir.db());
  const testing::TreeSnapshot before = snapshot_tree(dir.root());
  {
    auto db = Database::open_read_only(dir.db());
    EXPECT_EQ(check_rows(*db), 0);
    EXPECT_EQ(db->count("t"), 2u);
    EXPECT_EQ(db->recovery_stats().records_replayed, 3u);
    expect_error(ErrorCode::kReadOnly, [&] { db->insert("t", "d", "4"); });
    expect_error(ErrorCode::kReadOnly, [&] { db->remove("t", "b"); });
    expect_error(ErrorCode::kReadOnly, [&] { db->flush(); });
    EXPECT_EQ(check_rows(*db), 0) << "a refused write changed nothing";
    db->close();  // A clean close: nothing to make durable, nothing failed.
  }
  EXPECT_EQ(snapshot_tree(dir.root()), before);
}

TEST(ReadOnlyOpen, ATornTailIsLeftUnreadNotCut) {
  testing::TempDir dir;
  make_database(dir.db());
  const uint64_t wal_bytes = std::filesystem::file_size(dir.db() + "/wal.log");
  std::ofstream(dir.db() + "/wal.log", std::ios::app) << std::string(7, '\x5a');
  const testing::TreeSnapshot before = snapshot_tree(dir.root());
  auto db = Database::open_read_only(dir.db());
  EXPECT_EQ(check_rows(*db), 0);
  db->close();
  EXPECT_EQ(snapshot_tree(dir.root()), before);
  EXPECT_EQ(std::filesystem::file_size(dir.db() + "/wal.log"), wal_bytes + 7);
}

TEST(ReadOnlyOpen, WithoutALockFileCreatesNone) {
  testing::TempDir dir;
  make_database(dir.db());
  std::filesystem::remove(dir.db() + "/LOCK");
  const testing::TreeSnapshot before = snapshot_tree(dir.root());
  auto db = Database::open_read_only(dir.db());
  EXPECT_EQ(check_rows(*db), 0);
  db->close();
  EXPECT_FALSE(std::filesystem::exists(dir.db() + "/LOCK"));
  EXPECT_EQ(snapshot_tree(dir.root()), before);
}

TEST(ReadOnlyOpen, NoDatabaseAtThePathIsReadOnlyAndCreatesNothing) {
  testing::TempDir dir;
  expect_error(ErrorCode::kReadOnly, [&] { Database::open_read_only(dir.db()); });
  EXPECT_FALSE(std::filesystem::exists(dir.db()));
  std::filesystem::create_directory(dir.db());
  const testing::TreeSnapshot before = snapshot_tree(dir.root());
  expect_error(ErrorCode::kReadOnly, [&] { Database::open_read_only(dir.db()); });
  EXPECT_EQ(snapshot_tree(dir.root()), before);
}

TEST(ReadOnlyOpen, SharesTheLockWithReadersAndExcludesWriters) {
  testing::TempDir dir;
  make_database(dir.db());
  {
    auto writer = Database::open(dir.db());
    expect_error(ErrorCode::kBusy, [&] { Database::open_read_only(dir.db()); });
  }
  auto first = Database::open_read_only(dir.db());
  auto second = Database::open_read_only(dir.db());
  EXPECT_EQ(check_rows(*second), 0);
  expect_error(ErrorCode::kBusy, [&] { Database::open(dir.db()); });
  first->close();
  second->close();
  Database::open(dir.db())->close();  // Both shared locks are gone.
}

TEST(ReadOnlyOpen, WorksWithoutWritePermissionWhereAWritableOpenIsDenied) {
  testing::TempDir dir;
  make_database(dir.db());
  testing::give_to_unprivileged_user(dir.root());
  // Nothing under the database may be written, created or removed.
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir.db())) {
    ASSERT_EQ(::chmod(e.path().c_str(), e.is_directory() ? 0555 : 0444), 0);
  }
  ASSERT_EQ(::chmod(dir.db().c_str(), 0555), 0);
  const testing::TreeSnapshot before = snapshot_tree(dir.root());
  const int read_only = testing::run_unprivileged([&] {
    auto db = Database::open_read_only(dir.db());
    const int rows = check_rows(*db);
    db->close();
    return rows;
  });
  if (read_only == -1) GTEST_SKIP() << "cannot run as an unprivileged user";
  EXPECT_EQ(read_only, 0);
  const int writable = testing::run_unprivileged([&] {
    Database::open(dir.db());
    return 0;
  });
  EXPECT_EQ(writable, error_exit_code(ErrorCode::kPermissionDenied));
  EXPECT_EQ(snapshot_tree(dir.root()), before);
}

TEST(ReadOnlyOpen, WorksOnAReadOnlyMount) {
  testing::ScratchMount mount(uint64_t{16} << 20);
  if (!mount.mounted()) GTEST_SKIP() << "mounting a tmpfs needs CAP_SYS_ADMIN";
  const std::string path = mount.path() + "/db";
  make_database(path);
  ASSERT_TRUE(mount.set_read_only(true));
  const testing::TreeSnapshot before = snapshot_tree(mount.path());
  {
    auto db = Database::open_read_only(path);
    EXPECT_EQ(check_rows(*db), 0);
    db->close();
  }
  expect_error(ErrorCode::kPermissionDenied, [&] { Database::open(path); });
  EXPECT_EQ(snapshot_tree(mount.path()), before);
  ASSERT_TRUE(mount.set_read_only(false));
}

}  // namespace
}  // namespace dbx
