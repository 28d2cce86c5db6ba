// No invention: flipped bits, crafted lengths and garbage tails.
#include <gtest/gtest.h>

#include "faultfs/crc32c.h"
#include "util/coding.h"
#include "wos/wos_format.h"
#include "wos_test_util.h"

namespace dbx::wos::testing {
namespace {

// A store of three entries in table "t" at sequence 1; returns the offset of
// each entry in db.
std::unique_ptr<faultfs::SimFs> three_entry_store(std::vector<uint64_t>* offsets) {
  auto fs = make_fs();
  auto store = open_ok(*fs);
  EXPECT_NE(store, nullptr);
  Delta delta;
  delta.put("t", "a", "alpha");
  delta.put("t", "b", "bravo");
  delta.put("t", "c", "charlie");
  expect_ok(store->apply(delta, 1));
  uint64_t offset = kDbHeaderBytes;
  // Entries land in key order.
  delta.for_each([&](std::string_view, std::string_view key, Delta::Entry value) {
    offsets->push_back(offset);
    offset += entry_bytes(1, key.size(), value->size());
  });
  EXPECT_EQ(offset, store->file_bytes());
  return fs;
}

void flip_bit(faultfs::SimFs& fs, const std::string& path, uint64_t offset, int bit) {
  std::string bytes = sim_bytes(fs, path);
  ASSERT_LT(offset, bytes.size());
  bytes[offset] = static_cast<char>(bytes[offset] ^ (1 << bit));
  set_contents(fs, path, bytes);
}

void expect_corruption_at(const faultfs::Status& status, const std::string& path, uint64_t offset) {
  EXPECT_EQ(status.code(), faultfs::ErrorCode::kCorruption) << status.message();
  EXPECT_NE(status.message().find(path), std::string::npos) << status.message();
  EXPECT_NE(status.message().find("offset " + std::to_string(offset)), std::string::npos)
      << status.message();
}

TEST(WosCorruption, FlippedBitInAnyByteOfAnEntryFailsOpenNamingFileAndEntryOffset) {
  std::vector<uint64_t> offsets;
  auto base = three_entry_store(&offsets);
  const uint64_t begin = offsets[1];
  const uint64_t end = offsets[2];
  for (uint64_t at = begin; at < end; ++at) {
    auto fs = base->clone();
    flip_bit(*fs, kDbPath, at, static_cast<int>(at % 8));
    auto store = WosStore::open(*fs, kWosDir);
    ASSERT_FALSE(store.is_ok()) << "flip at " << at << " went unnoticed";
    expect_corruption_at(store.status(), kDbPath, begin);
  }
}

TEST(WosCorruption, FlippedBitAfterOpenFailsThePointReadAndTheRange) {
  std::vector<uint64_t> offsets;
  auto fs = three_entry_store(&offsets);
  auto store = open_ok(*fs);
  ASSERT_NE(store, nullptr);
  flip_bit(*fs, kDbPath, offsets[2] + kEntryHeaderBytes + 3, 0);  // In the value of "c".
  auto value = store->get("t", "c");
  ASSERT_FALSE(value.is_ok());
  expect_corruption_at(value.status(), kDbPath, offsets[2]);
  auto ok = store->get("t", "a");
  ASSERT_TRUE(ok.is_ok());
  EXPECT_EQ(ok->value_or(""), "alpha");
  auto rows = store->range("t", "", std::nullopt);
  ASSERT_FALSE(rows.is_ok());
  expect_corruption_at(rows.status(), kDbPath, offsets[2]);
}

TEST(WosCorruption, FlippedBitInConfFailsOpenNamingConf) {
  std::vector<uint64_t> offsets;
  auto base = three_entry_store(&offsets);
  for (uint64_t at = 0; at < kConfBytes; ++at) {
    auto fs = base->clone();
    flip_bit(*fs, kConfPath, at, 3);
    auto store = WosStore::open(*fs, kWosDir);
    ASSERT_FALSE(store.is_ok()) << "flip at " << at;
    EXPECT_EQ(store.status().code(), faultfs::ErrorCode::kCorruption);
    EXPECT_NE(store.status().message().find(kConfPath), std::string::npos);
    EXPECT_NE(store.status().message().find("offset 0"), std::string::npos)
        << store.status().message();
  }
}

TEST(WosCorruption, FlippedBitInDbHeaderFailsOpen) {
  std::vector<uint64_t> offsets;
  auto base = three_entry_store(&offsets);
  for (uint64_t at = 0; at < kDbHeaderBytes; ++at) {
    auto fs = base->clone();
    flip_bit(*fs, kDbPath, at, 6);
    auto store = WosStore::open(*fs, kWosDir);
    ASSERT_FALSE(store.is_ok()) << "flip at " << at;
    expect_corruption_at(store.status(), kDbPath, 0);
  }
}

TEST(WosCorruption, TruncatedConfIsCorruption) {
  std::vector<uint64_t> offsets;
  auto fs = three_entry_store(&offsets);
  set_contents(*fs, kConfPath, sim_bytes(*fs, kConfPath).substr(0, kConfBytes - 1));
  auto store = WosStore::open(*fs, kWosDir);
  ASSERT_FALSE(store.is_ok());
  expect_corruption_at(store.status(), kConfPath, 0);
}

TEST(WosCorruption, DbShorterThanCommittedLengthIsCorruption) {
  std::vector<uint64_t> offsets;
  auto fs = three_entry_store(&offsets);
  set_contents(*fs, kDbPath, sim_bytes(*fs, kDbPath).substr(0, offsets[2] + 4));
  auto store = WosStore::open(*fs, kWosDir);
  ASSERT_FALSE(store.is_ok());
  EXPECT_EQ(store.status().code(), faultfs::ErrorCode::kCorruption);
  EXPECT_NE(store.status().message().find(kConfPath), std::string::npos);
}

TEST(WosCorruption, GarbageAfterCommittedLengthIsIgnoredThenTruncatedByTheNextFlush) {
  std::vector<uint64_t> offsets;
  auto fs = three_entry_store(&offsets);
  const std::string clean = sim_bytes(*fs, kDbPath);
  // A torn entry header plus noise, as a flush that died mid-append leaves.
  std::string garbage = "\x07\x07\x07\x07\x01\x01";
  garbage += std::string(5000, '\xee');
  set_contents(*fs, kDbPath, clean + garbage);
  {
    auto store = open_ok(*fs);
    ASSERT_NE(store, nullptr);
    EXPECT_EQ(store->count("t"), 3u);
    EXPECT_EQ(store->file_bytes(), clean.size());
    Delta delta;
    delta.put("t", "d", "delta");
    expect_ok(store->apply(delta, 2));
  }
  const std::string after = sim_bytes(*fs, kDbPath);
  ASSERT_EQ(after.size(), clean.size() + entry_bytes(1, 1, 5));
  EXPECT_EQ(after.substr(0, clean.size()), clean);
  auto store = open_ok(*fs);
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->count("t"), 4u);
}

// An entry header claiming a value of 4 GiB - 1 bytes, with a valid checksum
// over what is there: rejected by the limit before any buffer is sized.
TEST(WosCorruption, CraftedFourGibValueLengthIsCorruptionNotAnAllocation) {
  std::vector<uint64_t> offsets;
  auto fs = three_entry_store(&offsets);
  std::string db = sim_bytes(*fs, kDbPath);
  char* entry = db.data() + offsets[0];
  coding::encode_fixed32(entry + 12, 0xffffffffu);
  const uint64_t size = entry_bytes(1, 1, 5);
  coding::encode_fixed32(entry, faultfs::crc32c::mask(faultfs::crc32c::value(entry + 4, size - 4)));
  set_contents(*fs, kDbPath, db);
  auto store = WosStore::open(*fs, kWosDir);
  ASSERT_FALSE(store.is_ok());
  expect_corruption_at(store.status(), kDbPath, offsets[0]);
}

TEST(WosCorruption, CraftedFourGibCommittedLengthInConfIsCorruption) {
  std::vector<uint64_t> offsets;
  auto fs = three_entry_store(&offsets);
  Conf conf;
  conf.generation = 1;
  conf.db_length = uint64_t{4} << 30;
  conf.checkpoint_sequence = 1;
  set_contents(*fs, kConfPath, encode_conf(conf));
  auto store = WosStore::open(*fs, kWosDir);
  ASSERT_FALSE(store.is_ok());
  EXPECT_EQ(store.status().code(), faultfs::ErrorCode::kCorruption);
  EXPECT_NE(store.status().message().find("beyond the db size"), std::string::npos)
      << store.status().message();
}

TEST(WosCorruption, ConfLiveFiguresThatDisagreeWithDbAreCorruption) {
  std::vector<uint64_t> offsets;
  auto fs = three_entry_store(&offsets);
  auto conf = decode_conf(sim_bytes(*fs, kConfPath), kConfPath);
  ASSERT_TRUE(conf.is_ok());
  conf->live_entries += 1;
  set_contents(*fs, kConfPath, encode_conf(*conf));
  auto store = WosStore::open(*fs, kWosDir);
  ASSERT_FALSE(store.is_ok());
  expect_corruption_at(store.status(), kConfPath, 40);
}

TEST(WosCorruption, CommittedLengthInsideAnEntryIsCorruption) {
  std::vector<uint64_t> offsets;
  auto fs = three_entry_store(&offsets);
  auto conf = decode_conf(sim_bytes(*fs, kConfPath), kConfPath);
  ASSERT_TRUE(conf.is_ok());
  conf->db_length = offsets[2] + 3;
  conf->live_bytes = 0;
  set_contents(*fs, kConfPath, encode_conf(*conf));
  auto store = WosStore::open(*fs, kWosDir);
  ASSERT_FALSE(store.is_ok());
  expect_corruption_at(store.status(), kDbPath, offsets[2]);
}

}  // namespace
}  // namespace dbx::wos::testing
