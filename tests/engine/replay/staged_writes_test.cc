// StagedWrites and Delta::apply: a batch applied at once must leave the delta
// exactly as put() and remove() of the same writes in order would, whatever
// the batch boundaries, and a batch must refuse what would overflow it.
#include "staged_writes.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "delta.h"
#include "delta_dump.h"

namespace dbx {
namespace {

struct Write {
  bool is_delete = false;
  std::string table, key, value;
};

using testing::dump;

rc::Gen<Write> write_gen() {
  return rc::gen::apply(
      [](bool is_delete, int table, int key, bool long_key, std::string value) {
        Write w;
        w.is_delete = is_delete;
        w.table = std::string(1, static_cast<char>('a' + table));
        // Keys past 16 bytes live outside the table's slots: both kinds.
        w.key = (long_key ? std::string(20, 'L') : std::string()) + "k" + std::to_string(key);
        if (!is_delete) w.value = std::move(value);
        return w;
      },
      rc::gen::weightedElement<bool>({{3, false}, {1, true}}), rc::gen::inRange(0, 3),
      rc::gen::inRange(0, 40), rc::gen::arbitrary<bool>(), rc::gen::arbitrary<std::string>());
}

RC_GTEST_PROP(StagedWrites, AppliedBatchesEqualPutAndRemoveInOrder, ()) {
  const auto writes = *rc::gen::container<std::vector<Write>>(write_gen());
  // Cut batches early at random too, not only where a batch is full.
  const size_t batch_writes_max = *rc::gen::inRange<size_t>(1, 50);

  Delta expected;
  for (const Write& w : writes) {
    if (w.is_delete) {
      expected.remove(w.table, w.key);
    } else {
      expected.put(w.table, w.key, w.value);
    }
  }

  Delta applied;
  StagedWrites batch;
  for (const Write& w : writes) {
    if (batch.size() >= batch_writes_max || !batch.has_room_for(w.table, w.value)) {
      applied.apply(std::move(batch));
      RC_ASSERT(batch.empty());
    }
    batch.add(w.is_delete, w.table, w.key, w.value);
  }
  applied.apply(std::move(batch));

  RC_ASSERT(dump(applied) == dump(expected));
  RC_ASSERT(applied.entries() == expected.entries());
  RC_ASSERT(applied.bytes() == expected.bytes());
  RC_ASSERT(applied.table_names() == expected.table_names());
}

TEST(StagedWrites, AFullBatchRefusesTheNextWrite) {
  StagedWrites batch;
  for (size_t i = 0; i < StagedWrites::kItemsMax; ++i) {
    ASSERT_TRUE(batch.has_room_for("t", "v"));
    batch.add(false, "t", "k" + std::to_string(i), "v");
  }
  EXPECT_FALSE(batch.has_room_for("t", "v"));
  EXPECT_FALSE(batch.has_room_for("t", ""));
  EXPECT_EQ(batch.size(), StagedWrites::kItemsMax);
}

TEST(StagedWrites, ABatchRefusesOneTableTooMany) {
  StagedWrites batch;
  for (size_t i = 0; i < StagedWrites::kTablesMax; ++i) {
    batch.add(false, "t" + std::to_string(i), "k", "v");
  }
  EXPECT_FALSE(batch.has_room_for("one more", "v"));
  EXPECT_TRUE(batch.has_room_for("t0", "v"));
  EXPECT_TRUE(batch.has_room_for("t63", "v"));
  EXPECT_EQ(batch.tables().size(), StagedWrites::kTablesMax);
  EXPECT_EQ(batch.writes_per_table()[0], 1u);
}

TEST(StagedWrites, ABatchHoldsOneArenaChunkOfValues) {
  const std::string value(100 * 1024, 'v');
  const size_t fit = ByteArena::kChunkBytes / value.size();
  StagedWrites batch;
  for (size_t i = 0; i < fit; ++i) {
    ASSERT_TRUE(batch.has_room_for("t", value)) << i;
    batch.add(false, "t", "k" + std::to_string(i), value);
  }
  EXPECT_FALSE(batch.has_room_for("t", value));
  EXPECT_TRUE(batch.has_room_for("t", "small enough"));
  EXPECT_TRUE(batch.has_room_for("t", ""));  // A delete stores no value.
}

TEST(StagedWrites, AValueLargerThanAQuarterChunkGetsABatchOfItsOwn) {
  const std::string large(ByteArena::kChunkBytes / 4 + 1, 'L');
  StagedWrites batch;
  EXPECT_TRUE(batch.has_room_for("t", large));  // Empty: always.
  batch.add(false, "t", "large", large);
  EXPECT_FALSE(batch.has_room_for("t", large));
  Delta delta;
  delta.apply(std::move(batch));
  EXPECT_EQ(delta.find("t", "large"), std::optional<Delta::Entry>(std::string_view(large)));
}

TEST(StagedWrites, ValuesOutliveTheBatchTheyCameIn) {
  Delta delta;
  {
    StagedWrites batch;
    batch.add(false, "t", "short", std::string(100, 's'));
    batch.add(false, "t", std::string(40, 'k'), std::string(100, 'l'));
    batch.add(true, "t", "gone", "");
    delta.apply(std::move(batch));
  }                                          // The batch and whatever it still held are gone.
  std::vector<char> scribble(1 << 20, 'x');  // Reuses freed memory, if any.
  EXPECT_EQ(delta.find("t", "short"),
            std::optional<Delta::Entry>(std::string_view(std::string(100, 's'))));
  EXPECT_EQ(delta.find("t", std::string(40, 'k')),
            std::optional<Delta::Entry>(std::string_view(std::string(100, 'l'))));
  // Found, and a tombstone.
  EXPECT_EQ(delta.find("t", "gone"), std::optional<Delta::Entry>(std::in_place, std::nullopt));
  EXPECT_EQ(delta.entries(), 3u);
}

}  // namespace
}  // namespace dbx
