// Records written by WalWriter come back from read_log unchanged; the file
// header's edge cases (absent, empty, zeroed, damaged) are classified.
#include "support/counting_fs.h"
#include "wal_test_util.h"

namespace dbx::wal::testing {
namespace {

Record batch_spanning_tables(uint64_t sequence) {
  Record r;
  r.kind = RecordKind::kBatch;
  r.sequence = sequence;
  r.mutations.push_back(Mutation{false, "users", "alice", "a"});
  r.mutations.push_back(Mutation{true, "users", "bob", ""});
  r.mutations.push_back(Mutation{false, "orders", "o1", std::string(1000, 'o')});
  r.mutations.push_back(Mutation{true, "orders", "o0", ""});
  return r;
}

TEST(WalRoundTrip, EveryRecordKindRoundTripsThroughTheLog) {
  faultfs::SimFs fs;
  auto writer = create_writer(fs);
  const std::vector<Record> written = {
      checkpoint_record(0),
      insert_record(1, "t", "k", "v"),
      insert_record(2, std::string("t\0x", 3), std::string("\0key\0", 5), ""),  // NUL, empty
      delete_record(3, "t", std::string("\0", 1)),
      batch_spanning_tables(4),
      insert_record(5, "big", "one-mebibyte", std::string(1u << 20, 'm')),
      insert_record(6, "t", "after-big", "v6"),
  };
  for (const Record& r : written) append_record(*writer, r);
  ASSERT_TRUE(writer->close().is_ok());

  const ReadResult read = read_all(fs);
  ASSERT_TRUE(read.status.is_ok()) << read.status.to_string();
  EXPECT_EQ(read.records, written);
  EXPECT_EQ(read.summary.epoch, 1u);
  EXPECT_EQ(read.summary.records_read, written.size());
  EXPECT_EQ(read.summary.last_sequence, 6u);
  EXPECT_EQ(read.summary.end_offset, sim_bytes(fs, kLogPath).size());
  EXPECT_EQ(read.summary.bytes_read, read.summary.end_offset - kFirstRecordOffset);
  EXPECT_EQ(read.summary.torn_bytes, 0u);
  EXPECT_FALSE(read.summary.must_truncate);
}

TEST(WalRoundTrip, ManySmallRecordsAreReadInLargeChunks) {
  faultfs::SimFs fs;
  auto writer = create_writer(fs);
  constexpr uint64_t kRecords = 5000;
  for (uint64_t seq = 1; seq <= kRecords; ++seq) append_record(*writer, filler_record(seq));
  ASSERT_TRUE(writer->close().is_ok());
  dbx::testing::CountingFs counting(fs);
  const ReadResult read = read_all(counting);
  ASSERT_TRUE(read.status.is_ok());
  EXPECT_EQ(read.summary.records_read, kRecords);
  const uint64_t chunks = sim_bytes(fs, kLogPath).size() / LogWindow::kChunkBytes + 1;
  EXPECT_LE(counting.counters().reads.load(), chunks + 2)
      << "one read_at per chunk, not per record";
}

TEST(WalRoundTrip, VisitorErrorAbortsTheRead) {
  faultfs::SimFs fs;
  auto writer = create_writer(fs);
  for (uint64_t seq = 1; seq <= 5; ++seq) append_record(*writer, filler_record(seq));
  ASSERT_TRUE(writer->close().is_ok());
  int visited = 0;
  auto summary = read_log(fs, kLogPath, TailMode::kStrict, 0, [&](const Record& r) {
    ++visited;
    if (r.sequence == 3) return faultfs::Status(faultfs::ErrorCode::kNoSpace, "visitor full");
    return faultfs::Status::ok();
  });
  ASSERT_FALSE(summary.is_ok());
  EXPECT_EQ(summary.status().code(), faultfs::ErrorCode::kNoSpace);
  EXPECT_EQ(visited, 3);
}

TEST(WalRoundTrip, HeaderOnlyLogIsEmptyWithItsEpoch) {
  faultfs::SimFs fs;
  auto writer = create_writer(fs, 7);
  ASSERT_TRUE(writer->close().is_ok());
  const ReadResult read = read_all(fs);
  ASSERT_TRUE(read.status.is_ok());
  EXPECT_EQ(read.summary.epoch, 7u);
  EXPECT_EQ(read.summary.records_read, 0u);
  EXPECT_EQ(read.summary.end_offset, kFirstRecordOffset);
  EXPECT_FALSE(read.summary.must_truncate);
}

TEST(WalRoundTrip, MissingFileIsAnEmptyLog) {
  faultfs::SimFs fs;
  const ReadResult read = read_all(fs);
  ASSERT_TRUE(read.status.is_ok()) << read.status.to_string();
  EXPECT_EQ(read.summary.epoch, 0u);
  EXPECT_EQ(read.summary.end_offset, kFirstRecordOffset);
}

TEST(WalRoundTrip, ZeroLengthFileIsAnEmptyLog) {
  faultfs::SimFs fs;
  ASSERT_TRUE(set_sim_bytes(fs, kLogPath, "").is_ok());
  const ReadResult read = read_all(fs);
  ASSERT_TRUE(read.status.is_ok());
  EXPECT_EQ(read.summary.epoch, 0u);
}

TEST(WalRoundTrip, AllZeroFileIsAnEmptyLog) {
  faultfs::SimFs fs;
  for (const size_t size : {size_t{100}, size_t{512}, size_t{5000}}) {
    ASSERT_TRUE(set_sim_bytes(fs, kLogPath, std::string(size, '\0')).is_ok());
    const ReadResult read = read_all(fs);
    ASSERT_TRUE(read.status.is_ok()) << size;
    EXPECT_EQ(read.summary.epoch, 0u);
    EXPECT_EQ(read.summary.records_read, 0u);
  }
}

void expect_header_corruption(faultfs::SimFs& fs, std::string_view needle) {
  const ReadResult read = read_all(fs);
  ASSERT_FALSE(read.status.is_ok());
  EXPECT_EQ(read.status.code(), faultfs::ErrorCode::kCorruption);
  EXPECT_NE(read.status.message().find(kLogPath + " offset 0: "), std::string::npos)
      << read.status.message();
  EXPECT_NE(read.status.message().find(needle), std::string::npos) << read.status.message();
}

std::string valid_log() {
  faultfs::SimFs fs;
  auto writer = create_writer(fs);
  append_record(*writer, filler_record(1));
  EXPECT_TRUE(writer->close().is_ok());
  return sim_bytes(fs, kLogPath);
}

TEST(WalRoundTrip, AllZeroHeaderFollowedByDataIsCorruption) {
  faultfs::SimFs fs;
  std::string bytes = valid_log();
  std::fill_n(bytes.begin(), kFileHeaderBytes, '\0');
  ASSERT_TRUE(set_sim_bytes(fs, kLogPath, bytes).is_ok());
  expect_header_corruption(fs, "all zeros");
}

TEST(WalRoundTrip, BadMagicIsCorruption) {
  faultfs::SimFs fs;
  std::string bytes = valid_log();
  bytes[3] ^= 0x20;
  ASSERT_TRUE(set_sim_bytes(fs, kLogPath, bytes).is_ok());
  expect_header_corruption(fs, "magic");
}

TEST(WalRoundTrip, FlippedEpochBitInHeaderIsCorruption) {
  faultfs::SimFs fs;
  std::string bytes = valid_log();
  bytes[kFileEpochOffset] ^= 0x04;
  ASSERT_TRUE(set_sim_bytes(fs, kLogPath, bytes).is_ok());
  expect_header_corruption(fs, "crc");
}

// Version 3 is an encrypted log (wal_seal.h); 4 is unknown.
TEST(WalRoundTrip, UnsupportedVersionIsCorruption) {
  faultfs::SimFs fs;
  std::string bytes = valid_log();
  const uint32_t version = 4;
  std::memcpy(bytes.data() + kFileVersionOffset, &version, 4);
  const uint32_t crc =
      faultfs::crc32c::mask(faultfs::crc32c::value(bytes.data(), kFileCrcCoveredBytes));
  std::memcpy(bytes.data() + kFileCrcOffset, &crc, 4);
  ASSERT_TRUE(set_sim_bytes(fs, kLogPath, bytes).is_ok());
  expect_header_corruption(fs, "version 4");
}

// A plain reader never guesses at an encrypted log: no key, no read.
TEST(WalRoundTrip, SealedVersionWithoutAKeyIsInvalidArgument) {
  faultfs::SimFs fs;
  std::string bytes = valid_log();
  const uint32_t version = kFormatVersionSealed;
  std::memcpy(bytes.data() + kFileVersionOffset, &version, 4);
  const uint32_t crc =
      faultfs::crc32c::mask(faultfs::crc32c::value(bytes.data(), kFileCrcCoveredBytes));
  std::memcpy(bytes.data() + kFileCrcOffset, &crc, 4);
  ASSERT_TRUE(set_sim_bytes(fs, kLogPath, bytes).is_ok());
  const ReadResult read = read_all(fs);
  EXPECT_EQ(read.status.code(), faultfs::ErrorCode::kInvalidArgument) << read.status.message();
}

TEST(WalRoundTrip, TruncatedHeaderWithNothingAfterIsATornCreation) {
  faultfs::SimFs fs;
  ASSERT_TRUE(set_sim_bytes(fs, kLogPath, valid_log().substr(0, 100)).is_ok());
  const ReadResult read = read_all(fs);
  ASSERT_TRUE(read.status.is_ok()) << read.status.message();
  EXPECT_TRUE(read.summary.header_torn);
  EXPECT_EQ(read.summary.epoch, 0u);
  EXPECT_EQ(read.summary.records_read, 0u);
}

// A cut rewrites the header sector; torn in flight it reads as garbage. When
// every record in the file is covered by the checkpoint, that is legal.
TEST(WalRoundTrip, GarbageHeaderOverCheckpointCoveredRecordsIsATornCut) {
  faultfs::SimFs fs;
  std::string bytes = valid_log();  // One record, sequence 1.
  for (size_t i = 0; i < kFileHeaderBytes; ++i) bytes[i] = static_cast<char>(i * 97 + 13);
  ASSERT_TRUE(set_sim_bytes(fs, kLogPath, bytes).is_ok());
  auto summary = read_log(fs, kLogPath, TailMode::kStrict, /*min_relevant_sequence=*/1, {});
  ASSERT_TRUE(summary.is_ok()) << summary.status().message();
  EXPECT_TRUE(summary->header_torn);
  EXPECT_EQ(summary->records_read, 0u);
}

TEST(WalRoundTrip, GarbageHeaderOverARecordAboveTheCheckpointIsCorruption) {
  faultfs::SimFs fs;
  std::string bytes = valid_log();
  for (size_t i = 0; i < kFileHeaderBytes; ++i) bytes[i] = static_cast<char>(i * 97 + 13);
  ASSERT_TRUE(set_sim_bytes(fs, kLogPath, bytes).is_ok());
  auto summary = read_log(fs, kLogPath, TailMode::kStrict, /*min_relevant_sequence=*/0, {});
  ASSERT_FALSE(summary.is_ok());
  EXPECT_EQ(summary.status().code(), faultfs::ErrorCode::kCorruption);
  EXPECT_NE(summary.status().message().find("proves the header had been synced"), std::string::npos)
      << summary.status().message();
}

}  // namespace
}  // namespace dbx::wal::testing
