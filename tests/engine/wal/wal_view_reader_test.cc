// read_log_views, the allocation-free reader recovery uses (read_log is a thin
// wrapper over it): on clean, torn and corrupt logs, in every mode, what it
// visits agrees with its summary and with what was written, and it reads each
// byte of the file once.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <random>
#include <vector>

#include "support/read_size_fs.h"
#include "wal_test_util.h"

namespace dbx::wal::testing {
namespace {

Record batch_record(uint64_t sequence) {
  Record r;
  r.kind = RecordKind::kBatch;
  r.sequence = sequence;
  r.mutations.push_back(Mutation{false, "users", "alice", std::string(300, 'a')});
  r.mutations.push_back(Mutation{true, "users", "bob", ""});
  r.mutations.push_back(Mutation{false, "orders", "o1", "x"});
  return r;
}

// Records 1..6 of every kind, with a sync after record 3 (records 4..6 carry
// synced_sequence 3, so they prove records 1..3 synced).
Log write_mixed_log() {
  faultfs::SimFs fs;
  auto writer = create_writer(fs);
  Log log;
  log.records = {insert_record(1, "t", "k1", "v1"),
                 batch_record(2),
                 delete_record(3, "t", "k1"),
                 filler_record(4, 200),
                 batch_record(5),
                 insert_record(6, "t", "", "")};
  for (const Record& r : log.records) {
    log.offsets.push_back(append_record(*writer, r));
    if (r.sequence == 3) {
      EXPECT_TRUE(writer->sync().is_ok());
    }
  }
  EXPECT_TRUE(writer->close().is_ok());
  log.bytes = sim_bytes(fs, kLogPath);
  return log;
}

// What any read must satisfy, whatever the damage: records in strictly
// increasing sequence, as many as the summary counts, ending where the summary
// says, inside the file and on the frame alignment.
void expect_consistent(const ReadResult& read, uint64_t file_bytes) {
  if (!read.status.is_ok()) return;
  const WalReadSummary& summary = read.summary;
  EXPECT_EQ(summary.records_read, read.records.size());
  EXPECT_LE(summary.end_offset, std::max<uint64_t>(file_bytes, kFirstRecordOffset));
  EXPECT_EQ(summary.end_offset % kRecordAlignment, 0u);
  for (size_t i = 1; i < read.records.size(); ++i) {
    EXPECT_LT(read.records[i - 1].sequence, read.records[i].sequence);
  }
  if (!read.records.empty()) {
    EXPECT_EQ(summary.last_sequence, read.records.back().sequence);
  }
}

// Reads `bytes` in every mode, with checkpoints below, inside and above the
// log, and checks each read for consistency. Returns the strict read without
// a checkpoint, for the caller's own expectations.
ReadResult read_every_way(const std::string& bytes) {
  faultfs::SimFs fs;
  const faultfs::Status installed = set_sim_bytes(fs, kLogPath, bytes);
  EXPECT_TRUE(installed.is_ok()) << installed.to_string();
  ReadResult strict;
  for (const TailMode mode : kAllModes) {
    for (const uint64_t min_relevant : {uint64_t{0}, uint64_t{3}, uint64_t{6}}) {
      SCOPED_TRACE(std::string(tail_mode_name(mode)) + ", min_relevant_sequence " +
                   std::to_string(min_relevant));
      const ReadResult views = read_all_views(fs, mode, min_relevant);
      expect_consistent(views, bytes.size());
      if (mode == TailMode::kStrict && min_relevant == 0) strict = views;
    }
  }
  return strict;
}

TEST(WalViewReader, CleanLogOfEveryKindReadsConsistently) {
  const Log log = write_mixed_log();
  const ReadResult read = read_every_way(log.bytes);
  ASSERT_TRUE(read.status.is_ok()) << read.status.to_string();
  EXPECT_EQ(read.records, log.records);
  EXPECT_EQ(read.summary.end_offset, log.bytes.size());
  EXPECT_FALSE(read.summary.must_truncate);
}

TEST(WalViewReader, TornTailAtEveryByteOfTheLastRecordReadsConsistently) {
  const Log log = write_mixed_log();
  for (uint64_t cut = log.offsets.back(); cut < log.bytes.size(); ++cut) {
    SCOPED_TRACE("cut " + std::to_string(cut));
    const ReadResult read = read_every_way(log.bytes.substr(0, cut));
    ASSERT_TRUE(read.status.is_ok());
    EXPECT_EQ(read.records.size(), log.records.size() - 1);
  }
}

TEST(WalViewReader, GarbageTailReadsConsistently) {
  Log log = write_mixed_log();
  std::mt19937_64 rng(6);
  for (uint64_t b = log.offsets[4]; b < log.bytes.size(); ++b)
    log.bytes[b] = static_cast<char>(rng());
  const ReadResult read = read_every_way(log.bytes);
  ASSERT_TRUE(read.status.is_ok());
  EXPECT_EQ(read.records.size(), 4u);
  EXPECT_GT(read.summary.torn_bytes, 0u);
}

TEST(WalViewReader, FlippedBitInEverySyncedRecordReadsConsistently) {
  const Log log = write_mixed_log();
  for (size_t victim = 0; victim < 3; ++victim) {
    for (const uint64_t at :
         {log.offsets[victim] + kSequenceOffset, log.offsets[victim] + kRecordHeaderBytes + 1}) {
      SCOPED_TRACE("record " + std::to_string(victim + 1) + " byte " + std::to_string(at));
      std::string bytes = log.bytes;
      bytes[at] ^= 0x04;
      const ReadResult read = read_every_way(bytes);
      ASSERT_FALSE(read.status.is_ok());
      EXPECT_EQ(read.status.code(), faultfs::ErrorCode::kCorruption);
      EXPECT_EQ(read.records.size(), victim) << "the records before the bad one were visited";
    }
  }
}

TEST(WalViewReader, UndecodablePayloadWithValidCrcReadsConsistently) {
  Log log = write_mixed_log();
  // Record 2 (a batch) re-framed with a payload whose crc holds but whose
  // count claims more mutations than it has.
  const RecordHeader original = header_at(log.bytes, log.offsets[1]);
  std::string payload = encode_payload(log.records[1]);
  payload[0] = 9;
  const std::string frame = craft_frame(1, original.sequence, original.synced_sequence, payload,
                                        static_cast<uint8_t>(RecordKind::kBatch));
  log.bytes.replace(log.offsets[1], frame.size(), frame);
  const ReadResult read = read_every_way(log.bytes);
  ASSERT_FALSE(read.status.is_ok());
  EXPECT_NE(read.status.message().find("payload does not decode"), std::string::npos)
      << read.status.message();
}

TEST(WalViewReader, LostSectorAndStaleRemnantReadConsistently) {
  const Log log = write_mixed_log();
  std::string zeroed = log.bytes;
  std::fill(zeroed.begin() + log.offsets[1], zeroed.begin() + log.offsets[2], '\0');
  EXPECT_FALSE(read_every_way(zeroed).status.is_ok());
  // A copy of record 2 after the end: same epoch, sequence does not increase.
  const std::string stale =
      log.bytes + log.bytes.substr(log.offsets[1], log.offsets[2] - log.offsets[1]);
  const ReadResult read = read_every_way(stale);
  ASSERT_TRUE(read.status.is_ok());
  EXPECT_TRUE(read.summary.must_truncate);
}

TEST(WalViewReader, DamagedFileHeaderReadsConsistently) {
  const Log log = write_mixed_log();
  std::string bytes = log.bytes;
  bytes[0] ^= 0x01;
  const ReadResult read = read_every_way(bytes);
  ASSERT_FALSE(read.status.is_ok());
  EXPECT_EQ(read.status.code(), faultfs::ErrorCode::kCorruption);
  read_every_way(log.bytes.substr(0, 100));
  read_every_way(std::string());
}

TEST(WalViewReader, VisitorErrorAbortsTheViewReadAndIsReturnedAsIs) {
  const Log log = write_mixed_log();
  faultfs::SimFs fs;
  ASSERT_TRUE(set_sim_bytes(fs, kLogPath, log.bytes).is_ok());
  int visited = 0;
  auto summary = read_log_views(fs, kLogPath, TailMode::kStrict, 0, [&](const RecordView& r) {
    ++visited;
    if (r.sequence == 3) return faultfs::Status(faultfs::ErrorCode::kNoSpace, "visitor full");
    return faultfs::Status::ok();
  });
  ASSERT_FALSE(summary.is_ok());
  EXPECT_EQ(summary.status().code(), faultfs::ErrorCode::kNoSpace);
  EXPECT_EQ(summary.status().message(), "visitor full");
  EXPECT_EQ(visited, 3);
}

TEST(WalViewReader, EmptyVisitorStillReadsAndSummarizes) {
  const Log log = write_mixed_log();
  faultfs::SimFs fs;
  ASSERT_TRUE(set_sim_bytes(fs, kLogPath, log.bytes).is_ok());
  auto summary = read_log_views(fs, kLogPath, TailMode::kStrict, 0, RecordViewVisitor());
  ASSERT_TRUE(summary.is_ok());
  EXPECT_EQ(summary->records_read, log.records.size());
  EXPECT_EQ(summary->end_offset, log.bytes.size());
}

// A log of several chunks whose records straddle the chunk boundaries, and
// one record larger than a chunk.
Log write_multi_chunk_log() {
  faultfs::SimFs fs;
  auto writer = create_writer(fs);
  Log log;
  std::mt19937_64 rng(7);
  uint64_t seq = 1;
  while (sim_bytes(fs, kLogPath).size() < 3 * LogWindow::kChunkBytes) {
    const size_t value_bytes = seq == 500 ? LogWindow::kChunkBytes + 1000 : rng() % 5000;
    log.records.push_back(filler_record(seq++, value_bytes));
    log.offsets.push_back(append_record(*writer, log.records.back()));
  }
  EXPECT_TRUE(writer->close().is_ok());
  log.bytes = sim_bytes(fs, kLogPath);
  return log;
}

TEST(WalViewReader, RecordsStraddlingChunkBoundariesAreReadWholeAndEachByteOnce) {
  const Log log = write_multi_chunk_log();
  ASSERT_GT(log.records.size(), 500u);
  faultfs::SimFs fs;
  ASSERT_TRUE(set_sim_bytes(fs, kLogPath, log.bytes).is_ok());
  dbx::testing::ReadSizeFs measured(fs);
  const ReadResult read = read_all_views(measured);
  ASSERT_TRUE(read.status.is_ok()) << read.status.to_string();
  EXPECT_EQ(read.records, log.records);
  // The log ends exactly at the file end, so no look-ahead runs: a walk that
  // keeps the bytes it has when a record straddles the window's end copies
  // each byte of the file at most once. (Padding that lies past a window's
  // end is skipped, never read, so the total may fall short of the size.)
  uint64_t needed_bytes = 0;
  for (const Record& r : log.records) needed_bytes += kRecordHeaderBytes + encode_payload(r).size();
  EXPECT_LE(measured.sizes().returned_bytes_total.load(), log.bytes.size());
  EXPECT_GE(measured.sizes().returned_bytes_total.load(), needed_bytes);
  EXPECT_LE(measured.sizes().request_bytes_max.load(), LogWindow::kChunkBytes + 2000);
}

TEST(WalViewReader, TornMultiChunkLogReadsConsistently) {
  const Log log = write_multi_chunk_log();
  const size_t victim = log.records.size() / 2;
  std::string bytes = log.bytes.substr(0, log.offsets[victim] + kRecordHeaderBytes + 3);
  const ReadResult read = read_every_way(bytes);
  ASSERT_TRUE(read.status.is_ok());
  EXPECT_EQ(read.records.size(), victim);
}

enum class Damage { kNone, kCut, kFlip, kZeroRange, kGarbageRange };

RC_GTEST_PROP(WalViewReaderProperty, AnyDamagedLogYieldsOnlyWrittenRecordsInOrder, ()) {
  const auto value_sizes = *rc::gen::resize(
      20, rc::gen::container<std::vector<size_t>>(rc::gen::inRange<size_t>(0, 600)));
  const auto syncs =
      *rc::gen::container<std::vector<bool>>(value_sizes.size(), rc::gen::arbitrary<bool>());
  faultfs::SimFs written_fs;
  auto writer = create_writer(written_fs);
  std::vector<Record> written;
  for (size_t i = 0; i < value_sizes.size(); ++i) {
    const uint64_t seq = i + 1;
    written.push_back(i % 3 == 2 ? batch_record(seq) : filler_record(seq, value_sizes[i]));
    append_record(*writer, written.back());
    if (syncs[i]) RC_ASSERT(writer->sync().is_ok());
  }
  RC_ASSERT(writer->close().is_ok());
  std::string bytes = sim_bytes(written_fs, kLogPath);
  const Damage damage = *rc::gen::element(Damage::kNone, Damage::kCut, Damage::kFlip,
                                          Damage::kZeroRange, Damage::kGarbageRange);
  const uint64_t at = *rc::gen::inRange<uint64_t>(0, bytes.size());
  const uint64_t length = *rc::gen::inRange<uint64_t>(1, 200);
  const uint64_t end = std::min<uint64_t>(bytes.size(), at + length);
  switch (damage) {
    case Damage::kNone:
      break;
    case Damage::kCut:
      bytes.resize(at);
      break;
    case Damage::kFlip:
      bytes[at] ^= static_cast<char>(1u << *rc::gen::inRange(0, 8));
      break;
    case Damage::kZeroRange:
      std::fill(bytes.begin() + at, bytes.begin() + end, '\0');
      break;
    case Damage::kGarbageRange:
      for (uint64_t b = at; b < end; ++b)
        bytes[b] = static_cast<char>(*rc::gen::arbitrary<uint8_t>());
      break;
  }
  faultfs::SimFs fs;
  RC_ASSERT(set_sim_bytes(fs, kLogPath, bytes).is_ok());
  for (const TailMode mode : kAllModes) {
    const uint64_t min_relevant = *rc::gen::inRange<uint64_t>(0, value_sizes.size() + 2);
    const ReadResult views = read_all_views(fs, mode, min_relevant);
    if (!views.status.is_ok()) continue;  // Proven corruption, in strict mode.
    RC_ASSERT(views.summary.records_read == views.records.size());
    RC_ASSERT(views.summary.end_offset <= std::max<uint64_t>(bytes.size(), kFirstRecordOffset));
    // Only records that were written, in order; a prefix of them unless
    // kSkipCorrupted skipped a bad one.
    size_t next = 0;
    for (const Record& record : views.records) {
      while (next < written.size() && written[next].sequence != record.sequence) {
        RC_ASSERT(mode == TailMode::kSkipCorrupted);
        ++next;
      }
      RC_ASSERT(next < written.size());
      RC_ASSERT(record == written[next]);
      ++next;
    }
  }
}

}  // namespace
}  // namespace dbx::wal::testing
