// Damaged or moved sealed bytes are corruption; a damaged key file is
// corruption, and one altered with its crc recomputed is invalid_key.
#include <gtest/gtest.h>

#include <algorithm>

#include "encryption_test_util.h"
#include "faultfs/crc32c.h"
#include "util/coding.h"
#include "wal/wal_format.h"

namespace dbx {
namespace {

using testing::code_of;
using testing::kDbDir;

const std::string kWal = std::string(kDbDir) + "/wal.log";
const std::string kDb = std::string(kDbDir) + "/wos/db";
const std::string kConf = std::string(kDbDir) + "/wos/conf";
const std::string kKeys = std::string(kDbDir) + "/keys";

// A closed database with entries in the WOS (flushed) and records in the log.
struct Tampered {
  Tampered() {
    options = testing::options_for(sim.fs, testing::raw_config(5), Durability::kFull);
    auto db = Database::open(kDbDir, options);
    for (int i = 0; i < 6; ++i)
      db->insert("t", "w" + std::to_string(i), "wos-value-" + std::to_string(i));
    db->flush();
    for (int i = 0; i < 6; ++i)
      db->insert("t", "l" + std::to_string(i), "log-value-" + std::to_string(i));
    db->close();
    restore();
  }
  // Sealed items of `file`, in file order.
  std::vector<NonceRecord> items(const std::string& file) {
    std::vector<NonceRecord> out;
    for (NonceRecord& r : inspect_nonces(*fs, kDbDir)) {
      if (r.file == file) out.push_back(std::move(r));
    }
    std::sort(out.begin(), out.end(), [](auto& a, auto& b) { return a.offset < b.offset; });
    return out;
  }
  // Swaps the sealed items `first` and `first + 1` of `file`, which must be
  // of one size (the item after them marks where the second ends).
  void swap_two_items(const std::string& file, size_t first) {
    const auto found = items(file);
    ASSERT_GE(found.size(), first + 3);
    const std::string bytes = testing::read_file(*fs, file);
    const uint64_t a = found[first].offset, b = found[first + 1].offset, size = b - a;
    ASSERT_EQ(found[first + 2].offset - b, size) << "two items of one size";
    testing::write_file_at(*fs, file, a, bytes.substr(b, size));
    testing::write_file_at(*fs, file, b, bytes.substr(a, size));
  }
  void flip(const std::string& file, uint64_t offset) {
    std::string byte = testing::read_file(*fs, file).substr(offset, 1);
    byte[0] = static_cast<char>(byte[0] ^ 0x20);
    testing::write_file_at(*fs, file, offset, byte);
  }
  ErrorCode open_and_read() {
    return code_of([&] {
      auto db = Database::open(kDbDir, options);
      db->scan("t");
      throw Error(ErrorCode::kIoError, "opened and read without an error");
    });
  }
  // The next trial starts from the pristine database again.
  void restore() {
    fs = sim.fs.clone();
    options.file_system = fs.get();
  }

