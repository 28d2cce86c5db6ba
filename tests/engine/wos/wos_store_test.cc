// WOS behaviour and costs: round trips across reopen, read and flush costs
// (reads counted through a CountingFs over SimFs, writes by SimFs's stats),
// the space bound, argument checks.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <thread>

#include "support/counting_fs.h"
#include "wos_test_util.h"

namespace dbx::wos::testing {
namespace {

// A SimFs seen through a CountingFs: the store's read calls are counted by
// the wrapper, what it writes by SimFs's stats, both since reset_counters().
class CountedFs {
 public:
  faultfs::FileSystem& fs() { return counting_; }
  faultfs::SimFs& sim() { return *sim_; }

  void reset_counters() {
    reads_at_reset_ = counting_.counters().reads.load();
    bytes_at_reset_ = sim_->stats().bytes_written;
    ops_at_reset_ = wos::testing::mutating_ops(*sim_);
  }
  uint64_t read_calls() { return counting_.counters().reads.load() - reads_at_reset_; }
  uint64_t bytes_written() const { return sim_->stats().bytes_written - bytes_at_reset_; }
  uint64_t mutating_ops() const { return wos::testing::mutating_ops(*sim_) - ops_at_reset_; }

 private:
  std::unique_ptr<faultfs::SimFs> sim_ = make_fs();
  dbx::testing::CountingFs counting_{*sim_};
  uint64_t reads_at_reset_ = 0;
  uint64_t bytes_at_reset_ = 0;
  uint64_t ops_at_reset_ = 0;
};

std::string value_of(size_t bytes, char seed) {
  std::string out(bytes, '\0');
  for (size_t i = 0; i < bytes; ++i) out[i] = static_cast<char>(seed + i * 31);
  return out;
}

TEST(WosStore, NewStoreIsEmptyAtSequenceZeroAndSurvivesReopen) {
  auto fs = make_fs();
  auto store = open_ok(*fs);
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->checkpoint_sequence(), 0u);
  EXPECT_TRUE(store->table_names().empty());
  EXPECT_EQ(store->generation(), 1u);
  EXPECT_EQ(store->file_bytes(), kDbHeaderBytes);
  expect_ok(store->close());
  store = open_ok(*fs);
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->checkpoint_sequence(), 0u);
  EXPECT_EQ(store->live_bytes(), 0u);
}

TEST(WosStore, OpenFailsWhenTheParentDirectoryIsMissing) {
  faultfs::SimFs fs;
  auto store = WosStore::open(fs, "missing/wos");
  ASSERT_FALSE(store.is_ok());
  EXPECT_EQ(store.status().code(), faultfs::ErrorCode::kNotFound);
}

TEST(WosStore, RoundTripAcrossReopenWithOverwritesTombstonesBinaryKeysAndBigValues) {
  auto fs = make_fs();
  State model;
  const std::string binary_key("k\0\xff\x01", 4);
  const std::string binary_table("t\0b", 3);
  const std::string mib = value_of(1 << 20, 'a');
  {
    auto store = open_ok(*fs);
    ASSERT_NE(store, nullptr);
    Delta d1;
    for (int t = 0; t < 20; ++t) {
      for (int k = 0; k < 5; ++k) {
        d1.put("table" + std::to_string(t), "key" + std::to_string(k), value_of(10 + k, 'x'));
      }
    }
    d1.put(binary_table, binary_key, std::string("v\0v", 3));
    d1.put("empty", "e", "");
    d1.put("empty", "", "empty key");
    d1.put("big", "one", mib);
    apply_model(&model, d1);
    expect_ok(store->apply(d1, 5));
    EXPECT_EQ(dump(*store), model);

    Delta d2;
    d2.put("table0", "key0", "overwritten");
    d2.remove("table1", "key1");
    for (int k = 0; k < 5; ++k) d2.remove("table2", "key" + std::to_string(k));
    d2.remove("table3", "absent");  // Deleting an absent key is a no-op.
    d2.put("big", "two", value_of(1 << 20, 'b'));
    apply_model(&model, d2);
    expect_ok(store->apply(d2, 9));
    EXPECT_EQ(dump(*store), model);
    EXPECT_EQ(store->count("table1"), 4u);
    EXPECT_EQ(store->count("table2"), 0u);
    EXPECT_FALSE(store->contains("table1", "key1"));
    const auto names = store->table_names();
    EXPECT_EQ(std::count(names.begin(), names.end(), "table2"), 0);
    EXPECT_TRUE(std::is_sorted(names.begin(), names.end()));
    expect_ok(store->close());
  }
  auto store = open_ok(*fs);
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->checkpoint_sequence(), 9u);
  EXPECT_EQ(dump(*store), model);
  auto big = store->get("big", "one");
  ASSERT_TRUE(big.is_ok());
  EXPECT_EQ(big->value_or(""), mib);
  auto empty = store->get("empty", "e");
  ASSERT_TRUE(empty.is_ok());
  ASSERT_TRUE(empty->has_value());
  EXPECT_EQ(**empty, "");
  auto absent = store->get("table1", "key1");
  ASSERT_TRUE(absent.is_ok());
  EXPECT_FALSE(absent->has_value());
  EXPECT_TRUE(store->contains(binary_table, binary_key));
}

