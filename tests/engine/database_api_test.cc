// The public API's behaviour on one handle: upserts, deletes, batches, reads,
// and bad input that must write nothing.
#include <gtest/gtest.h>

#include <string>

#include "dbx/dbx.h"
#include "support/engine_env.h"

namespace dbx {
namespace {

using testing::EngineEnv;
using testing::FsKind;

class DatabaseApi : public ::testing::TestWithParam<FsKind> {
 protected:
  std::unique_ptr<Database> open() { return Database::open(env_.db(), env_.options()); }
  EngineEnv env_{GetParam()};
};

TEST_P(DatabaseApi, InsertIsAnUpsertAndGetReturnsTheLatestValue) {
  auto db = open();
  db->insert("t", "k", "v1");
  db->insert("t", "k", "v2");
  EXPECT_EQ(db->get("t", "k"), "v2");
  EXPECT_EQ(db->get("t", "missing"), std::nullopt);
  EXPECT_EQ(db->get("other", "k"), std::nullopt);
  EXPECT_EQ(db->count("t"), 1u);
}

TEST_P(DatabaseApi, RemoveReportsWhetherTheKeyExisted) {
  auto db = open();
  db->insert("t", "k", "v");
  EXPECT_TRUE(db->remove("t", "k"));
  EXPECT_FALSE(db->remove("t", "k"));
  EXPECT_EQ(db->get("t", "k"), std::nullopt);
  db->flush();
  db->insert("t", "k2", "v");
  db->flush();
  EXPECT_TRUE(db->remove("t", "k2"));  // Existence seen through the WOS.
  EXPECT_EQ(db->count("t"), 0u);
}

TEST_P(DatabaseApi, KeysAndValuesAreArbitraryBytes) {
  const std::string key("a\0b\xff", 4);
  const std::string value("\0\0\x01", 3);
  {
    auto db = open();
    db->insert("t", key, value);
    db->insert("t", "empty-value", "");
    db->insert("t", "", "empty-key");
  }
  auto db = open();
  EXPECT_EQ(db->get("t", key), value);
  EXPECT_EQ(db->get("t", "empty-value"), "");
  EXPECT_EQ(db->get("t", ""), "empty-key");
}

TEST_P(DatabaseApi, OneMebibyteValuesSurviveReopenBeforeAndAfterFlush) {
  std::string big(1 << 20, '\0');
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>(i * 131 + 7);
  {
    auto db = open();
    db->insert("t", "wal", big);
    db->insert("t", "wos", big + "x");
    db->flush();
    db->insert("t", "wal-after", big + "y");
  }
  auto db = open();
  EXPECT_EQ(db->get("t", "wal"), big);
  EXPECT_EQ(db->get("t", "wos"), big + "x");
  EXPECT_EQ(db->get("t", "wal-after"), big + "y");
}

TEST_P(DatabaseApi, ScanAndRangeMergeDeltaOverWosInKeyOrder) {
  auto db = open();
  for (const char* k : {"a", "c", "e", "g"}) db->insert("t", k, std::string("wos-") + k);
  db->flush();
  db->insert("t", "b", "delta-b");
  db->insert("t", "c", "delta-c");
  EXPECT_TRUE(db->remove("t", "e"));
  const std::vector<Database::Row> all = db->scan("t");
  const std::vector<Database::Row> expected_all{
      {"a", "wos-a"}, {"b", "delta-b"}, {"c", "delta-c"}, {"g", "wos-g"}};
  EXPECT_EQ(all, expected_all);
  const std::vector<Database::Row> mid = db->range("t", "b", "g");
  const std::vector<Database::Row> expected_mid{{"b", "delta-b"}, {"c", "delta-c"}};
  EXPECT_EQ(mid, expected_mid);
  EXPECT_EQ(db->count("t"), 4u);
}

TEST_P(DatabaseApi, TableNamesListOnlyTablesWithRows) {
  auto db = open();
  db->insert("b", "k", "v");
  db->insert("a", "k", "v");
  db->insert("gone", "k", "v");
  db->flush();
  EXPECT_TRUE(db->remove("gone", "k"));
  const std::vector<std::string> expected{"a", "b"};
  EXPECT_EQ(db->table_names(), expected);
}

TEST_P(DatabaseApi, WriteBatchSpanningTablesAppliesEveryOperation) {
  auto db = open();
  db->insert("t1", "old", "v");
  WriteBatch batch;
  batch.put("t1", "k1", "v1");
  batch.put("t2", "k2", "v2");
  batch.remove("t1", "old");
  const uint64_t before = db->last_sequence();
  const uint64_t sequence = db->write(batch);
  EXPECT_EQ(sequence, before + 1) << "a batch is one write";
  EXPECT_EQ(db->get("t1", "k1"), "v1");
  EXPECT_EQ(db->get("t2", "k2"), "v2");
  EXPECT_EQ(db->get("t1", "old"), std::nullopt);
}

TEST_P(DatabaseApi, InsertBatchIsOneSequenceNumber) {
  auto db = open();
  const uint64_t s = db->insert_batch("t", {{"a", "1"}, {"b", "2"}, {"c", "3"}});
  EXPECT_EQ(s, db->last_sequence());
  EXPECT_EQ(db->count("t"), 3u);
}

// Every rejected call must leave the database byte-for-byte as it was.
TEST_P(DatabaseApi, InvalidArgumentsWriteNothing) {
  auto db = open();
  db->insert("t", "k", "v");
  const uint64_t sequence = db->last_sequence();
  const auto wal_bytes = env_.fs().file_size(env_.file("wal.log")).value();
  const std::string long_name(kMaxTableNameBytes + 1, 'n');
  const std::string huge_value(kMaxValueBytes + 1, 'v');
  const std::string huge_key(kMaxKeyBytes + 1, 'k');
  auto expect_invalid = [](auto&& call) {
    try {
      call();
      ADD_FAILURE() << "no exception";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument) << e.what();
    }
  };
  expect_invalid([&] { db->insert("", "k", "v"); });
  expect_invalid([&] { db->insert(long_name, "k", "v"); });
  expect_invalid([&] { db->insert("t", "k", huge_value); });
  expect_invalid([&] { db->insert("t", huge_key, "v"); });
  expect_invalid([&] { db->remove("", "k"); });
  expect_invalid([&] { db->insert_batch("t", {{"a", "1"}, {"b", huge_value}}); });
  WriteBatch batch;
  batch.put("t", "ok", "v");
  batch.put("", "bad", "v");
  expect_invalid([&] { db->write(batch); });
  EXPECT_EQ(db->last_sequence(), sequence);
  EXPECT_EQ(env_.fs().file_size(env_.file("wal.log")).value(), wal_bytes);
  EXPECT_EQ(db->get("t", "ok"), std::nullopt);
  EXPECT_EQ(db->count("t"), 1u);
  // A name of exactly the limit is fine.
  db->insert(std::string(kMaxTableNameBytes, 'n'), "k", "v");
}

TEST_P(DatabaseApi, OperationsAfterCloseThrowClosed) {
  auto db = open();
  db->insert("t", "k", "v");
  db->close();
  db->close();  // Idempotent.
  try {
    db->insert("t", "k", "v");
    FAIL() << "no exception";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kClosed);
  }
  EXPECT_THROW(db->get("t", "k"), Error);
}

TEST_P(DatabaseApi, InMemoryDatabaseLeavesNoFilesAndSupportsTheFullApi) {
  auto db = Database::open_in_memory();
  db->insert("t", "k", "v");
  db->flush();
  EXPECT_EQ(db->get("t", "k"), "v");
  EXPECT_TRUE(db->remove("t", "k"));
  EXPECT_EQ(db->count("t"), 0u);
}

TEST_P(DatabaseApi, OpenCreatesTheDocumentedLayout) {
  auto db = open();
  db->insert("t", "k", "v");
  db->flush();
  for (const char* file : {"wal.log", "LOCK", "wos/conf", "wos/db"}) {
    EXPECT_TRUE(env_.fs().exists(env_.file(file)).value()) << file;
  }
}

INSTANTIATE_TEST_SUITE_P(Fs, DatabaseApi, ::testing::Values(FsKind::kPosix, FsKind::kSimFs),
                         testing::FsKindName());

}  // namespace
}  // namespace dbx
