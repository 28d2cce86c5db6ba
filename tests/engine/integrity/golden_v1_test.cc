// A database written by format version 1 (conf v1, WAL header v1) is read by
// today's code, and keeps working once today's code writes to it.
#include <gtest/gtest.h>

#include <filesystem>

#include "integrity_util.h"
#include "support/temp_dir.h"

namespace dbx::testing {
namespace {

namespace fs = std::filesystem;

// tests/engine/golden/v1/README.md says how the fixture was written.
void expect_fixture_rows(Database& db, std::vector<Database::Row> u_rows_after = {}) {
  const std::vector<Database::Row> t = db.scan("t");
  ASSERT_EQ(t.size(), 14u);
  for (const auto& [key, value] : t) {
    EXPECT_NE(key, "k03");
    const std::string expected = key == "k00" ? "v00-new" : "v" + key.substr(1);
    EXPECT_EQ(value, expected) << key;
  }
  EXPECT_EQ(db.get("t", "k14"), "v14");
  std::vector<Database::Row> u_rows{{"a", "1"}, {"b", "2"}};
  u_rows.insert(u_rows.end(), u_rows_after.begin(), u_rows_after.end());
  EXPECT_EQ(db.scan("u"), u_rows);
}

class GoldenV1Test : public ::testing::Test {
 protected:
  void SetUp() override { fs::copy(DBX_GOLDEN_V1_DIR, tmp_.db(), fs::copy_options::recursive); }
  TempDir tmp_;
};

TEST_F(GoldenV1Test, OpensStrictAndReadsEveryRow) {
  auto db = Database::open(tmp_.db(), integrity_options());
  EXPECT_EQ(db->recovery_stats().checkpoint_sequence, 10u);
  expect_fixture_rows(*db);
  db->close();
}

TEST_F(GoldenV1Test, KeepsWorkingAfterWritesFlushAndReopen) {
  {
    auto db = Database::open(tmp_.db(), integrity_options());
    db->insert("u", "c", "3");
    db->close();
  }
  {
    auto db = Database::open(tmp_.db(), integrity_options());
    expect_fixture_rows(*db, {{"c", "3"}});
    db->insert("u", "d", "4");
    db->flush();
    db->insert("u", "e", "5");
    db->close();
  }
  auto db = Database::open(tmp_.db(), integrity_options());
  EXPECT_EQ(db->scan("u").size(), 5u);
  db->close();
}

}  // namespace
}  // namespace dbx::testing
