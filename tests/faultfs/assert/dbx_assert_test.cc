// DBX_ASSERT: silent when the invariant holds, evaluates it exactly once, and
// when it fails aborts with file, line and expression, even under NDEBUG.
#include <gtest/gtest.h>

#include "faultfs/assert.h"

namespace faultfs::testing {

void dbx_assert_under_ndebug(bool holds);  // dbx_assert_ndebug.cc

namespace {

TEST(DbxAssert, HoldingInvariantPassesAndIsEvaluatedOnce) {
  int evaluations = 0;
  DBX_ASSERT(++evaluations == 1);
  EXPECT_EQ(evaluations, 1);
}

TEST(DbxAssertDeathTest, BrokenInvariantAbortsNamingFileLineAndExpression) {
  const int answer = 41;
  EXPECT_DEATH(DBX_ASSERT(answer == 42),
               "dbx_assert_test\\.cc:[0-9]+: .*assertion failed: DBX_ASSERT\\(answer == 42\\)");
}

TEST(DbxAssertDeathTest, StaysOnInATranslationUnitBuiltWithNdebug) {
  dbx_assert_under_ndebug(true);
  EXPECT_DEATH(dbx_assert_under_ndebug(false),
               "dbx_assert_ndebug\\.cc:[0-9]+: .*DBX_ASSERT\\(holds\\)");
}

}  // namespace
}  // namespace faultfs::testing