TEST(WosStore, RangeHonoursBeginAndExclusiveEndAfterDeletes) {
  auto fs = make_fs();
  auto store = open_ok(*fs);
  ASSERT_NE(store, nullptr);
  Delta d1;
  for (char c = 'a'; c <= 'j'; ++c) d1.put("t", std::string(1, c), std::string(3, c));
  expect_ok(store->apply(d1, 1));
  Delta d2;
  d2.remove("t", "c");
  d2.remove("t", "e");
  expect_ok(store->apply(d2, 2));
  auto rows = store->range("t", "b", std::string_view("f"));
  ASSERT_TRUE(rows.is_ok());
  std::vector<std::pair<std::string, std::string>> expected = {{"b", "bbb"}, {"d", "ddd"}};
  EXPECT_EQ(*rows, expected);
  auto tail = store->range("t", "i", std::nullopt);
  ASSERT_TRUE(tail.is_ok());
  EXPECT_EQ(tail->size(), 2u);
  auto inverted = store->range("t", "f", std::string_view("b"));
  ASSERT_TRUE(inverted.is_ok());
  EXPECT_TRUE(inverted->empty());
  auto unknown = store->range("nope", "", std::nullopt);
  ASSERT_TRUE(unknown.is_ok());
  EXPECT_TRUE(unknown->empty());
  EXPECT_EQ(store->count("t"), 8u);
}

TEST(WosStore, PointReadCostsExactlyOneReadAfterOpen) {
  CountedFs fs;
  {
    auto store = open_ok(fs.fs());
    ASSERT_NE(store, nullptr);
    Delta delta;
    for (int i = 0; i < 2000; ++i) delta.put("t", "key" + std::to_string(i), value_of(100, 'v'));
    expect_ok(store->apply(delta, 1));
    expect_ok(store->close());
  }
  auto store = open_ok(fs.fs());
  ASSERT_NE(store, nullptr);
  for (int i : {0, 777, 1999}) {
    fs.reset_counters();
    auto value = store->get("t", "key" + std::to_string(i));
    ASSERT_TRUE(value.is_ok());
    EXPECT_EQ(value->value_or(""), value_of(100, 'v'));
    EXPECT_EQ(fs.read_calls(), 1u);
  }
  fs.reset_counters();
  auto absent = store->get("t", "nokey");
  ASSERT_TRUE(absent.is_ok());
  EXPECT_FALSE(absent->has_value());
  EXPECT_EQ(fs.read_calls(), 0u);
  EXPECT_TRUE(store->contains("t", "key5"));
  EXPECT_EQ(store->count("t"), 2000u);
  EXPECT_EQ(fs.read_calls(), 0u);
}

