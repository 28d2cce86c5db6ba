// A bad record that a later record proves had been synced is corruption:
// kStrict fails, kTolerateTail keeps the prefix, kSkipCorrupted replays the rest.
#include "support/read_size_fs.h"
#include "wal_test_util.h"

namespace dbx::wal::testing {
namespace {

struct SyncedLog {
  std::string bytes;
  std::vector<uint64_t> offsets;
  std::vector<Record> records;
};

// Records 1..6 with a sync after record 3: records 4..6 carry synced_sequence 3.
SyncedLog write_synced_log() {
  faultfs::SimFs fs;
  auto writer = create_writer(fs);
  SyncedLog log;
  for (uint64_t seq = 1; seq <= 6; ++seq) {
    log.records.push_back(filler_record(seq));
    log.offsets.push_back(append_record(*writer, log.records.back()));
    if (seq == 3) {
      EXPECT_TRUE(writer->sync().is_ok());
    }
  }
  EXPECT_TRUE(writer->close().is_ok());
  log.bytes = sim_bytes(fs, kLogPath);
  EXPECT_EQ(header_at(log.bytes, log.offsets[3]).synced_sequence, 3u);
  return log;
}

std::vector<Record> without(const std::vector<Record>& records, size_t index) {
  std::vector<Record> out = records;
  out.erase(out.begin() + index);
  return out;
}

void expect_strict_corruption_at(faultfs::SimFs& fs, uint64_t offset, uint64_t min_relevant = 0) {
  const ReadResult read = read_all(fs, TailMode::kStrict, min_relevant);
  ASSERT_FALSE(read.status.is_ok());
  EXPECT_EQ(read.status.code(), faultfs::ErrorCode::kCorruption);
  const std::string where = kLogPath + " offset " + std::to_string(offset) + ": ";
  EXPECT_EQ(read.status.message().rfind(where, 0), 0u) << read.status.message();
}

TEST(WalCorruption, FlippedPayloadBitInASyncedMiddleRecordFailsStrict) {
  SyncedLog log = write_synced_log();
  log.bytes[log.offsets[1] + kRecordHeaderBytes + 3] ^= 0x10;
  faultfs::SimFs fs;
  ASSERT_TRUE(set_sim_bytes(fs, kLogPath, log.bytes).is_ok());
  expect_strict_corruption_at(fs, log.offsets[1]);
}

TEST(WalCorruption, FlippedPayloadBitInASyncedMiddleRecordKeepsThePrefixWhenTolerated) {
  SyncedLog log = write_synced_log();
  log.bytes[log.offsets[1] + kRecordHeaderBytes + 3] ^= 0x10;
  faultfs::SimFs fs;
  ASSERT_TRUE(set_sim_bytes(fs, kLogPath, log.bytes).is_ok());
  const ReadResult read = read_all(fs, TailMode::kTolerateTail);
  ASSERT_TRUE(read.status.is_ok()) << read.status.to_string();
  EXPECT_EQ(sequences(read.records), std::vector<uint64_t>{1});
  EXPECT_EQ(read.summary.end_offset, log.offsets[1]);
  EXPECT_TRUE(read.summary.must_truncate);
  EXPECT_EQ(read.summary.corrupt_records_skipped, 1u);
}

TEST(WalCorruption, FlippedPayloadBitInASyncedMiddleRecordIsSkippedWhenSalvaging) {
  SyncedLog log = write_synced_log();
  log.bytes[log.offsets[1] + kRecordHeaderBytes + 3] ^= 0x10;
  faultfs::SimFs fs;
  ASSERT_TRUE(set_sim_bytes(fs, kLogPath, log.bytes).is_ok());
  const ReadResult read = read_all(fs, TailMode::kSkipCorrupted);
  ASSERT_TRUE(read.status.is_ok()) << read.status.to_string();
  EXPECT_EQ(read.records, without(log.records, 1));
  EXPECT_EQ(read.summary.corrupt_records_skipped, 1u);
  EXPECT_EQ(read.summary.end_offset, log.bytes.size());
  EXPECT_EQ(read.summary.last_sequence, 6u);
}

TEST(WalCorruption, FlippedHeaderBitInASyncedRecordIsCorruptionAndSkippable) {
  SyncedLog log = write_synced_log();
  log.bytes[log.offsets[2] + kSequenceOffset] ^= 0x01;  // Header crc no longer matches.
  faultfs::SimFs fs;
  ASSERT_TRUE(set_sim_bytes(fs, kLogPath, log.bytes).is_ok());
  expect_strict_corruption_at(fs, log.offsets[2]);
  const ReadResult read = read_all(fs, TailMode::kSkipCorrupted);
  ASSERT_TRUE(read.status.is_ok());
  EXPECT_EQ(read.records, without(log.records, 2));
}

TEST(WalCorruption, LostSectorOfZerosInASyncedRecordIsCorruption) {
  // An all-zero header normally ends the log cleanly, but here a later record
  // proves the zeroed one had been synced: a lost sector, not a clean end.
  SyncedLog log = write_synced_log();
  std::fill(log.bytes.begin() + log.offsets[1], log.bytes.begin() + log.offsets[2], '\0');
  faultfs::SimFs fs;
  ASSERT_TRUE(set_sim_bytes(fs, kLogPath, log.bytes).is_ok());
  expect_strict_corruption_at(fs, log.offsets[1]);
}

TEST(WalCorruption, SyncedRecordsCoveredByTheCheckpointProveNothing) {
  // Record 2 is bad and 4..6 claim it synced, but the checkpoint covers
  // everything up to 6: nothing after the bad record is needed, so it is torn.
  SyncedLog log = write_synced_log();
  log.bytes[log.offsets[1] + kRecordHeaderBytes] ^= 0x01;
  faultfs::SimFs fs;
  ASSERT_TRUE(set_sim_bytes(fs, kLogPath, log.bytes).is_ok());
  const ReadResult covered = read_all(fs, TailMode::kStrict, /*min_relevant_sequence=*/6);
  ASSERT_TRUE(covered.status.is_ok()) << covered.status.to_string();
  EXPECT_EQ(sequences(covered.records), std::vector<uint64_t>{1});
  EXPECT_TRUE(covered.summary.must_truncate);
  expect_strict_corruption_at(fs, log.offsets[1], /*min_relevant=*/5);
}

TEST(WalCorruption, UndecodablePayloadWithValidCrcIsABadRecord) {
  SyncedLog log = write_synced_log();
  // Re-frame record 2 with a payload that passes its crc but does not decode.
  const RecordHeader original = header_at(log.bytes, log.offsets[1]);
  const uint64_t size = log.offsets[2] - log.offsets[1];
  std::string bogus_payload(original.payload_length, '\x7f');
  const std::string frame =
      craft_frame(1, original.sequence, original.synced_sequence, bogus_payload);
  ASSERT_EQ(frame.size(), size);
  log.bytes.replace(log.offsets[1], size, frame);
  faultfs::SimFs fs;
  ASSERT_TRUE(set_sim_bytes(fs, kLogPath, log.bytes).is_ok());
  expect_strict_corruption_at(fs, log.offsets[1]);
  const ReadResult read = read_all(fs, TailMode::kStrict, 6);
  ASSERT_TRUE(read.status.is_ok());
  EXPECT_EQ(sequences(read.records), std::vector<uint64_t>{1});
}

TEST(WalCorruption, UnknownKindWithValidCrcIsABadRecord) {
  const std::string payload = encode_payload(filler_record(1));
  faultfs::SimFs fs;
  auto writer = create_writer(fs);
  ASSERT_TRUE(writer->close().is_ok());
  ASSERT_TRUE(set_sim_bytes(fs, kLogPath,
                            sim_bytes(fs, kLogPath) + craft_frame(1, 1, 0, payload, /*kind=*/9))
                  .is_ok());
  const ReadResult read = read_all(fs);
  ASSERT_TRUE(read.status.is_ok());
  EXPECT_TRUE(read.records.empty());
  EXPECT_TRUE(read.summary.must_truncate);
}

TEST(WalCorruption, CraftedHeaderClaimingFourGiBNeverAllocates) {
  faultfs::SimFs fs;
  auto writer = create_writer(fs);
  append_record(*writer, filler_record(1));
  ASSERT_TRUE(writer->close().is_ok());
  const std::string good = sim_bytes(fs, kLogPath);
  // Valid header crcs, lengths 4 GiB - 8 (above the bound) and 64 MiB (within
  // the bound, past the end of the file); with synced_sequence 2 the copy
  // passes every cheap proof check, so only the length checks stop it.
  for (const uint32_t length : {uint32_t{0xFFFFFFF8u}, uint32_t{64u << 20}}) {
    for (const uint64_t synced : {uint64_t{0}, uint64_t{2}}) {
      const std::string frame = craft_frame(1, 2, synced, "", 1, length);
      // The crafted record first, then a copy of it later (a look-ahead candidate).
      ASSERT_TRUE(set_sim_bytes(fs, kLogPath, good + frame + std::string(64, 'x') + frame).is_ok());
      dbx::testing::ReadSizeFs measured(fs);
      const ReadResult read = read_all(measured);
      ASSERT_TRUE(read.status.is_ok()) << read.status.to_string();
      EXPECT_EQ(sequences(read.records), std::vector<uint64_t>{1});
      EXPECT_TRUE(read.summary.must_truncate);
      EXPECT_LE(measured.sizes().request_bytes_max.load(), LogWindow::kChunkBytes)
          << "no read (hence no buffer) larger than one chunk";
    }
  }
}

TEST(WalCorruption, NonZeroReservedFieldsMakeABadRecord) {
  SyncedLog log = write_synced_log();
  // Set a flag bit and re-seal the header crc: a future format, not ours.
  std::string& b = log.bytes;
  const uint64_t at = log.offsets[1];
  b[at + kFlagsOffset] = 1;
  const uint32_t crc = faultfs::crc32c::mask(faultfs::crc32c::value(
      b.data() + at + kHeaderCrcCoveredOffset, kRecordHeaderBytes - kHeaderCrcCoveredOffset));
  std::memcpy(b.data() + at + kHeaderCrcOffset, &crc, 4);
  faultfs::SimFs fs;
  ASSERT_TRUE(set_sim_bytes(fs, kLogPath, b).is_ok());
  expect_strict_corruption_at(fs, at);
}

}  // namespace
}  // namespace dbx::wal::testing
