// Compaction's output order: each table one sorted run, so that a range read
// of a compacted store is a few large reads however the keys arrived.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <optional>
#include <random>
#include <string>

#include "support/counting_fs.h"
#include "wos/wos_entry_scanner.h"
#include "wos_test_util.h"

namespace dbx::wos::testing {
namespace {

// The (table, key) of every entry of the committed db, in file order.
std::vector<std::pair<std::string, std::string>> file_order(faultfs::FileSystem& fs,
                                                            const WosStore& store) {
  std::vector<std::pair<std::string, std::string>> order;
  auto file = fs.open(kDbPath, faultfs::OpenMode::kRead);
  EXPECT_TRUE(file.is_ok());
  if (!file.is_ok()) return order;
  EntryScanner scanner(**file, kDbPath, kDbHeaderBytes, store.file_bytes(), store.codec(),
                       store.generation());
  for (;;) {
    auto item = scanner.next();
    EXPECT_TRUE(item.is_ok()) << item.status().message();
    if (!item.is_ok() || !item->has_value()) break;
    order.emplace_back(std::string((*item)->entry.table), std::string((*item)->entry.key));
  }
  return order;
}

// Whether the committed db holds each table in strictly increasing key order.
bool file_in_order(faultfs::FileSystem& fs, const WosStore& store) {
  const auto order = file_order(fs, store);
  return std::adjacent_find(order.begin(), order.end(),
                            [](const auto& a, const auto& b) { return a >= b; }) == order.end();
}

TEST(WosCompaction, WritesEachTableAsOneSortedRunSoARangeOfItIsOneRead) {
  auto sim = make_fs();
  dbx::testing::CountingFs counting(*sim);
  auto store = open_ok(counting);
  ASSERT_NE(store, nullptr);
  // Twenty flushes of random keys over two tables: the file holds them in
  // flush order, each flush sorted, so consecutive keys lie far apart.
  std::mt19937_64 random(20261207);
  State model;
  for (uint64_t sequence = 1; sequence <= 20; ++sequence) {
    Delta delta;
    for (int i = 0; i < 100; ++i) {
      const uint64_t k = random() % 100000;
      delta.put(k % 2 == 0 ? "a" : "b", key_of(k),
                std::string(100, static_cast<char>('a' + i % 26)));
    }
    expect_ok(store->apply(delta, sequence));
    apply_model(&model, delta);
  }
  ASSERT_EQ(store->generation(), 1u) << "few keys repeat: nothing compacted yet";
  const auto flushed_order = file_order(counting, *store);
  ASSERT_FALSE(std::is_sorted(flushed_order.begin(), flushed_order.end()));

  auto rewrite = store->prepare_rewrite();
  ASSERT_TRUE(rewrite.is_ok()) << rewrite.status().message();
  store->publish(std::move(*rewrite));
  ASSERT_EQ(store->generation(), 2u);
  EXPECT_EQ(dump(*store), model);
  const auto order = file_order(counting, *store);
  EXPECT_EQ(order.size(), store->live_entries());
  EXPECT_TRUE(std::is_sorted(order.begin(), order.end())) << "tables by name, keys ascending";

  const uint64_t reads_before = counting.counters().reads.load();
  auto rows = store->range("a", key_of(50000), std::nullopt, 100);
  ASSERT_TRUE(rows.is_ok()) << rows.status().message();
  EXPECT_EQ(rows->size(), 100u);
  EXPECT_EQ(counting.counters().reads.load() - reads_before, 1u)
      << "100 consecutive keys of a compacted table are one read";

  // The order survives a reopen (the index is rebuilt from the file).
  expect_ok(store->close());
  store = open_ok(*sim);
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(dump(*store), model);
}

// A delta of `count` puts of random keys (and a delete of `erased`, when set)
// into table "a", applied to the store and to the model.
void apply_random(WosStore* store, State* model, uint64_t sequence, int count,
                  std::mt19937_64* random, std::optional<std::string> erased = std::nullopt) {
  Delta delta;
  for (int i = 0; i < count; ++i)
    delta.put("a", key_of((*random)() % 100000), std::string(100, 'v'));
  if (erased.has_value()) delta.remove("a", *erased);
  expect_ok(store->apply(delta, sequence));
  apply_model(model, delta);
}

TEST(WosCompaction, MergesTheDeltaIntoTheSortedRunSoTheWholeFileIsInOrder) {
  auto sim = make_fs();
  auto store = open_ok(*sim);
  ASSERT_NE(store, nullptr);
  store->set_compaction_min_bytes(kCompactionMinBytesFloor);
  std::mt19937_64 random(20261208);
  State model;
  apply_random(store.get(), &model, 1, 100, &random);
  EXPECT_EQ(store->generation(), 1u) << "a first flush is in order";
  const std::string erased = model.at("a").begin()->first;
  // A second run of random keys, larger than the first: out of order, and
  // more than the ordered prefix, so it compacts with this delta merged in.
  apply_random(store.get(), &model, 2, 150, &random, erased);
  ASSERT_EQ(store->generation(), 2u);
  EXPECT_TRUE(file_in_order(*sim, *store)) << "the delta's puts merged into one run, not appended";
  EXPECT_EQ(dump(*store), model);
  EXPECT_FALSE(store->contains("a", erased));
  expect_ok(store->close());
  store = open_ok(*sim);
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(dump(*store), model);
}

TEST(WosCompaction, AnInOrderFillNeverCompactsButADisorderedTailOutgrowingThePrefixDoes) {
  auto sim = make_fs();
  auto store = open_ok(*sim);
  ASSERT_NE(store, nullptr);
  store->set_compaction_min_bytes(kCompactionMinBytesFloor);
  State model;
  uint64_t sequence = 0;
  // Forty flushes of ascending keys: every append extends the one sorted run.
  for (uint64_t first = 0; first < 4000; first += 100) {
    Delta delta;
    for (uint64_t k = first; k < first + 100; ++k) delta.put("a", key_of(k), std::string(100, 'v'));
    expect_ok(store->apply(delta, ++sequence));
    apply_model(&model, delta);
  }
  EXPECT_EQ(store->generation(), 1u) << "an in-order fill is never rewritten";
  EXPECT_TRUE(file_in_order(*sim, *store));

  // A disordered tail smaller than the ordered prefix stays, across a
  // reopen (which finds where the order broke)...
  std::mt19937_64 random(8);
  apply_random(store.get(), &model, ++sequence, 1000, &random);
  EXPECT_EQ(store->generation(), 1u) << "1,000 entries out of order against 4,000 in order";
  expect_ok(store->close());
  store = open_ok(*sim);
  ASSERT_NE(store, nullptr);
  store->set_compaction_min_bytes(kCompactionMinBytesFloor);
  // ... until it outgrows the prefix: 1,000 + 3,500 > 4,000.
  apply_random(store.get(), &model, ++sequence, 3500, &random);
  ASSERT_EQ(store->generation(), 2u) << "the tail outgrew the prefix: one compaction";
  EXPECT_TRUE(file_in_order(*sim, *store));
  EXPECT_EQ(dump(*store), model);
}

}  // namespace
}  // namespace dbx::wos::testing
