// Recycling: after a checkpoint the log restarts at offset 512 with epoch + 1,
// overwriting old bytes in place; stale epochs are never read as records.
#include "support/write_log_fs.h"
#include "wal_test_util.h"

namespace dbx::wal::testing {
namespace {

constexpr uint64_t kCheckpoint = 10;

// Epoch 1 with records 1..10, each synced (record n carries synced n - 1).
std::unique_ptr<WalWriter> write_first_epoch(faultfs::FileSystem& fs) {
  auto writer = create_writer(fs);
  for (uint64_t seq = 1; seq <= kCheckpoint; ++seq) {
    append_record(*writer, filler_record(seq, 120));
    EXPECT_TRUE(writer->sync().is_ok());
  }
  return writer;
}

std::vector<Record> second_epoch_records() {
  return {checkpoint_record(kCheckpoint), filler_record(11, 8), filler_record(12, 8)};
}

TEST(WalRecycle, OldEpochRecordsBeyondTheNewEndAreNotRead) {
  faultfs::SimFs fs;
  make_log_dir(fs);
  auto writer = write_first_epoch(fs);
  const uint64_t size_before = sim_bytes(fs, kLogPath).size();
  ASSERT_TRUE(writer->recycle(kCheckpoint).is_ok());
  append_record(*writer, filler_record(11, 8));
  append_record(*writer, filler_record(12, 8));
  ASSERT_TRUE(writer->close().is_ok());
  ASSERT_EQ(sim_bytes(fs, kLogPath).size(), size_before) << "recycling never truncates";
  for (const TailMode mode : {TailMode::kStrict, TailMode::kSkipCorrupted}) {
    const ReadResult read = read_all(fs, mode, kCheckpoint);
    ASSERT_TRUE(read.status.is_ok()) << read.status.to_string();
    EXPECT_EQ(read.summary.epoch, 2u);
    EXPECT_EQ(read.records, second_epoch_records());
    EXPECT_EQ(read.summary.corrupt_records_skipped, 0u);
    EXPECT_LT(read.summary.end_offset, size_before);
  }
}

TEST(WalRecycle, TrimPastEndKeepsTheLogAndDropsStaleSpaceBeyondWhatIsKept) {
  faultfs::SimFs sim;
  make_log_dir(sim);
  dbx::testing::WriteLogFs fs(sim);
  auto writer = write_first_epoch(fs);
  const uint64_t size_before = writer->file_size_bytes();
  ASSERT_TRUE(writer->recycle(kCheckpoint).is_ok());
  append_record(*writer, filler_record(11, 8));
  append_record(*writer, filler_record(12, 8));
  const uint64_t end = writer->end_offset();
  const uint64_t keep_bytes = 100;  // Rounded up to the frame alignment: 104.
  ASSERT_LT(end + 104, size_before) << "the test needs stale space to trim";
  const uint64_t syncs_before = fs.sync_calls();

  ASSERT_TRUE(writer->trim_past_end(keep_bytes).is_ok());
  EXPECT_EQ(sim_bytes(sim, kLogPath).size(), end + 104);
  EXPECT_EQ(writer->file_size_bytes(), end + 104);
  EXPECT_EQ(fs.sync_calls(), syncs_before + 1);
  // Already short enough: nothing to do, not even a sync.
  ASSERT_TRUE(writer->trim_past_end(keep_bytes).is_ok());
  ASSERT_TRUE(writer->trim_past_end(keep_bytes * 10).is_ok());
  EXPECT_EQ(sim_bytes(sim, kLogPath).size(), end + 104);
  EXPECT_EQ(fs.sync_calls(), syncs_before + 1);
  ASSERT_TRUE(writer->close().is_ok());

  const ReadResult read = read_all(fs, TailMode::kStrict, kCheckpoint);
  ASSERT_TRUE(read.status.is_ok()) << read.status.to_string();
  EXPECT_EQ(read.records, second_epoch_records());
  EXPECT_EQ(read.summary.end_offset, end);
  EXPECT_FALSE(read.summary.must_truncate);
}

TEST(WalRecycle, HeaderRewriteIsOneSectorWriteAndRecordsOverwriteInPlace) {
  faultfs::SimFs sim;
  make_log_dir(sim);
  dbx::testing::WriteLogFs fs(sim);
  auto writer = write_first_epoch(fs);
  const uint64_t size_before = writer->file_size_bytes();
  fs.clear_writes();
  const uint64_t syncs_before = fs.sync_calls();
  ASSERT_TRUE(writer->recycle(kCheckpoint).is_ok());
  EXPECT_EQ(fs.sync_calls(), syncs_before) << "recycle does not sync; the engine decides";
  auto writes = fs.writes();
  ASSERT_EQ(writes.size(), 2u);
  EXPECT_EQ(writes[0].offset, 0u);
  EXPECT_EQ(writes[0].size_bytes, kFileHeaderBytes);
  EXPECT_EQ(writes[1].offset, kFirstRecordOffset);
  EXPECT_EQ(writes[1].size_bytes, frame_bytes(0)) << "the checkpoint record";
  EXPECT_EQ(writer->epoch(), 2u);
  EXPECT_EQ(writer->end_offset(), kFirstRecordOffset + frame_bytes(0));
  append_record(*writer, filler_record(11, 8));
  writes = fs.writes();
  ASSERT_EQ(writes.size(), 3u);
  EXPECT_EQ(writes[2].offset, kFirstRecordOffset + frame_bytes(0));
  EXPECT_EQ(writer->file_size_bytes(), size_before) << "overwrites in place: no growth";
}

TEST(WalRecycle, NewEpochRecordsClaimNothingSyncedUntilASync) {
  faultfs::SimFs fs;
  make_log_dir(fs);
  auto writer = write_first_epoch(fs);
  ASSERT_TRUE(writer->recycle(kCheckpoint).is_ok());
  const uint64_t r11 = append_record(*writer, filler_record(11));
  ASSERT_TRUE(writer->sync().is_ok());
  const uint64_t r12 = append_record(*writer, filler_record(12));
  const std::string bytes = sim_bytes(fs, kLogPath);
  EXPECT_EQ(header_at(bytes, kFirstRecordOffset).synced_sequence, 0u);
  EXPECT_EQ(header_at(bytes, r11).synced_sequence, 0u) << "the old epoch's 9 means nothing here";
  EXPECT_EQ(header_at(bytes, r12).synced_sequence, 11u);
}

TEST(WalRecycle, LostHeaderWriteReadsAsTheOldLog) {
  // The crash kept the new epoch's records at 512.. but not the header
  // rewrite: the old header (epoch 1) is followed by epoch-2 bytes.
  faultfs::SimFs fs;
  make_log_dir(fs);
  auto writer = write_first_epoch(fs);
  const std::string old_header = sim_bytes(fs, kLogPath).substr(0, kFileHeaderBytes);
  ASSERT_TRUE(writer->recycle(kCheckpoint).is_ok());
  append_record(*writer, filler_record(11, 8));
  ASSERT_TRUE(writer->close().is_ok());
  std::string bytes = sim_bytes(fs, kLogPath);
  bytes.replace(0, kFileHeaderBytes, old_header);
  ASSERT_TRUE(set_sim_bytes(fs, kLogPath, bytes).is_ok());

  const ReadResult read = read_all(fs, TailMode::kStrict, kCheckpoint);
  ASSERT_TRUE(read.status.is_ok()) << read.status.to_string();
  EXPECT_EQ(read.summary.epoch, 1u);
  EXPECT_TRUE(read.records.empty()) << "the checkpoint at 10 covers the old log";
  EXPECT_EQ(read.summary.end_offset, kFirstRecordOffset);
  EXPECT_TRUE(read.summary.must_truncate)
      << "newer-epoch bytes must not survive a reuse of epoch 2";
}

TEST(WalRecycle, LostHeaderWriteIsCorruptionWithoutTheCheckpointSequence) {
  // Why min_relevant_sequence matters: the old epoch's synced records 3..10
  // lie past the new bytes and would prove the overwritten record 1 lost.
  faultfs::SimFs fs;
  make_log_dir(fs);
  auto writer = write_first_epoch(fs);
  const std::string old_header = sim_bytes(fs, kLogPath).substr(0, kFileHeaderBytes);
  ASSERT_TRUE(writer->recycle(kCheckpoint).is_ok());
  ASSERT_TRUE(writer->close().is_ok());
  std::string bytes = sim_bytes(fs, kLogPath);
  bytes.replace(0, kFileHeaderBytes, old_header);
  ASSERT_TRUE(set_sim_bytes(fs, kLogPath, bytes).is_ok());
  const ReadResult read = read_all(fs, TailMode::kStrict, /*min_relevant_sequence=*/0);
  ASSERT_FALSE(read.status.is_ok());
  EXPECT_EQ(read.status.code(), faultfs::ErrorCode::kCorruption);
}

TEST(WalRecycle, LostCheckpointRecordReadsAsAnEmptyNewEpoch) {
  // The header rewrite and record 11 landed; the checkpoint record did not,
  // so offset 512 still holds the old epoch's record 1.
  faultfs::SimFs fs;
  make_log_dir(fs);
  auto writer = write_first_epoch(fs);
  const std::string old_bytes = sim_bytes(fs, kLogPath);
  ASSERT_TRUE(writer->recycle(kCheckpoint).is_ok());
  append_record(*writer, filler_record(11, 8));
  ASSERT_TRUE(writer->close().is_ok());
  std::string bytes = sim_bytes(fs, kLogPath);
  bytes.replace(kFirstRecordOffset, frame_bytes(0),
                old_bytes.substr(kFirstRecordOffset, frame_bytes(0)));
  ASSERT_TRUE(set_sim_bytes(fs, kLogPath, bytes).is_ok());
  const ReadResult read = read_all(fs, TailMode::kStrict, kCheckpoint);
  ASSERT_TRUE(read.status.is_ok()) << read.status.to_string();
  EXPECT_EQ(read.summary.epoch, 2u);
  EXPECT_TRUE(read.records.empty());
  EXPECT_TRUE(read.summary.must_truncate) << "record 11 of epoch 2 lies past the end";
}

TEST(WalRecycle, CheckpointBelowTheLastRecordIsRejected) {
  faultfs::SimFs sim;
  make_log_dir(sim);
  dbx::testing::WriteLogFs fs(sim);
  auto writer = write_first_epoch(fs);
  fs.clear_writes();
  const faultfs::Status s = writer->recycle(kCheckpoint - 1);
  ASSERT_FALSE(s.is_ok());
  EXPECT_EQ(s.code(), faultfs::ErrorCode::kInvalidArgument);
  EXPECT_TRUE(fs.writes().empty());
  EXPECT_EQ(writer->epoch(), 1u);
}

TEST(WalRecycle, RepeatedRecyclesKeepOnlyTheNewestEpoch) {
  faultfs::SimFs fs;
  make_log_dir(fs);
  auto writer = create_writer(fs);
  uint64_t seq = 0;
  for (int round = 0; round < 5; ++round) {
    for (int i = 0; i < 20 - 3 * round; ++i) append_record(*writer, filler_record(++seq, 50));
    ASSERT_TRUE(writer->sync().is_ok());
    ASSERT_TRUE(writer->recycle(seq).is_ok());
    ASSERT_TRUE(writer->sync().is_ok());
  }
  append_record(*writer, filler_record(++seq));
  ASSERT_TRUE(writer->close().is_ok());
  const ReadResult read = read_all(fs, TailMode::kStrict, seq - 1);
  ASSERT_TRUE(read.status.is_ok()) << read.status.to_string();
  EXPECT_EQ(read.summary.epoch, 6u);
  EXPECT_EQ(sequences(read.records), (std::vector<uint64_t>{seq - 1, seq}));
}

TEST(WalRecycle, CorruptionInTheNewEpochIsStillDetected) {
  faultfs::SimFs fs;
  make_log_dir(fs);
  auto writer = write_first_epoch(fs);
  ASSERT_TRUE(writer->recycle(kCheckpoint).is_ok());
  const uint64_t r11 = append_record(*writer, filler_record(11));
  ASSERT_TRUE(writer->sync().is_ok());
  append_record(*writer, filler_record(12));
  ASSERT_TRUE(writer->close().is_ok());
  std::string bytes = sim_bytes(fs, kLogPath);
  bytes[r11 + kRecordHeaderBytes + 1] ^= 0x40;
  ASSERT_TRUE(set_sim_bytes(fs, kLogPath, bytes).is_ok());
  const ReadResult read = read_all(fs, TailMode::kStrict, kCheckpoint);
  ASSERT_FALSE(read.status.is_ok());
  EXPECT_EQ(read.status.code(), faultfs::ErrorCode::kCorruption);
  EXPECT_NE(read.status.message().find("offset " + std::to_string(r11)), std::string::npos);
}

TEST(WalRecycle, EpochExhaustionIsAnError) {
  faultfs::SimFs fs;
  make_log_dir(fs);
  auto writer = WalWriter::create(fs, kLogPath, UINT32_MAX);
  ASSERT_TRUE(writer.is_ok());
  EXPECT_EQ((*writer)->recycle(0).code(), faultfs::ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace dbx::wal::testing