TEST(WosStore, OpenAndFullRangeUseLargeSequentialReads) {
  CountedFs fs;
  {
    auto store = open_ok(fs.fs());
    ASSERT_NE(store, nullptr);
    Delta delta;
    for (int i = 0; i < 10000; ++i) delta.put("t", "key" + std::to_string(i), value_of(200, 'v'));
    expect_ok(store->apply(delta, 1));
  }
  fs.reset_counters();
  auto store = open_ok(fs.fs());
  ASSERT_NE(store, nullptr);
  const uint64_t chunks = store->file_bytes() / kReadChunkBytes + 1;
  EXPECT_LE(fs.read_calls(), chunks + 4) << "open reads per entry, not per chunk";
  fs.reset_counters();
  auto rows = store->range("t", "", std::nullopt);
  ASSERT_TRUE(rows.is_ok());
  EXPECT_EQ(rows->size(), 10000u);
  EXPECT_LE(fs.read_calls(), 2 * chunks) << "range reads per row, not per chunk";
}

TEST(WosStore, FlushOfOneKeyOnTenThousandKeysWritesOnlyThatKey) {
  CountedFs fs;
  auto store = open_ok(fs.fs());
  ASSERT_NE(store, nullptr);
  Delta big;
  for (int i = 0; i < 10000; ++i) big.put("t", "key" + std::to_string(i), value_of(100, 'v'));
  expect_ok(store->apply(big, 1));
  const uint64_t file_before = store->file_bytes();
  fs.reset_counters();
  Delta one;
  one.put("t", "key5000", "new value");
  expect_ok(store->apply(one, 2));
  const uint64_t entry = entry_bytes(1, 7, 9);
  // One entry into db, one conf: nothing proportional to the store.
  EXPECT_EQ(fs.bytes_written(), entry + kConfBytes);
  EXPECT_LT(fs.bytes_written(), 1024u);
  EXPECT_EQ(fs.read_calls(), 0u);
  EXPECT_EQ(store->file_bytes(), file_before + entry);
  auto value = store->get("t", "key5000");
  ASSERT_TRUE(value.is_ok());
  EXPECT_EQ(value->value_or(""), "new value");
}

TEST(WosStore, RepeatedOverwritesKeepFileWithinTwiceLiveBytesPlusMinimum) {
  auto fs = make_fs();
  auto store = open_ok(*fs);
  ASSERT_NE(store, nullptr);
  State model;
  uint64_t compactions = 0;
  for (uint64_t round = 1; round <= 60; ++round) {
    Delta delta;
    for (int k = 0; k < 50; ++k) {
      delta.put("t", "key" + std::to_string(k), value_of(4096, static_cast<char>(round)));
    }
    if (round % 7 == 0) delta.remove("t", "key3");
    const uint64_t generation = store->generation();
    expect_ok(store->apply(delta, round));
    apply_model(&model, delta);
    compactions += store->generation() - generation;
    EXPECT_LE(store->file_bytes(), 2 * store->live_bytes() + kCompactionMinBytes);
    EXPECT_EQ(fs->file_size(kDbPath).value(), store->file_bytes());
  }
  EXPECT_GT(compactions, 0u);
  EXPECT_EQ(dump(*store), model);
  expect_ok(store->close());
  store = open_ok(*fs);
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(dump(*store), model);
  EXPECT_EQ(store->checkpoint_sequence(), 60u);
}

TEST(WosStore, DeletingEverythingCompactsToAnEmptyFile) {
  auto fs = make_fs();
  auto store = open_ok(*fs);
  ASSERT_NE(store, nullptr);
  Delta fill;
  for (int k = 0; k < 40; ++k) fill.put("t", "key" + std::to_string(k), value_of(64 << 10, 'f'));
  expect_ok(store->apply(fill, 1));
  Delta wipe;
  for (int k = 0; k < 40; ++k) wipe.remove("t", "key" + std::to_string(k));
  expect_ok(store->apply(wipe, 2));
  EXPECT_EQ(store->generation(), 2u);
  EXPECT_EQ(store->file_bytes(), kDbHeaderBytes);
  EXPECT_EQ(store->live_bytes(), 0u);
  EXPECT_TRUE(store->table_names().empty());
  store = open_ok(*fs);
  ASSERT_NE(store, nullptr);
  EXPECT_TRUE(store->table_names().empty());
  EXPECT_EQ(store->checkpoint_sequence(), 2u);
}

