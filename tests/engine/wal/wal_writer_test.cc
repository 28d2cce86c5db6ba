// WalWriter: its I/O pattern, the synced_sequence it stamps, and its failures.
#include <atomic>
#include <thread>

#include "support/write_log_fs.h"
#include "wal_test_util.h"

namespace dbx::wal::testing {
namespace {

TEST(WalWriter, CreateWritesOneHeaderSectorAndSyncs) {
  faultfs::SimFs sim;
  make_log_dir(sim);
  dbx::testing::WriteLogFs fs(sim);
  auto writer = create_writer(fs, 3);
  ASSERT_NE(writer, nullptr);
  const auto writes = fs.writes();
  ASSERT_EQ(writes.size(), 1u);
  EXPECT_EQ(writes[0].offset, 0u);
  EXPECT_EQ(writes[0].size_bytes, kFileHeaderBytes);
  EXPECT_EQ(fs.sync_calls(), 1u);
  EXPECT_EQ(writer->end_offset(), kFirstRecordOffset);
  EXPECT_EQ(writer->epoch(), 3u);
  const ParsedFileHeader header = parse_file_header(sim_bytes(sim, kLogPath).data());
  EXPECT_EQ(header.problem, FileHeaderProblem::kNone);
  EXPECT_EQ(header.epoch, 3u);
}

TEST(WalWriter, AppendIssuesExactlyOneWriteAtPerRecord) {
  faultfs::SimFs sim;
  make_log_dir(sim);
  dbx::testing::WriteLogFs fs(sim);
  auto writer = create_writer(fs);
  fs.clear_writes();
  uint64_t expected_offset = kFirstRecordOffset;
  for (uint64_t seq = 1; seq <= 50; ++seq) {
    const Record r = filler_record(seq, seq * 7);  // Varied sizes, varied padding.
    const std::string payload = encode_payload(r);
    auto end = writer->append(r.kind, seq, payload);
    ASSERT_TRUE(end.is_ok()) << end.status().to_string();
    const auto writes = fs.writes();
    ASSERT_EQ(writes.size(), seq) << "one write_at per append";
    EXPECT_EQ(writes.back().offset, expected_offset);
    EXPECT_EQ(writes.back().size_bytes, frame_bytes(payload.size()));
    expected_offset += frame_bytes(payload.size());
    EXPECT_EQ(*end, expected_offset);
    EXPECT_EQ(*end % kRecordAlignment, 0u);
  }
  EXPECT_EQ(fs.sync_calls(), 1u) << "append never syncs (only create did)";
  EXPECT_EQ(writer->file_size_bytes(), expected_offset);
}

TEST(WalWriter, FramePaddingIsZero) {
  faultfs::SimFs fs;
  auto writer = create_writer(fs);
  const Record r = insert_record(1, "t", "k", "abc");  // payload 9 bytes -> 7 bytes of padding
  append_record(*writer, r);
  const std::string bytes = sim_bytes(fs, kLogPath);
  const uint64_t payload_size = encode_payload(r).size();
  ASSERT_EQ(bytes.size(), kFirstRecordOffset + frame_bytes(payload_size));
  const std::string padding = bytes.substr(kFirstRecordOffset + kRecordHeaderBytes + payload_size);
  EXPECT_EQ(padding, std::string(padded_bytes(payload_size) - payload_size, '\0'));
}

TEST(WalWriter, NonIncreasingSequenceIsRejected) {
  faultfs::SimFs fs;
  auto writer = create_writer(fs);
  append_record(*writer, filler_record(5));
  auto same = writer->append(RecordKind::kInsert, 5, encode_payload(filler_record(5)));
  ASSERT_FALSE(same.is_ok());
  EXPECT_EQ(same.status().code(), faultfs::ErrorCode::kInvalidArgument);
  auto lower = writer->append(RecordKind::kInsert, 4, encode_payload(filler_record(4)));
  EXPECT_FALSE(lower.is_ok());
  EXPECT_TRUE(writer->append(RecordKind::kInsert, 9, encode_payload(filler_record(9))).is_ok())
      << "a gap in sequences is fine";
}

TEST(WalWriter, PayloadAboveTheMaximumIsRejectedWithoutWriting) {
  faultfs::SimFs sim;
  make_log_dir(sim);
  dbx::testing::WriteLogFs fs(sim);
  auto writer = create_writer(fs);
  fs.clear_writes();
  const std::string huge(kMaxRecordPayloadBytes + 1, 'x');
  auto end = writer->append(RecordKind::kInsert, 1, huge);
  ASSERT_FALSE(end.is_ok());
  EXPECT_EQ(end.status().code(), faultfs::ErrorCode::kInvalidArgument);
  EXPECT_TRUE(fs.writes().empty());
}

TEST(WalWriter, SyncedSequenceCoversOnlyRecordsAppendedBeforeASync) {
  faultfs::SimFs fs;
  auto writer = create_writer(fs);
  const uint64_t r1 = append_record(*writer, filler_record(1));
  const uint64_t r2 = append_record(*writer, filler_record(2));
  ASSERT_TRUE(writer->sync().is_ok());
  const uint64_t r3 = append_record(*writer, filler_record(3));
  const uint64_t r4 = append_record(*writer, filler_record(4));
  const std::string bytes = sim_bytes(fs, kLogPath);
  EXPECT_EQ(header_at(bytes, r1).synced_sequence, 0u);
  EXPECT_EQ(header_at(bytes, r2).synced_sequence, 0u);
  EXPECT_EQ(header_at(bytes, r3).synced_sequence, 2u);
  EXPECT_EQ(header_at(bytes, r4).synced_sequence, 2u);
}

TEST(WalWriter, NoteSyncedIsClampedToTheRecordsThisWriterAppended) {
  faultfs::SimFs fs;
  auto writer = create_writer(fs);
  writer->note_synced(100);  // Nothing appended yet: ignored.
  const uint64_t r1 = append_record(*writer, filler_record(10));
  writer->note_synced(5);  // Below the first record of the epoch: ignored.
  const uint64_t r2 = append_record(*writer, filler_record(11));
  writer->note_synced(1000);  // Above the last appended (11): clamped to 11.
  const uint64_t r3 = append_record(*writer, filler_record(12));
  writer->note_synced(3);  // Never lowers the watermark.
  const uint64_t r4 = append_record(*writer, filler_record(13));
  const std::string bytes = sim_bytes(fs, kLogPath);
  EXPECT_EQ(header_at(bytes, r1).synced_sequence, 0u);
  EXPECT_EQ(header_at(bytes, r2).synced_sequence, 0u);
  EXPECT_EQ(header_at(bytes, r3).synced_sequence, 11u);
  EXPECT_EQ(header_at(bytes, r4).synced_sequence, 11u);
}

TEST(WalWriter, FailedWritePoisonsTheWriter) {
  faultfs::SimFs sim;
  make_log_dir(sim);
  dbx::testing::WriteLogFs fs(sim);
  auto writer = create_writer(fs);
  append_record(*writer, filler_record(1));
  const uint64_t end_before = writer->end_offset();
  fs.fail_next_write(/*stored_bytes=*/13);
  auto failed = writer->append(RecordKind::kInsert, 2, encode_payload(filler_record(2)));
  ASSERT_FALSE(failed.is_ok());
  EXPECT_EQ(writer->end_offset(), end_before);
  auto later = writer->append(RecordKind::kInsert, 3, encode_payload(filler_record(3)));
  ASSERT_FALSE(later.is_ok());
  EXPECT_EQ(later.status().code(), faultfs::ErrorCode::kIoError);
  EXPECT_FALSE(writer->sync().is_ok());
  EXPECT_FALSE(writer->recycle(3).is_ok());
  // The partial record is a torn tail for recovery.
  ASSERT_TRUE(writer->close().is_ok());
  const ReadResult read = read_all(fs);
  ASSERT_TRUE(read.status.is_ok()) << read.status.to_string();
  EXPECT_EQ(sequences(read.records), std::vector<uint64_t>{1});
  EXPECT_TRUE(read.summary.must_truncate);
  EXPECT_EQ(read.summary.torn_bytes, 13u);
}

TEST(WalWriter, FailedSyncPoisonsTheWriterAndClaimsNothing) {
  faultfs::SimFs fs;
  auto writer = create_writer(fs);
  append_record(*writer, filler_record(1));
  ASSERT_TRUE(fs.fail_writeback(kLogPath, faultfs::ErrorCode::kIoError).is_ok());
  ASSERT_FALSE(writer->sync().is_ok());
  auto later = writer->append(RecordKind::kInsert, 2, encode_payload(filler_record(2)));
  ASSERT_FALSE(later.is_ok());
  EXPECT_EQ(later.status().code(), faultfs::ErrorCode::kIoError);
  EXPECT_FALSE(writer->sync().is_ok()) << "a retried fsync proves nothing";
}

TEST(WalWriter, CreateRejectsEpochZero) {
  faultfs::SimFs fs;
  auto writer = WalWriter::create(fs, kLogPath, 0);
  ASSERT_FALSE(writer.is_ok());
  EXPECT_EQ(writer.status().code(), faultfs::ErrorCode::kInvalidArgument);
}

TEST(WalWriter, ResumeRejectsAWrongEpochOrOffset) {
  faultfs::SimFs fs;
  auto writer = create_writer(fs, 4);
  append_record(*writer, filler_record(1));
  const uint64_t end = writer->end_offset();
  ASSERT_TRUE(writer->close().is_ok());
  EXPECT_EQ(WalWriter::resume(fs, kLogPath, 5, end).status().code(),
            faultfs::ErrorCode::kInvalidArgument);
  EXPECT_FALSE(WalWriter::resume(fs, kLogPath, 4, end + 8).is_ok()) << "past the file end";
  EXPECT_FALSE(WalWriter::resume(fs, kLogPath, 4, end - 4).is_ok()) << "misaligned";
  EXPECT_FALSE(WalWriter::resume(fs, kLogPath, 4, 0).is_ok()) << "inside the header";
  EXPECT_EQ(WalWriter::resume(fs, "db/missing.log", 4, 512).status().code(),
            faultfs::ErrorCode::kNotFound);
  EXPECT_TRUE(WalWriter::resume(fs, kLogPath, 4, end).is_ok());
}

TEST(WalWriter, ResumeContinuesAfterTheLastRecord) {
  faultfs::SimFs fs;
  auto writer = create_writer(fs, 2);
  append_record(*writer, filler_record(1));
  append_record(*writer, filler_record(2));
  ASSERT_TRUE(writer->close().is_ok());
  const ReadResult first = read_all(fs);
  ASSERT_TRUE(first.status.is_ok());
  auto resumed = WalWriter::resume(fs, kLogPath, first.summary.epoch, first.summary.end_offset);
  ASSERT_TRUE(resumed.is_ok()) << resumed.status().to_string();
  append_record(**resumed, filler_record(3));
  ASSERT_TRUE((*resumed)->close().is_ok());
  const ReadResult second = read_all(fs);
  ASSERT_TRUE(second.status.is_ok());
  EXPECT_EQ(sequences(second.records), (std::vector<uint64_t>{1, 2, 3}));
  EXPECT_FALSE(second.summary.must_truncate);
}

TEST(WalWriter, TruncateToEndDropsBytesPastTheEnd) {
  faultfs::SimFs fs;
  auto writer = create_writer(fs);
  append_record(*writer, filler_record(1));
  const uint64_t end = writer->end_offset();
  ASSERT_TRUE(writer->close().is_ok());
  ASSERT_TRUE(set_sim_bytes(fs, kLogPath, sim_bytes(fs, kLogPath) + std::string(100, 'g')).is_ok());
  auto resumed = WalWriter::resume(fs, kLogPath, 1, end);
  ASSERT_TRUE(resumed.is_ok());
  ASSERT_TRUE((*resumed)->truncate_to_end().is_ok());
  EXPECT_EQ(sim_bytes(fs, kLogPath).size(), end);
  EXPECT_EQ((*resumed)->file_size_bytes(), end);
}

TEST(WalWriter, ClosedWriterRejectsEveryCall) {
  faultfs::SimFs fs;
  auto writer = create_writer(fs);
  ASSERT_TRUE(writer->close().is_ok());
  EXPECT_EQ(writer->append(RecordKind::kInsert, 1, "").status().code(),
            faultfs::ErrorCode::kInvalidArgument);
  EXPECT_FALSE(writer->sync().is_ok());
  EXPECT_FALSE(writer->close().is_ok());
}

TEST(WalWriter, SyncConcurrentWithAppendsNeverOverclaims) {
  faultfs::SimFs fs;
  auto writer = create_writer(fs);
  std::atomic<bool> done{false};
  std::thread syncer([&] {
    while (!done.load()) ASSERT_TRUE(writer->sync().is_ok());
  });
  constexpr uint64_t kRecords = 2000;
  std::vector<uint64_t> offsets;
  for (uint64_t seq = 1; seq <= kRecords; ++seq) {
    offsets.push_back(append_record(*writer, filler_record(seq)));
  }
  done.store(true);
  syncer.join();
  const std::string bytes = sim_bytes(fs, kLogPath);
  uint64_t previous_synced = 0;
  for (uint64_t i = 0; i < kRecords; ++i) {
    const RecordHeader h = header_at(bytes, offsets[i]);
    EXPECT_LT(h.synced_sequence, h.sequence) << "a record cannot be synced before it is written";
    EXPECT_GE(h.synced_sequence, previous_synced) << "the watermark never goes back";
    previous_synced = h.synced_sequence;
  }
  const ReadResult read = read_all(fs);
  ASSERT_TRUE(read.status.is_ok());
  EXPECT_EQ(read.summary.records_read, kRecords);
}

}  // namespace
}  // namespace dbx::wal::testing
