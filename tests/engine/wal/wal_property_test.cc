// Properties over random logs and random legal crashes: the reader returns a
// prefix of what was written, never less than what was synced, and never
// reports corruption for damage a crash may legally cause.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "wal_test_util.h"

namespace dbx::wal::testing {
namespace {

struct WrittenLog {
  std::string bytes;
  std::vector<Record> records;
  std::vector<uint64_t> offsets;
  size_t synced_count = 0;  // Records 0..synced_count-1 were covered by a sync.
};

// Writes `value_sizes.size()` records, syncing after record i when sync_after[i].
WrittenLog write_random_log(const std::vector<size_t>& value_sizes,
                            const std::vector<bool>& sync_after) {
  faultfs::SimFs fs;
  auto writer = create_writer(fs);
  WrittenLog log;
  for (size_t i = 0; i < value_sizes.size(); ++i) {
    log.records.push_back(filler_record(i + 1, value_sizes[i]));
    log.offsets.push_back(append_record(*writer, log.records.back()));
    if (i < sync_after.size() && sync_after[i]) {
      RC_ASSERT(writer->sync().is_ok());
      log.synced_count = i + 1;
    }
  }
  RC_ASSERT(writer->close().is_ok());
  log.bytes = sim_bytes(fs, kLogPath);
  return log;
}

// Whether `got` is a prefix of `written` at least `min_length` long.
bool is_prefix(const std::vector<Record>& got, const std::vector<Record>& written,
               size_t min_length) {
  if (got.size() < min_length || got.size() > written.size()) return false;
  return std::equal(got.begin(), got.end(), written.begin());
}

rc::Gen<std::vector<size_t>> value_sizes_gen() {
  return rc::gen::container<std::vector<size_t>>(rc::gen::inRange<size_t>(0, 700));
}

RC_GTEST_PROP(WalProperty, AnyTruncationYieldsThePrefixOfCompleteRecords, ()) {
  const auto sizes = *rc::gen::resize(30, value_sizes_gen());
  const WrittenLog log = write_random_log(sizes, {});
  const uint64_t cut = *rc::gen::inRange<uint64_t>(kFirstRecordOffset, log.bytes.size() + 1);
  faultfs::SimFs fs;
  RC_ASSERT(set_sim_bytes(fs, kLogPath, log.bytes.substr(0, cut)).is_ok());
  const ReadResult read = read_all(fs);
  RC_ASSERT(read.status.is_ok());
  size_t complete = 0;
  while (complete < log.records.size() &&
         log.offsets[complete] + frame_bytes(encode_payload(log.records[complete]).size()) <= cut) {
    ++complete;
  }
  RC_ASSERT(read.records.size() == complete);
  RC_ASSERT(is_prefix(read.records, log.records, complete));
}

enum class Fate { kKept, kZeroed, kGarbage, kTorn };

RC_GTEST_PROP(WalProperty, ReorderedLossOfUnsyncedRecordsIsNeverCorruption, ()) {
  const auto sizes = *rc::gen::resize(30, value_sizes_gen());
  const auto syncs =
      *rc::gen::container<std::vector<bool>>(sizes.size(), rc::gen::arbitrary<bool>());
  const WrittenLog log = write_random_log(sizes, syncs);
  std::string bytes = log.bytes;
  // Every record the last sync did not cover meets its own fate, in any mix.
  for (size_t i = log.synced_count; i < log.records.size(); ++i) {
    const uint64_t begin = log.offsets[i];
    const uint64_t end = i + 1 < log.offsets.size() ? log.offsets[i + 1] : bytes.size();
    const Fate fate = *rc::gen::element(Fate::kKept, Fate::kZeroed, Fate::kGarbage, Fate::kTorn);
    const uint64_t kept_bytes =
        fate == Fate::kTorn ? *rc::gen::inRange<uint64_t>(0, end - begin) : 0;
    for (uint64_t b = begin + kept_bytes; b < end && fate != Fate::kKept; ++b) {
      bytes[b] = fate == Fate::kZeroed ? '\0' : static_cast<char>(*rc::gen::arbitrary<uint8_t>());
    }
  }
  faultfs::SimFs fs;
  RC_ASSERT(set_sim_bytes(fs, kLogPath, bytes).is_ok());
  for (const TailMode mode : {TailMode::kStrict, TailMode::kTolerateTail}) {
    const ReadResult read = read_all(fs, mode);
    RC_ASSERT(read.status.is_ok());
    RC_ASSERT(is_prefix(read.records, log.records, log.synced_count));
    RC_ASSERT(read.summary.corrupt_records_skipped == 0u);
  }
}

RC_GTEST_PROP(WalProperty, FlippedBitInASyncedRecordWithAProvingSuccessorIsDetected, ()) {
  const auto sizes = *rc::gen::resize(20, value_sizes_gen());
  RC_PRE(sizes.size() >= 3);
  std::vector<bool> syncs(sizes.size(), false);
  const size_t synced_through = *rc::gen::inRange<size_t>(0, sizes.size() - 1);
  syncs[synced_through] = true;  // Records after it carry synced_sequence = synced_through + 1.
  const WrittenLog log = write_random_log(sizes, syncs);
  const size_t victim = *rc::gen::inRange<size_t>(0, synced_through + 1);
  const uint64_t begin = log.offsets[victim];
  const uint64_t length = kRecordHeaderBytes + encode_payload(log.records[victim]).size();
  std::string bytes = log.bytes;
  const uint64_t bit = *rc::gen::inRange<uint64_t>(0, length * 8);
  bytes[begin + bit / 8] ^= static_cast<char>(1u << (bit % 8));
  faultfs::SimFs fs;
  RC_ASSERT(set_sim_bytes(fs, kLogPath, bytes).is_ok());
  const ReadResult strict = read_all(fs, TailMode::kStrict);
  RC_ASSERT(!strict.status.is_ok());
  RC_ASSERT(strict.status.code() == faultfs::ErrorCode::kCorruption);
  RC_ASSERT(strict.status.message().find("offset " + std::to_string(begin) + ":") !=
            std::string::npos);
  const ReadResult tolerant = read_all(fs, TailMode::kTolerateTail);
  RC_ASSERT(tolerant.status.is_ok());
  RC_ASSERT(is_prefix(tolerant.records, log.records, victim) && tolerant.records.size() == victim);
}

}  // namespace
}  // namespace dbx::wal::testing
