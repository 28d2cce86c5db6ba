// One Checker judging many states keeps the loaded log and SQLite's states at
// p between checks: these pin down that it never judges by a stale copy, and
// the connection's revision and statement cache the copy relies on.
#include <string>
#include <vector>

#include "oracle_test_util.h"
#include "sqlite_db.h"

namespace oracle::testing {
namespace {

using CheckerCache = OracleFixture;

Verdict check_with(Checker& checker, const Bounds& b, State recovered) {
  auto verdict = checker.check(b, std::move(recovered));
  EXPECT_TRUE(verdict.is_ok()) << verdict.status().to_string();
  if (!verdict.is_ok()) return Verdict{};
  return verdict.value();
}

TEST_F(CheckerCache, AStateTheLogNoLongerAllowsIsAViolationAfterTheLogDiscardedItsWrite) {
  put("a", "1", false);
  put("a", "2", false);
  const Bounds b = bounds(Durability::kLazy, CrashKind::kPowerLoss);
  ASSERT_EQ(b.hi, 2u);
  Checker checker(*history_);
  expect_ok(check_with(checker, b, {row("a", "2")}), 2);
  // Write 2 is discarded: a copy of the log kept from the check above would
  // still find "a" = "2" at p = 2 under the very same bounds.
  ASSERT_TRUE(history_->record_recovered(1).is_ok());
  EXPECT_FALSE(check_with(checker, b, {row("a", "2")}).ok);
  // With write 2 gone, p = 1 and p = 2 name one state; the run's highest wins.
  expect_ok(check_with(checker, b, {row("a", "1")}), 2);
}

TEST_F(CheckerCache, AStateWrittenAfterTheFirstCheckIsFoundByTheSameChecker) {
  put("a", "1", false);
  Checker checker(*history_);
  expect_ok(check_with(checker, bounds(Durability::kLazy, CrashKind::kPowerLoss), {row("a", "1")}),
            1);
  put("b", "2", false);
  expect_ok(check_with(checker, bounds(Durability::kLazy, CrashKind::kPowerLoss),
                       {row("a", "1"), row("b", "2")}),
            2);
}

TEST_F(CheckerCache, OneCheckerJudgesEveryStateAsAFreshCheckerDoes) {
  put("a", "1", false);
  put("b", "2", false);
  del("a", false);
  put("b", "3", false);
  const Bounds b = bounds(Durability::kLazy, CrashKind::kPowerLoss);
  const std::vector<State> states = {
      {},
      {row("a", "1")},
      {row("a", "1"), row("b", "2")},
      {row("b", "2")},
      {row("b", "3")},
      {row("a", "1"), row("b", "3")},  // A hole: the delete of "a" is missing.
      {row("b", "4")},                 // Invented.
      {row("b", "2")},                 // Again, after the violations.
  };
  Checker shared(*history_);
  for (const State& s : states) {
    const Verdict kept = check_with(shared, b, s);
    const Verdict fresh = judge(b, s);
    EXPECT_EQ(kept.ok, fresh.ok) << kept.to_string() << " vs " << fresh.to_string();
    EXPECT_EQ(kept.p, fresh.p) << kept.to_string();
    EXPECT_EQ(kept.kind, fresh.kind) << kept.to_string();
  }
}

// A connection with one table `t(x)` holding `rows` rows.
std::unique_ptr<sql::Db> db_with_rows(int rows) {
  auto opened = sql::Db::open(":memory:");
  EXPECT_TRUE(opened.is_ok()) << opened.status().to_string();
  std::unique_ptr<sql::Db> db = std::move(opened).value();
  EXPECT_TRUE(db->exec("CREATE TABLE t(x INTEGER)").is_ok());
  for (int i = 1; i <= rows; ++i) {
    const std::string sql = "INSERT INTO t VALUES(" + std::to_string(i) + ")";
    EXPECT_TRUE(db->exec(sql.c_str()).is_ok());
  }
  return db;
}

TEST(SqliteDbRevision, MovesOnEveryChangedRowAndOnARollback) {
  std::unique_ptr<sql::Db> db = db_with_rows(0);
  const int64_t empty = db->revision();
  ASSERT_TRUE(db->exec("INSERT INTO t VALUES(1)").is_ok());
  const int64_t one = db->revision();
  EXPECT_GT(one, empty);
  ASSERT_TRUE(db->exec("BEGIN; INSERT INTO t VALUES(2)").is_ok());
  const int64_t in_txn = db->revision();
  EXPECT_GT(in_txn, one);
  // The rollback undoes a row SQLite's change count keeps counting: a copy
  // taken inside the transaction must not pass for the log after it.
  ASSERT_TRUE(db->exec("ROLLBACK").is_ok());
  EXPECT_GT(db->revision(), in_txn);
  const int64_t after = db->revision();
  ASSERT_TRUE(db->exec("SELECT count(*) FROM t").is_ok());
  EXPECT_EQ(db->revision(), after);  // Reads move nothing.
}

TEST(SqliteDbCached, EachHandleStartsFromTheFirstRowWithNoBindings) {
  std::unique_ptr<sql::Db> db = db_with_rows(3);
  const char* sql = "SELECT x FROM t WHERE ?1 IS NULL OR x >= ?1 ORDER BY x";
  {
    auto first = db->cached(sql);
    ASSERT_TRUE(first.is_ok()) << first.status().to_string();
    ASSERT_TRUE((*first.value()).bind_int(1, 2).is_ok());
    auto row = (*first.value()).step();
    ASSERT_TRUE(row.is_ok() && row.value());
    EXPECT_EQ((*first.value()).column_int(0), 2);
    // Dropped mid-way: the next handle must not resume here.
  }
  auto second = db->cached(sql);
  ASSERT_TRUE(second.is_ok()) << second.status().to_string();
  std::vector<int64_t> seen;
  for (;;) {
    auto row = (*second.value()).step();
    ASSERT_TRUE(row.is_ok()) << row.status().to_string();
    if (!row.value()) break;
    seen.push_back((*second.value()).column_int(0));
  }
  EXPECT_EQ(seen, (std::vector<int64_t>{1, 2, 3}));  // ?1 unbound: NULL.
}

}  // namespace
}  // namespace oracle::testing
