// The checker's match choice and the size of its diff.
#include "oracle_test_util.h"

namespace oracle::testing {
namespace {

using CheckerDiff = OracleFixture;

TEST_F(CheckerDiff, DiffKeepsExactCountsButOnlyTheFirstRowsInKeyOrder) {
  for (int i = 0; i < 100; ++i) put(numbered("k", 1000 + i), "v");
  const Verdict v = judge(bounds(Durability::kFull, CrashKind::kPowerLoss), {});
  expect_violation(v, ViolationKind::kLostAcknowledged);
  EXPECT_EQ(v.diff.missing_count, 100u);
  EXPECT_EQ(v.diff.extra_count, 0u);
  ASSERT_EQ(v.diff.first_rows.size(), 5u);
  EXPECT_EQ(v.diff.first_rows[0].key, "k1000");
  EXPECT_EQ(v.diff.first_rows[4].key, "k1004");
  EXPECT_LT(v.to_string().size(), 1000u) << v.to_string();
}

TEST_F(CheckerDiff, TheHighestPrefixWithTheRecoveredStateIsReported) {
  put("a", "1");
  put("a", "1");  // Changes nothing: states 1 and 2 are equal.
  put("b", "2", false);
  expect_ok(judge(bounds(Durability::kLazy, CrashKind::kPowerLoss), {row("a", "1")}), 2);
}

TEST_F(CheckerDiff, TablesAndBinaryKeysAreComparedBytewise) {
  const std::string binary_key("\x00\xff\x80", 3);
  issue({Op::put("u", binary_key, std::string("\0", 1)), Op::put("t", "\xff", "x")}, true);
  const Bounds b = bounds(Durability::kFull, CrashKind::kPowerLoss);
  // Out of order on purpose: the checker sorts.
  expect_ok(judge(b, {Entry{"u", binary_key, std::string("\0", 1)}, Entry{"t", "\xff", "x"}}), 1);
  expect_violation(judge(b, {Entry{"u", binary_key, ""}, Entry{"t", "\xff", "x"}}),
                   ViolationKind::kInventedValue);
}

TEST_F(CheckerDiff, StateAtComesFromSqliteAlone) {
  put("a", "1");
  issue({Op::put("t", "b", "2"), Op::del("t", "a"), Op::put("t", "a", "3")}, true);
  del("b");
  Checker checker(*history_);
  auto s2 = checker.state_at(2);
  ASSERT_TRUE(s2.is_ok());
  EXPECT_EQ(s2.value(), (State{row("a", "3"), row("b", "2")}));
  auto s3 = checker.state_at(3);
  ASSERT_TRUE(s3.is_ok());
  EXPECT_EQ(s3.value(), (State{row("a", "3")}));
}

}  // namespace
}  // namespace oracle::testing
