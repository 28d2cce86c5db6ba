// A crash's torn tail is dropped (and reported), never mistaken for data and
// never reported as corruption.
#include <random>

#include "wal_test_util.h"

namespace dbx::wal::testing {
namespace {

// Records 1..count, no sync between them (synced_sequence 0 everywhere).
Log write_log(uint64_t count, size_t value_bytes = 40) {
  faultfs::SimFs fs;
  auto writer = create_writer(fs);
  Log log;
  for (uint64_t seq = 1; seq <= count; ++seq) {
    log.records.push_back(filler_record(seq, value_bytes + seq));
    log.offsets.push_back(append_record(*writer, log.records.back()));
  }
  EXPECT_TRUE(writer->close().is_ok());
  log.bytes = sim_bytes(fs, kLogPath);
  return log;
}

std::vector<Record> prefix(const Log& log, size_t n) {
  return std::vector<Record>(log.records.begin(), log.records.begin() + n);
}

TEST(WalTornTail, TornTailAtEveryByteOfTheLastRecordIsDropped) {
  const Log log = write_log(4);
  const uint64_t last_start = log.offsets.back();
  for (const TailMode mode : kAllModes) {
    for (uint64_t cut = last_start; cut < log.bytes.size(); ++cut) {
      faultfs::SimFs fs;
      ASSERT_TRUE(set_sim_bytes(fs, kLogPath, log.bytes.substr(0, cut)).is_ok());
      const ReadResult read = read_all(fs, mode);
      ASSERT_TRUE(read.status.is_ok()) << "cut " << cut << ": " << read.status.to_string();
      EXPECT_EQ(read.records, prefix(log, 3)) << "cut " << cut;
      EXPECT_EQ(read.summary.end_offset, last_start);
      // A few leading bytes that happen to be zero are not even a torn header.
      const std::string_view left(log.bytes.data() + last_start, cut - last_start);
      const bool dropped = !left.empty() && !(left.size() < kRecordHeaderBytes && all_zero(left));
      EXPECT_EQ(read.summary.must_truncate, dropped) << "cut " << cut;
      EXPECT_EQ(read.summary.torn_bytes, dropped ? cut - last_start : 0) << "cut " << cut;
      EXPECT_EQ(read.summary.corrupt_records_skipped, 0u);
    }
  }
}

TEST(WalTornTail, TornTailAtEveryByteOfAMultiSectorRecordIsDropped) {
  const Log log = write_log(2, 1500);
  const uint64_t last_start = log.offsets.back();
  for (uint64_t cut = last_start + 1; cut < log.bytes.size(); ++cut) {
    faultfs::SimFs fs;
    ASSERT_TRUE(set_sim_bytes(fs, kLogPath, log.bytes.substr(0, cut)).is_ok());
    const ReadResult read = read_all(fs);
    ASSERT_TRUE(read.status.is_ok()) << "cut " << cut;
    ASSERT_EQ(read.records, prefix(log, 1)) << "cut " << cut;
    EXPECT_TRUE(read.summary.must_truncate);
  }
}

TEST(WalTornTail, RandomGarbageReplacingTheLastRecordIsATornTail) {
  const Log log = write_log(5);
  std::mt19937_64 rng(20240611);
  for (int trial = 0; trial < 50; ++trial) {
    std::string bytes = log.bytes;
    for (uint64_t i = log.offsets.back(); i < bytes.size(); ++i) {
      bytes[i] = static_cast<char>(rng());
    }
    faultfs::SimFs fs;
    ASSERT_TRUE(set_sim_bytes(fs, kLogPath, bytes).is_ok());
    const ReadResult read = read_all(fs);
    ASSERT_TRUE(read.status.is_ok()) << read.status.to_string();
    EXPECT_EQ(read.records, prefix(log, 4));
    EXPECT_TRUE(read.summary.must_truncate);
    EXPECT_EQ(read.summary.torn_bytes, bytes.size() - log.offsets.back());
  }
}

TEST(WalTornTail, ZerosReplacingTheLastRecordEndTheLogCleanly) {
  const Log log = write_log(5);
  std::string bytes = log.bytes;
  std::fill(bytes.begin() + log.offsets.back(), bytes.end(), '\0');
  faultfs::SimFs fs;
  ASSERT_TRUE(set_sim_bytes(fs, kLogPath, bytes).is_ok());
  const ReadResult read = read_all(fs);
  ASSERT_TRUE(read.status.is_ok());
  EXPECT_EQ(read.records, prefix(log, 4));
  EXPECT_EQ(read.summary.end_offset, log.offsets.back());
  EXPECT_EQ(read.summary.torn_bytes, 0u) << "zeros were never written: nothing was torn";
  EXPECT_FALSE(read.summary.must_truncate) << "zeros can never pass for a record";
}

TEST(WalTornTail, HalfWrittenSectorOfOldContentIsATornTail) {
  // The last record spans sectors; only its first sector landed and the
  // rest still holds old bytes: here an old copy of the whole log, whose
  // records carry valid headers of the same epoch but stale sequences.
  const Log log = write_log(3, 700);
  const uint64_t last_start = log.offsets.back();
  const uint64_t sector_end = (last_start / 512 + 1) * 512;
  ASSERT_LT(sector_end, log.bytes.size());
  std::string bytes = log.bytes;
  const std::string old = log.bytes.substr(kFirstRecordOffset);
  for (uint64_t i = sector_end; i < bytes.size(); ++i) {
    bytes[i] = old[(i - sector_end) % old.size()];
  }
  faultfs::SimFs fs;
  ASSERT_TRUE(set_sim_bytes(fs, kLogPath, bytes).is_ok());
  const ReadResult read = read_all(fs);
  ASSERT_TRUE(read.status.is_ok()) << read.status.to_string();
  EXPECT_EQ(read.records, prefix(log, 2));
  EXPECT_TRUE(read.summary.must_truncate);
}

TEST(WalTornTail, MissingMiddleRecordNotCoveredBySyncedSequenceIsATornTail) {
  // Records 4..6 were written after the last sync (which covered 1..2), so
  // losing 3 while 4..6 survive is a legal reordering crash.
  faultfs::SimFs fs;
  auto writer = create_writer(fs);
  std::vector<uint64_t> offsets;
  std::vector<Record> records;
  for (uint64_t seq = 1; seq <= 6; ++seq) {
    records.push_back(filler_record(seq));
    offsets.push_back(append_record(*writer, records.back()));
    if (seq == 2) {
      ASSERT_TRUE(writer->sync().is_ok());
    }
  }
  ASSERT_TRUE(writer->close().is_ok());
  const std::string original = sim_bytes(fs, kLogPath);
  EXPECT_EQ(header_at(original, offsets[5]).synced_sequence, 2u);

  for (const char fill : {'\0', '\x5a'}) {
    std::string bytes = original;
    std::fill(bytes.begin() + offsets[2], bytes.begin() + offsets[3], fill);
    ASSERT_TRUE(set_sim_bytes(fs, kLogPath, bytes).is_ok());
    for (const TailMode mode : kAllModes) {
      const ReadResult read = read_all(fs, mode);
      ASSERT_TRUE(read.status.is_ok()) << read.status.to_string();
      EXPECT_EQ(read.records, std::vector<Record>(records.begin(), records.begin() + 2));
      EXPECT_EQ(read.summary.end_offset, offsets[2]);
      EXPECT_TRUE(read.summary.must_truncate)
          << "valid same-epoch records lie past the end: they must go";
      EXPECT_EQ(read.summary.corrupt_records_skipped, 0u);
    }
  }
}

TEST(WalTornTail, StaleSameEpochRemnantAfterTheEndIsIgnoredAndMustTruncate) {
  // The log ends with records 1..3; past them lies a remnant of an earlier
  // run of the same epoch whose sequence (2) does not continue the log.
  const Log log = write_log(3);
  const std::string remnant = craft_frame(1, 2, 0, encode_payload(filler_record(2)));
  faultfs::SimFs fs;
  ASSERT_TRUE(set_sim_bytes(fs, kLogPath, log.bytes + remnant).is_ok());
  const ReadResult read = read_all(fs);
  ASSERT_TRUE(read.status.is_ok()) << read.status.to_string();
  EXPECT_EQ(read.records, log.records);
  EXPECT_EQ(read.summary.end_offset, log.bytes.size());
  EXPECT_TRUE(read.summary.must_truncate);
  EXPECT_EQ(read.summary.torn_bytes, 0u);
}

TEST(WalTornTail, TornFirstRecordLeavesAnEmptyLogOfTheEpoch) {
  const Log log = write_log(1);
  faultfs::SimFs fs;
  ASSERT_TRUE(set_sim_bytes(fs, kLogPath, log.bytes.substr(0, log.bytes.size() - 5)).is_ok());
  const ReadResult read = read_all(fs);
  ASSERT_TRUE(read.status.is_ok());
  EXPECT_EQ(read.summary.epoch, 1u);
  EXPECT_TRUE(read.records.empty());
  EXPECT_EQ(read.summary.end_offset, kFirstRecordOffset);
  EXPECT_TRUE(read.summary.must_truncate);
}

TEST(WalTornTail, BadLastRecordIsTornEvenIfSyncedBecauseNothingProvesIt) {
  faultfs::SimFs fs;
  auto writer = create_writer(fs);
  append_record(*writer, filler_record(1));
  const uint64_t last = append_record(*writer, filler_record(2));
  ASSERT_TRUE(writer->sync().is_ok());
  ASSERT_TRUE(writer->close().is_ok());
  std::string bytes = sim_bytes(fs, kLogPath);
  bytes[last + kRecordHeaderBytes + 2] ^= 0x01;
  ASSERT_TRUE(set_sim_bytes(fs, kLogPath, bytes).is_ok());
  const ReadResult read = read_all(fs);
  ASSERT_TRUE(read.status.is_ok());
  EXPECT_EQ(sequences(read.records), std::vector<uint64_t>{1});
  EXPECT_TRUE(read.summary.must_truncate);
}

}  // namespace
}  // namespace dbx::wal::testing
