// KeyOrder: where db's key order breaks, which decides compaction.
#include "wos/wos_key_order.h"

#include <gtest/gtest.h>

namespace dbx::wos {
namespace {

TEST(WosKeyOrder, InterleavedTablesEachAscendingStayWhole) {
  KeyOrder order;
  order.add("a", "", 48);  // The empty key is a table's first, in order.
  order.add("a", "k1", 100);
  order.add("b", "k0", 200);  // Another table's keys are their own run.
  order.add("a", "k2", 300);
  order.add("b", "k5", 400);
  EXPECT_TRUE(order.whole());
  EXPECT_EQ(order.ordered_length(500), 500u);
}

TEST(WosKeyOrder, ARepeatedKeyBreaksTheOrderAtItsOffsetForGood) {
  KeyOrder order;
  order.add("a", "", 48);
  order.add("a", "", 100);  // A repeat (here of the empty key) is out of order.
  EXPECT_FALSE(order.whole());
  EXPECT_EQ(order.ordered_length(500), 100u);
  order.add("a", "z", 200);  // Broken stays broken, at the first break.
  EXPECT_EQ(order.ordered_length(500), 100u);
  EXPECT_EQ(order.ordered_length(90), 90u) << "never past the length asked about";
}

TEST(WosKeyOrder, ADeltaStaysWholeOnlyWhenEveryTableStartsPastItsLastKey) {
  KeyOrder order;
  order.add("a", "k5", 48);
  order.add("b", "k5", 100);
  Delta after;
  after.put("a", "k6", "v");
  after.put("c", "k0", "v");  // A new table is in order.
  EXPECT_TRUE(order.would_stay_whole(after));
  Delta before;
  before.put("a", "k6", "v");
  before.remove("b", "k5");  // Even a delete of the last key itself repeats it.
  EXPECT_FALSE(order.would_stay_whole(before));
}

TEST(WosKeyOrder, CopiesAndMovesKeepTheirOwnLastKeys) {
  KeyOrder order;
  order.add("a", "k5", 48);
  KeyOrder copy = order;
  copy.add("a", "k6", 100);  // The copy's own map, not the original's.
  KeyOrder moved = std::move(order);
  moved.add("a", "k55", 100);  // In order after k5, not after the copy's k6.
  EXPECT_TRUE(copy.whole());
  EXPECT_TRUE(moved.whole()) << "the copy's add reached the original's map";
  KeyOrder assigned;
  assigned = copy;
  assigned.add("a", "k7", 200);
  EXPECT_TRUE(assigned.whole());
}

}  // namespace
}  // namespace dbx::wos
