// replay_log: the delta after a replay must be what put() and remove() of the
// log's records above the checkpoint, in log order, would leave, whether the
// log is read on a second thread or not; a failed read must fail the replay
// (and never hang it); a guess of the keys to come that was too high must be
// given back.
#include "log_replay.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "delta.h"
#include "delta_dump.h"
#include "wal_test_util.h"

namespace dbx {
namespace {

using dbx::testing::set_sim_bytes;
using dbx::testing::sim_bytes;
using wal::Mutation;
using wal::Record;
using wal::RecordKind;
using wal::TailMode;
using wal::testing::kLogPath;

constexpr uint64_t kAlwaysPipelined = 0;
constexpr uint64_t kNeverPipelined = UINT64_MAX;

LogReplayOptions replay_options(uint64_t pipelined_min_bytes) {
  LogReplayOptions options;
  options.pipelined_min_bytes = pipelined_min_bytes;
  return options;
}

using testing::dump;

// Seeded records of every kind the engine writes: inserts, deletes, batches
// over several tables, with overwrites and keys both short and long.
std::vector<Record> random_records(uint64_t count, uint32_t seed) {
  std::mt19937 rng(seed);
  auto mutation = [&](bool is_delete) {
    Mutation m;
    m.is_delete = is_delete;
    m.table = std::string(1, static_cast<char>('a' + rng() % 3));
    m.key = (rng() % 4 == 0 ? std::string(24, 'L') : std::string()) + std::to_string(rng() % 5000);
    if (!is_delete) m.value = std::string(rng() % 300, static_cast<char>('a' + rng() % 26));
    return m;
  };
  std::vector<Record> records;
  for (uint64_t sequence = 1; sequence <= count; ++sequence) {
    Record r;
    r.sequence = sequence;
    const uint32_t pick = rng() % 10;
    if (pick < 6) {
      r.kind = RecordKind::kInsert;
      r.mutations.push_back(mutation(false));
    } else if (pick < 8) {
      r.kind = RecordKind::kDelete;
      r.mutations.push_back(mutation(true));
    } else {
      r.kind = RecordKind::kBatch;
      for (uint32_t i = 0, n = 1 + rng() % 5; i < n; ++i)
        r.mutations.push_back(mutation(rng() % 3 == 0));
    }
    records.push_back(std::move(r));
  }
  return records;
}

void write_log(faultfs::SimFs& fs, const std::vector<Record>& records) {
  auto writer = wal::testing::create_writer(fs);
  ASSERT_NE(writer, nullptr);
  for (const Record& r : records) wal::testing::append_record(*writer, r);
  ASSERT_TRUE(writer->close().is_ok());
}

Delta model_of(const std::vector<Record>& records, uint64_t checkpoint) {
  Delta model;
  for (const Record& r : records) {
    if (r.sequence <= checkpoint) continue;
    for (const Mutation& m : r.mutations) {
      if (m.is_delete) {
        model.remove(m.table, m.key);
      } else {
        model.put(m.table, m.key, m.value);
      }
    }
  }
  return model;
}

class LogReplayBothWays : public ::testing::TestWithParam<uint64_t> {};

TEST_P(LogReplayBothWays, DeltaEqualsTheRecordsAboveTheCheckpointInOrder) {
  // Enough records for dozens of batches (each holds at most one arena chunk
  // of values), so that several are in flight at once when pipelined.
  const std::vector<Record> records = random_records(60'000, 7);
  faultfs::SimFs fs;
  write_log(fs, records);
  const uint64_t checkpoint = 20'000;

  Delta delta;
  auto replay =
      replay_log(fs, kLogPath, TailMode::kStrict, checkpoint, &delta, replay_options(GetParam()));
  ASSERT_TRUE(replay.is_ok()) << replay.status().to_string();

  const Delta model = model_of(records, checkpoint);
  EXPECT_EQ(dump(delta), dump(model));
  EXPECT_EQ(delta.entries(), model.entries());
  EXPECT_EQ(delta.bytes(), model.bytes());
  EXPECT_EQ(replay->pipelined, GetParam() == kAlwaysPipelined);
  EXPECT_EQ(replay->records_replayed, 40'000u);
  EXPECT_EQ(replay->records_skipped, 20'000u);
  EXPECT_EQ(replay->last_replayed_sequence, 60'000u);
  EXPECT_EQ(replay->summary.records_read, 60'000u);
}

TEST_P(LogReplayBothWays, ProvenCorruptionFailsTheReplay) {
  std::vector<Record> records = random_records(30'000, 11);
  faultfs::SimFs fs;
  {
    auto writer = wal::testing::create_writer(fs);
    ASSERT_NE(writer, nullptr);
    for (const Record& r : records) {
      wal::testing::append_record(*writer, r);
      // Later records then carry a synced_sequence that proves earlier ones.
      if (r.sequence == 25'000) {
        ASSERT_TRUE(writer->sync().is_ok());
      }
    }
    ASSERT_TRUE(writer->close().is_ok());
  }
  std::string bytes = sim_bytes(fs, kLogPath);
  bytes[bytes.size() / 2] ^= 0x5A;  // A payload or header byte near record 15,000.
  ASSERT_TRUE(set_sim_bytes(fs, kLogPath, bytes).is_ok());

  Delta delta;
  auto replay = replay_log(fs, kLogPath, TailMode::kStrict, 0, &delta, replay_options(GetParam()));
  ASSERT_FALSE(replay.is_ok());
  EXPECT_EQ(replay.status().code(), faultfs::ErrorCode::kCorruption) << replay.status().to_string();

  // Tolerating it instead: the records before the bad one, exactly.
  Delta prefix;
  auto tolerated =
      replay_log(fs, kLogPath, TailMode::kTolerateTail, 0, &prefix, replay_options(GetParam()));
  ASSERT_TRUE(tolerated.is_ok()) << tolerated.status().to_string();
  const uint64_t last = tolerated->last_replayed_sequence;
  EXPECT_GT(last, 10'000u);
  EXPECT_LT(last, 20'000u);
  records.resize(last);
  EXPECT_EQ(dump(prefix), dump(model_of(records, 0)));
}

TEST_P(LogReplayBothWays, AnAbsentLogReplaysNothing) {
  faultfs::SimFs fs;
  Delta delta;
  auto replay = replay_log(fs, kLogPath, TailMode::kStrict, 0, &delta, replay_options(GetParam()));
  ASSERT_TRUE(replay.is_ok()) << replay.status().to_string();
  EXPECT_TRUE(delta.empty());
  EXPECT_EQ(replay->records_replayed, 0u);
  EXPECT_EQ(replay->summary.epoch, 0u);
}

TEST(LogReplay, BatchesQueuedBehindASlowApplierAreAppliedInLogOrder) {
  const std::vector<Record> records = random_records(120'000, 3);
  faultfs::SimFs fs;
  write_log(fs, records);
  LogReplayOptions options = replay_options(kAlwaysPipelined);
  int batches = 0;
  options.before_each_apply = [&batches] {
    // Held at the first batch, the reader fills the queue (even in a Debug
    // build, where it reads a batch in tens of milliseconds).
    if (batches++ == 0) std::this_thread::sleep_for(std::chrono::milliseconds(500));
  };

  Delta delta;
  auto replay = replay_log(fs, kLogPath, TailMode::kStrict, 0, &delta, options);
  ASSERT_TRUE(replay.is_ok()) << replay.status().to_string();
  EXPECT_TRUE(replay->pipelined);
  EXPECT_GT(batches, static_cast<int>(2 * kBatchesInFlightMax));
  EXPECT_EQ(dump(delta), dump(model_of(records, 0)));
}

INSTANTIATE_TEST_SUITE_P(PipelinedOrNot, LogReplayBothWays,
                         ::testing::Values(kAlwaysPipelined, kNeverPipelined),
                         [](const auto& param_info) {
                           return param_info.param == kAlwaysPipelined ? "Pipelined" : "OneThread";
                         });

// `count` inserts of distinct keys into table "t", then `zero_bytes` of
// zeros: a log whose file is mostly space past its end.
void write_inserts_then_zeros(faultfs::SimFs& fs, uint64_t count, size_t zero_bytes,
                              size_t value_bytes = 100) {
  std::vector<Record> records;
  for (uint64_t sequence = 1; sequence <= count; ++sequence) {
    records.push_back(wal::testing::insert_record(sequence, "t", "key" + std::to_string(sequence),
                                                  std::string(value_bytes, 'v')));
  }
  write_log(fs, records);
  ASSERT_TRUE(
      set_sim_bytes(fs, kLogPath, sim_bytes(fs, kLogPath) + std::string(zero_bytes, '\0')).is_ok());
}

TEST(LogReplay, RoomReservedForKeysThatNeverCameIsGivenBack) {
  // A few thousand records, then 32 MiB of zeros (preallocated space, or a
  // recycled log's tail): read in, the first batches predict ~100x the keys.
  faultfs::SimFs fs;
  write_inserts_then_zeros(fs, 3'000, 32u << 20);

  Delta delta;
  auto replay =
      replay_log(fs, kLogPath, TailMode::kStrict, 0, &delta, replay_options(kAlwaysPipelined));
  ASSERT_TRUE(replay.is_ok()) << replay.status().to_string();
  EXPECT_EQ(delta.entries_in("t"), 3'000u);
  // 3,000 keys fit in 4,095 slots at the table's 7/8 load; the guess was
  // ~200,000 keys.
  EXPECT_LE(delta.slots_in("t"), 4 * 4'096u);
  EXPECT_GE(delta.slots_in("t"), 3'000u);
}

TEST(LogReplay, AWrongGuessReservesAtMostAMillionKeysAhead) {
  // 60,000 small records (a few batches), then 256 MiB of zeros: from the
  // bytes left, the first batch alone guesses over four million keys.
  faultfs::SimFs fs;
  write_inserts_then_zeros(fs, 60'000, 256u << 20, 10);

  Delta delta;
  LogReplayOptions options = replay_options(kAlwaysPipelined);
  size_t batches = 0;
  size_t slots_max = 0;
  options.before_each_apply = [&] {
    ++batches;
    slots_max = std::max(slots_max, delta.slots_in("t"));
  };
  auto replay = replay_log(fs, kLogPath, TailMode::kStrict, 0, &delta, options);
  ASSERT_TRUE(replay.is_ok()) << replay.status().to_string();
  EXPECT_EQ(delta.entries_in("t"), 60'000u);
  ASSERT_GE(batches, 3u);
  // Room for a million keys (and the first batch's): 2^21 - 1 slots at the
  // table's 7/8 load; four million would take 2^23 - 1.
  EXPECT_LE(slots_max, 2 * kReplayReserveKeysOnGuessMax);
  EXPECT_GE(slots_max, kReplayReserveKeysOnGuessMax) << "the replay reserved nothing ahead";
  EXPECT_LE(delta.slots_in("t"), 4 * 65'536u) << "given back at the end";
}

}  // namespace
}  // namespace dbx
