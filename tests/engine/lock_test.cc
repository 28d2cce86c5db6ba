// db/LOCK: one handle per database, across handles and processes.
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "dbx/dbx.h"
#include "support/temp_dir.h"

namespace dbx {
namespace {

TEST(Lock, SecondHandleInTheSameProcessGetsBusy) {
  testing::TempDir dir;
  auto db = Database::open(dir.db());
  try {
    Database::open(dir.db());
    FAIL() << "second handle opened";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kBusy) << e.what();
  }
  db->insert("t", "k", "v");  // The first handle is unharmed.
  db->close();
  EXPECT_EQ(Database::open(dir.db())->get("t", "k"), "v") << "lock released at close";
}

TEST(Lock, SecondProcessGetsBusyNotCorruption) {
  testing::TempDir dir;
  auto db = Database::open(dir.db());
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    try {
      Database::open(dir.db());
    } catch (const Error& e) {
      std::_Exit(e.code() == ErrorCode::kBusy ? 0 : 1);
    }
    std::_Exit(2);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "1: wrong error, 2: opened";
}

}  // namespace
}  // namespace dbx
