// Compaction's output order: each table one sorted run, so that a range read
// of a compacted store is a few large reads however the keys arrived.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <random>

#include "support/counting_fs.h"
#include "wos/wos_entry_scanner.h"
#include "wos_test_util.h"

namespace dbx::wos::testing {
namespace {

std::string key_of(uint64_t k) {
  char key[16];
  std::snprintf(key, sizeof(key), "key%06llu", static_cast<unsigned long long>(k));
  return key;
}

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

}  // namespace
}  // namespace dbx::wos::testing