  testing::SimDb sim;  // Pristine after the constructor.
  Options options;
  std::unique_ptr<faultfs::SimFs> fs;  // What a trial damages.
};

TEST(Tamper, AFlippedByteInASealedWalPayloadIsCorruption) {
  Tampered t;
  const auto records = t.items(kWal);
  ASSERT_GE(records.size(), 7u) << "six inserts and the close's sync proof";
  // Every record but the last: the last (the sync proof) reads as a torn
  // tail when its crc fails, exactly as in a plain log, and holds no data.
  for (size_t i = 0; i + 1 < records.size(); ++i) {
    for (uint64_t at : {uint64_t{40}, uint64_t{40 + 4}, uint64_t{40 + 30}}) {
      SCOPED_TRACE("record " + std::to_string(i) + " byte " + std::to_string(at));
      t.flip(kWal, records[i].offset + at);
      EXPECT_EQ(t.open_and_read(), ErrorCode::kCorruption);
      t.restore();
    }
  }
}

// The crcs recomputed, as a deliberate forger would: only the AEAD sees it,
// and a crc-valid record that does not open is corruption, never a torn tail.
TEST(Tamper, AForgedWalRecordWithValidCrcsIsCorruptionEvenAtTheTail) {
  Tampered t;
  const auto records = t.items(kWal);
  for (size_t i : {size_t{0}, records.size() - 1}) {
    std::string bytes = testing::read_file(*t.fs, kWal);
    char* frame = bytes.data() + records[i].offset;
    auto header = wal::parse_record_header(frame);
    ASSERT_TRUE(header.has_value());
    frame[wal::kRecordHeaderBytes + header->payload_length - 1] ^= 1;  // The tag.
    header->payload_crc =
        wal::payload_crc(std::string_view(frame + wal::kRecordHeaderBytes, header->payload_length));
    wal::encode_record_header(*header, frame);
    testing::write_file_at(*t.fs, kWal, records[i].offset,
                           std::string_view(frame, wal::frame_bytes(header->payload_length)));
    EXPECT_EQ(t.open_and_read(), ErrorCode::kCorruption) << "record " << i;
    t.restore();
  }
}

TEST(Tamper, AFlippedByteInASealedWosEntryIsCorruption) {
  Tampered t;
  const auto entries = t.items(kDb);
  ASSERT_EQ(entries.size(), 6u);
  for (const NonceRecord& entry : entries) {
    for (uint64_t at : {uint64_t{1}, uint64_t{16}, uint64_t{16 + 4}, uint64_t{16 + 30}}) {
      SCOPED_TRACE("entry at " + std::to_string(entry.offset) + " byte " + std::to_string(at));
      t.flip(kDb, entry.offset + at);
      EXPECT_EQ(t.open_and_read(), ErrorCode::kCorruption);
      t.restore();
    }
  }
}

TEST(Tamper, AFlippedByteInTheSealedConfIsCorruption) {
  Tampered t;
  const uint64_t size = testing::read_file(*t.fs, kConf).size();
  ASSERT_GT(size, 80u);
  for (uint64_t at : {uint64_t{20}, uint64_t{80}, uint64_t{84}, size - 1}) {
    t.flip(kConf, at);
    EXPECT_EQ(t.open_and_read(), ErrorCode::kCorruption) << "byte " << at;
    t.restore();
  }
}

TEST(Tamper, AFlippedByteInTheKeyFileIsCorruption) {
  Tampered t;
  const uint64_t size = testing::read_file(*t.fs, kKeys).size();
  for (uint64_t at :
       {uint64_t{0}, uint64_t{12}, uint64_t{48}, uint64_t{60}, uint64_t{90}, size - 1}) {
    t.flip(kKeys, at);
    EXPECT_EQ(t.open_and_read(), ErrorCode::kCorruption) << "byte " << at;
    t.restore();
  }
}

TEST(Tamper, AKeyFileAlteredWithItsCrcRecomputedIsInvalidKey) {
  Tampered t;
  std::string bytes = testing::read_file(*t.fs, kKeys);
  bytes[100] ^= 1;  // Inside the wrapped data key.
  const size_t body = bytes.size() - 4;
  coding::encode_fixed32(bytes.data() + body,
                         faultfs::crc32c::mask(faultfs::crc32c::value(bytes.data(), body)));
  testing::write_file_at(*t.fs, kKeys, 0, bytes);
  EXPECT_EQ(t.open_and_read(), ErrorCode::kInvalidKey);
}

// Two whole, crc-valid sealed items of one size trade places: each is bound
// to its offset, so neither opens where it now lies.
TEST(Tamper, TwoWalRecordsSwappedAreCorruption) {
  Tampered t;
  ASSERT_NO_FATAL_FAILURE(t.swap_two_items(kWal, 1));
  EXPECT_EQ(t.open_and_read(), ErrorCode::kCorruption);
}

TEST(Tamper, TwoWosEntriesSwappedAreCorruption) {
  Tampered t;
  ASSERT_NO_FATAL_FAILURE(t.swap_two_items(kDb, 0));
  EXPECT_EQ(t.open_and_read(), ErrorCode::kCorruption);
}

}  // namespace
}  // namespace dbx
