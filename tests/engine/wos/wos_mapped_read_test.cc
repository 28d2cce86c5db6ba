// Reads through db's read-only mapping (POSIX): point and range reads inside
// the mapping, past it (appended since, read with read_at until the mapping
// doubles), and after a compaction's new file, all equal the model; and a
// flipped byte under the mapping is still kCorruption, never a value.
#include <gtest/gtest.h>

#include <fstream>
#include <random>
#include <string>

#include "support/temp_dir.h"
#include "wos_test_util.h"

namespace dbx::wos::testing {
namespace {

// Every key by get, and the whole table by one range, against the model.
void expect_reads_match(const WosStore& store, const State& model) {
  for (const auto& [table, rows] : model) {
    for (const auto& [key, value] : rows) {
      auto got = store.get(table, key);
      ASSERT_TRUE(got.is_ok()) << got.status().message();
      ASSERT_TRUE(got->has_value()) << key;
      ASSERT_EQ(**got, value) << key;
    }
    auto all = store.range(table, "", std::nullopt);
    ASSERT_TRUE(all.is_ok()) << all.status().message();
    ASSERT_EQ(all->size(), rows.size());
    size_t i = 0;
    for (const auto& [key, value] : rows) {
      ASSERT_EQ((*all)[i].first, key);
      ASSERT_EQ((*all)[i].second, value);
      i += 1;
    }
  }
}

TEST(WosMappedRead, ReadsInsideAndPastTheMappingAndAfterACompactionMatchTheModel) {
  dbx::testing::TempDir dir;
  faultfs::FileSystem& posix = faultfs::posix_file_system();
  auto opened = WosStore::open(posix, dir.root() + "/wos");
  ASSERT_TRUE(opened.is_ok()) << opened.status().message();
  std::unique_ptr<WosStore> store = std::move(opened).value();
  store->set_compaction_min_bytes(kCompactionMinBytesFloor);
  std::mt19937_64 random(1208);
  State model;
  const uint64_t first_generation = store->generation();
  for (uint64_t sequence = 1; sequence <= 30; ++sequence) {
    Delta delta;
    for (int i = 0; i < 40; ++i) {
      delta.put("t", key_of(random() % 5000), std::to_string(sequence) + std::string(60, 'v'));
    }
    expect_ok(store->apply(delta, sequence));
    apply_model(&model, delta);
    // The mapping covers a prefix that doubles: most flushes leave a tail
    // past it, which is read with read_at.
    expect_reads_match(*store, model);
  }
  EXPECT_GT(store->generation(), first_generation) << "the random flushes compacted";
  expect_ok(store->close());
  opened = WosStore::open(posix, dir.root() + "/wos");
  ASSERT_TRUE(opened.is_ok()) << opened.status().message();
  expect_reads_match(**opened, model);
  expect_ok((*opened)->close());
}

TEST(WosMappedRead, AFlippedValueByteUnderTheMappingIsCorruptionNotAValue) {
  dbx::testing::TempDir dir;
  faultfs::FileSystem& posix = faultfs::posix_file_system();
  const std::string wos = dir.root() + "/wos";
  {
    auto store = WosStore::open(posix, wos);
    ASSERT_TRUE(store.is_ok()) << store.status().message();
    Delta delta;
    delta.put("t", "key", std::string(100, 'v'));
    expect_ok((*store)->apply(delta, 1));
    expect_ok((*store)->close());
  }
  auto store = WosStore::open(posix, wos);  // Maps the whole committed db.
  ASSERT_TRUE(store.is_ok()) << store.status().message();
  {
    // The last byte of the only entry is its value's last byte; MAP_SHARED
    // shows the change at once, as bit rot under a page cache would.
    std::fstream db(wos + "/db", std::ios::in | std::ios::out | std::ios::binary);
    db.seekp(-1, std::ios::end);
    db.put('w');
  }
  auto got = (*store)->get("t", "key");
  EXPECT_EQ(got.status().code(), faultfs::ErrorCode::kCorruption)
      << (got.is_ok() && got->has_value() ? "served " + got->value() : got.status().message());
  expect_ok((*store)->close());
}

}  // namespace
}  // namespace dbx::wos::testing