TEST(WosStore, EmptyDeltaAtSameSequenceIsANoOpAndAtLaterSequenceAdvancesTheCheckpoint) {
  CountedFs fs;
  auto store = open_ok(fs.fs());
  ASSERT_NE(store, nullptr);
  fs.reset_counters();
  expect_ok(store->apply(Delta(), 0));
  EXPECT_EQ(fs.mutating_ops(), 0u);
  expect_ok(store->apply(Delta(), 4));
  EXPECT_EQ(store->checkpoint_sequence(), 4u);
  store = open_ok(fs.fs());
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->checkpoint_sequence(), 4u);
}

TEST(WosStore, ApplyRejectsBadSequenceAndOutOfLimitNamesWithoutWriting) {
  CountedFs fs;
  auto store = open_ok(fs.fs());
  ASSERT_NE(store, nullptr);
  Delta ok;
  ok.put("t", "k", "v");
  expect_ok(store->apply(ok, 3));
  fs.reset_counters();
  auto rejected = [&](const Delta& delta, uint64_t sequence) {
    const faultfs::Status status = store->apply(delta, sequence);
    EXPECT_EQ(status.code(), faultfs::ErrorCode::kInvalidArgument) << status.message();
  };
  rejected(ok, 3);  // A non-empty delta must move the sequence forward.
  rejected(ok, 2);
  rejected(Delta(), 2);
  Delta unnamed;
  unnamed.put("", "k", "v");
  rejected(unnamed, 4);
  Delta long_name;
  long_name.put(std::string(256, 't'), "k", "v");
  rejected(long_name, 4);
  Delta long_key;
  long_key.put("t", std::string(kMaxKeyBytes + 1, 'k'), "v");
  rejected(long_key, 4);
  Delta long_value;
  long_value.put("t", "k", std::string(kMaxValueBytes + 1, 'v'));
  rejected(long_value, 4);
  EXPECT_EQ(fs.mutating_ops(), 0u);
  EXPECT_EQ(store->checkpoint_sequence(), 3u);
  // The limits themselves are accepted.
  Delta at_limits;
  at_limits.put(std::string(255, 't'), std::string(kMaxKeyBytes, 'k'),
                std::string(kMaxValueBytes, 'v'));
  expect_ok(store->apply(at_limits, 4));
  store = open_ok(fs.fs());
  ASSERT_NE(store, nullptr);
  auto value = store->get(std::string(255, 't'), std::string(kMaxKeyBytes, 'k'));
  ASSERT_TRUE(value.is_ok());
  EXPECT_EQ(value->value_or("").size(), kMaxValueBytes);
}

TEST(WosStore, ConcurrentReadersSeeConsistentValues) {
  auto fs = make_fs();
  auto store = open_ok(*fs);
  ASSERT_NE(store, nullptr);
  Delta delta;
  for (int i = 0; i < 500; ++i) delta.put("t", "key" + std::to_string(i), "v" + std::to_string(i));
  expect_ok(store->apply(delta, 1));
  std::vector<std::thread> readers;
  std::atomic<int> mismatches{0};
  for (int r = 0; r < 4; ++r) {
    readers.emplace_back([&, r] {
      for (int i = r; i < 500; i += 3) {
        auto value = store->get("t", "key" + std::to_string(i));
        if (!value.is_ok() || value->value_or("") != "v" + std::to_string(i)) mismatches += 1;
      }
    });
  }
  for (auto& t : readers) t.join();
  EXPECT_EQ(mismatches.load(), 0);
}

TEST(WosStore, ApplyAfterCloseIsRefused) {
  auto fs = make_fs();
  auto store = open_ok(*fs);
  ASSERT_NE(store, nullptr);
  expect_ok(store->close());
  Delta delta;
  delta.put("t", "k", "v");
  EXPECT_EQ(store->apply(delta, 1).code(), faultfs::ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace dbx::wos::testing
