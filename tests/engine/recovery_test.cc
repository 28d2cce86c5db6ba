// Recovery after real process crashes and damaged logs, on the POSIX file system.
#include <fiu-control.h>
#include <fiu.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "dbx/dbx.h"
#include "dbx/lab/kill_points.h"
#include "log_replay.h"
#include "support/crash.h"
#include "support/temp_dir.h"
#include "wos/wos_store.h"

namespace dbx {
namespace {

using testing::run_and_kill;
using testing::TempDir;

std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

std::string key(int i) { return "key-" + std::to_string(i); }
std::string value(int i) { return "value-" + std::to_string(i) + std::string(i % 7, '#'); }

// Where the log's records end in a preallocated WAL: past the last non-zero
// byte, rounded up to the 8-byte frame alignment (payloads here end non-zero).
uint64_t log_end(const std::string& wal) {
  const std::string bytes = read_bytes(wal);
  const size_t last = bytes.find_last_not_of('\0');
  if (last == std::string::npos) return 0;
  return (last + 1 + 7) / 8 * 8;
}

// Writes `n` records (Full: each synced before the next) and returns where the
// log ended after each one: record i spans [ends[i-1], ends[i]).
// Leaves in `path` the files as they were right after the n-th write
// returned (Full), before any close: a crash image. A clean close would add
// a synced sync proof, after which no record can be a torn tail.
std::vector<uint64_t> write_records(const std::string& path, int n) {
  auto db = Database::open_safe(path);
  const std::string wal = path + "/wal.log";
  std::vector<uint64_t> ends{512};  // The file header.
  for (int i = 1; i <= n; ++i) {
    db->insert("t", key(i), value(i));
    ends.push_back(log_end(wal));
  }
  const std::string image = path + ".crash-image";
  std::filesystem::copy(path, image, std::filesystem::copy_options::recursive);
  db->close();
  std::filesystem::remove_all(path);
  std::filesystem::rename(image, path);
  return ends;
}

TEST(Recovery, DeletedKeyStaysDeletedAfterCrashWithoutFlush) {
  TempDir dir;
  run_and_kill([&] {
    auto db = Database::open(dir.db());
    db->insert("t", "doomed", "v");
    db->insert("t", "kept", "v");
    if (!db->remove("t", "doomed")) std::abort();
  });
  auto db = Database::open(dir.db());
  EXPECT_EQ(db->get("t", "doomed"), std::nullopt);
  EXPECT_EQ(db->get("t", "kept"), "v");
  EXPECT_EQ(db->count("t"), 1u);
}

TEST(Recovery, DeletedKeyStaysDeletedAfterCrashWhenTheInsertWasFlushed) {
  TempDir dir;
  run_and_kill([&] {
    auto db = Database::open(dir.db());
    db->insert("t", "doomed", "v");
    db->flush();
    if (!db->remove("t", "doomed")) std::abort();
  });
  {
    auto db = Database::open(dir.db());
    EXPECT_EQ(db->get("t", "doomed"), std::nullopt);
    db->flush();  // The tombstone reaches the WOS.
  }
  auto db = Database::open(dir.db());
  EXPECT_EQ(db->get("t", "doomed"), std::nullopt);
  EXPECT_EQ(db->count("t"), 0u);
}

TEST(Recovery, DeletedKeyStaysDeletedAfterCrashWhenTheDeleteWasFlushed) {
  TempDir dir;
  run_and_kill([&] {
    auto db = Database::open(dir.db());
    db->insert("t", "doomed", "v");
    db->flush();
    if (!db->remove("t", "doomed")) std::abort();
    db->flush();
    db->insert("t", "after", "v");
  });
  auto db = Database::open(dir.db());
  EXPECT_EQ(db->get("t", "doomed"), std::nullopt);
  EXPECT_EQ(db->get("t", "after"), "v");
}

TEST(Recovery, LazyWritesSurviveAProcessCrash) {
  TempDir dir;
  run_and_kill([&] {
    Options options;
    options.sync_interval = std::chrono::hours(1);  // No background sync: the OS holds it all.
    auto db = Database::open(dir.db(), options);
    for (int i = 1; i <= 200; ++i) db->insert("t", key(i), value(i));
  });
  auto db = Database::open(dir.db());
  EXPECT_EQ(db->count("t"), 200u);
  EXPECT_EQ(db->get("t", key(137)), value(137));
  EXPECT_EQ(db->recovery_stats().records_replayed, 200u);
}

TEST(Recovery, ALogLargeEnoughToBeReadOnASecondThreadRecoversEveryWrite) {
  TempDir dir;
  constexpr int kWrites = 100'000;
  run_and_kill([&] {
    Options options;
    options.sync_interval = std::chrono::hours(1);
    options.delta_flush_threshold_bytes = uint64_t{1} << 30;  // All of it stays in the log.
    auto db = Database::open(dir.db(), options);
    const std::string padding(100, 'p');
    for (int i = 1; i <= kWrites; ++i) {
      db->insert(i % 2 == 0 ? "even" : "odd", key(i % 10'000), value(i) + padding);
      if (i % 7 == 0) db->remove("odd", key((i / 7) % 10'000));
    }
  });
  ASSERT_GE(std::filesystem::file_size(dir.db() + "/wal.log"), kPipelinedReplayMinBytes);

  // The same writes applied to a model, in order.
  std::map<std::pair<std::string, std::string>, std::string> model;
  const std::string padding(100, 'p');
  for (int i = 1; i <= kWrites; ++i) {
    model[{i % 2 == 0 ? "even" : "odd", key(i % 10'000)}] = value(i) + padding;
    if (i % 7 == 0) model.erase({"odd", key((i / 7) % 10'000)});
  }
  auto db = Database::open(dir.db());
  EXPECT_EQ(db->recovery_stats().records_replayed, kWrites + kWrites / 7u);
  size_t checked = 0;
  for (const std::string table : {"even", "odd"}) {
    for (const auto& [k, v] : db->scan(table)) {
      const auto it = model.find({table, k});
      ASSERT_NE(it, model.end()) << table << "/" << k;
      EXPECT_EQ(v, it->second) << table << "/" << k;
      ++checked;
    }
  }
  EXPECT_EQ(checked, model.size());
}

TEST(Recovery, AStoreLargeEnoughToBeScannedOnASecondThreadLoadsEveryLiveKey) {
  TempDir dir;
  std::map<std::string, std::string> model;
  {
    auto db = Database::open_fast(dir.db());
    // Three checkpoints of ~30,000 live keys in all: overwrites and deletes
    // leave superseded entries and tombstones among them, ~20 MB of db.
    const std::string padding(600, 'p');
    for (int round = 0; round < 3; ++round) {
      for (int i = round * 10'000; i < 12'000 + round * 10'000; ++i) {
        const std::string v = value(i + round) + padding;
        db->insert("t", key(i), v);
        model[key(i)] = v;
        if (i % 5 == round) {
          db->remove("t", key(i / 2));
          model.erase(key(i / 2));
        }
      }
      db->flush();
    }
    db->close();
  }
  ASSERT_GE(std::filesystem::file_size(dir.db() + "/wos/db"), wos::kPipelinedLoadMinBytes);
  auto db = Database::open_fast(dir.db());
  EXPECT_EQ(db->count("t"), model.size());
  size_t checked = 0;
  for (const auto& [k, v] : db->scan("t")) {
    const auto it = model.find(k);
    ASSERT_NE(it, model.end()) << k;
    EXPECT_EQ(v, it->second) << k;
    ++checked;
  }
  EXPECT_EQ(checked, model.size());
}

TEST(Recovery, ACleanCloseTrimsTheRecycledLogToWhatTheNextSessionNeeds) {
  TempDir dir;
  const std::string wal = dir.db() + "/wal.log";
  Options options;
  options.delta_flush_threshold_bytes = uint64_t{1} << 30;
  {
    auto db = Database::open(dir.db(), options);
    const std::string big(1000, 'b');
    for (int i = 0; i < 12'000; ++i) db->insert("t", key(i), big);  // ~12 MB of log.
    db->flush();  // Cuts the log: the 12 MB become recycled space.
    db->insert("t", "after", "v");
    ASSERT_GT(std::filesystem::file_size(wal), uint64_t{12} << 20);
    db->close();
  }
  // What is left: the live records (a few hundred bytes) and the
  // preallocation the next session appends into.
  EXPECT_LE(std::filesystem::file_size(wal), options.wal_preallocate_bytes + 4096);
  auto db = Database::open(dir.db(), options);
  EXPECT_EQ(db->count("t"), 12'001u);
  EXPECT_EQ(db->get("t", "after"), "v");
  EXPECT_EQ(db->recovery_stats().records_replayed, 1u);
}

TEST(Recovery, TornTailAtEveryByteOffsetOfTheLastRecordIsDroppedAndTheRestRecovered) {
  TempDir dir;
  const std::vector<uint64_t> ends = write_records(dir.db(), 5);
  const std::string wal = dir.db() + "/wal.log";
  const std::string intact = read_bytes(wal);
  ASSERT_GE(intact.size(), ends[5]);
  for (uint64_t cut = ends[4]; cut < ends[5]; ++cut) {
    write_bytes(wal, intact.substr(0, cut));
    auto db = Database::open(dir.db());
    EXPECT_EQ(db->count("t"), 4u) << "cut at " << cut;
    EXPECT_EQ(db->get("t", key(4)), value(4));
    EXPECT_EQ(db->get("t", key(5)), std::nullopt);
    EXPECT_EQ(db->recovery_stats().torn_bytes_dropped, cut - ends[4]) << "cut at " << cut;
    db->close();
    EXPECT_EQ(std::filesystem::file_size(wal), ends[4]) << "torn tail truncated, cut " << cut;
  }
}

TEST(Recovery, GarbageInPlaceOfTheLastRecordIsATornTail) {
  TempDir dir;
  const std::vector<uint64_t> ends = write_records(dir.db(), 5);
  const std::string wal = dir.db() + "/wal.log";
  std::string bytes = read_bytes(wal);
  for (uint64_t i = ends[4]; i < ends[5]; ++i) bytes[i] = static_cast<char>(i * 37 + 11);
  write_bytes(wal, bytes);
  auto db = Database::open(dir.db());
  EXPECT_EQ(db->count("t"), 4u);
}

class FlippedBit : public ::testing::Test {
 protected:
  void SetUp() override {
    ends_ = write_records(dir_.db(), 10);
    wal_ = dir_.db() + "/wal.log";
    std::string bytes = read_bytes(wal_);
    bad_offset_ = ends_[4];           // Record 5.
    bytes[bad_offset_ + 44] ^= 0x10;  // A payload byte.
    write_bytes(wal_, bytes);
  }
  std::unique_ptr<Database> open(RecoveryMode mode) {
    Options options;
    options.recovery_mode = mode;
    return Database::open(dir_.db(), options);
  }
  TempDir dir_;
  std::vector<uint64_t> ends_;
  std::string wal_;
  uint64_t bad_offset_ = 0;
};

TEST_F(FlippedBit, MidLogIsCorruptionNamingFileAndOffsetInStrictMode) {
  try {
    open(RecoveryMode::kStrict);
    FAIL() << "opened a corrupt log";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kCorruption) << e.what();
    EXPECT_NE(std::string(e.what()).find("wal.log"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find(std::to_string(bad_offset_)), std::string::npos)
        << e.what();
  }
}

TEST_F(FlippedBit, AFailedOpenWritesNothingAndReleasesTheLock) {
  const std::string conf_before = read_bytes(dir_.db() + "/wos/conf");
  const std::string wal_before = read_bytes(wal_);
  EXPECT_THROW(open(RecoveryMode::kStrict), Error);
  EXPECT_EQ(read_bytes(dir_.db() + "/wos/conf"), conf_before);
  EXPECT_EQ(read_bytes(wal_), wal_before);
  EXPECT_EQ(open(RecoveryMode::kTolerateTail)->count("t"), 4u) << "LOCK released";
}

TEST_F(FlippedBit, TolerateTailKeepsTheConsistentPrefix) {
  auto db = open(RecoveryMode::kTolerateTail);
  EXPECT_EQ(db->count("t"), 4u);
  EXPECT_EQ(db->get("t", key(4)), value(4));
  EXPECT_EQ(db->get("t", key(6)), std::nullopt);
  db->insert("t", "new", "v");  // The log continues cleanly after the prefix.
  db->close();
  auto reopened = open(RecoveryMode::kStrict);
  EXPECT_EQ(reopened->count("t"), 5u);
}

TEST_F(FlippedBit, SkipCorruptedReplaysTheValidRecordsAfterTheBadOne) {
  auto db = open(RecoveryMode::kSkipCorrupted);
  EXPECT_EQ(db->count("t"), 9u);
  EXPECT_EQ(db->get("t", key(5)), std::nullopt);
  EXPECT_EQ(db->get("t", key(10)), value(10));
}

TEST(Recovery, CheckpointCutsTheWalAndRecoverySkipsWhatItCovers) {
  TempDir dir;
  {
    auto db = Database::open(dir.db());
    for (int i = 1; i <= 100; ++i) db->insert("t", key(i), value(i));
    db->flush();
    for (int i = 101; i <= 105; ++i) db->insert("t", key(i), value(i));
  }
  auto db = Database::open(dir.db());
  EXPECT_EQ(db->recovery_stats().checkpoint_sequence, 100u);
  EXPECT_EQ(db->recovery_stats().records_replayed, 5u);
  EXPECT_EQ(db->count("t"), 105u);
}

TEST(Recovery, AWalCutThatDidNotPersistIsHarmless) {
  TempDir dir;
  const std::string wal = dir.db() + "/wal.log";
  const std::string conf = dir.db() + "/wos/conf";
  std::string before_cut;
  std::string flushed_conf;
  {
    auto db = Database::open(dir.db());
    for (int i = 1; i <= 50; ++i) db->insert("t", key(i), value(i));
    EXPECT_TRUE(db->remove("t", key(7)));
    db->close();
    before_cut = read_bytes(wal);
    db = Database::open(dir.db());
    db->flush();
    flushed_conf = read_bytes(conf);
  }
  // As if the recycled header never reached the disk and the process died
  // before close() could record the new epoch in conf.
  write_bytes(wal, before_cut);
  write_bytes(conf, flushed_conf);
  auto db = Database::open(dir.db());
  EXPECT_EQ(db->recovery_stats().records_replayed, 0u);
  EXPECT_EQ(db->count("t"), 49u);
  EXPECT_EQ(db->get("t", key(7)), std::nullopt);
  db->insert("t", "more", "v");
  db->close();
  EXPECT_EQ(Database::open(dir.db())->count("t"), 50u);
}

TEST(Recovery, ReopenAfterACheckpointReadsStaleSpaceAsNoTornTail) {
  TempDir dir;
  const std::string wal = dir.db() + "/wal.log";
  {
    auto db = Database::open(dir.db());
    for (int i = 1; i <= 200; ++i) db->insert("t", key(i), value(i));
    db->flush();  // Recycles: new epoch at the front, the old records stay behind.
    for (int i = 201; i <= 203; ++i) db->insert("t", key(i), value(i));
  }
  const auto size_before = std::filesystem::file_size(wal);
  {
    auto db = Database::open(dir.db());
    EXPECT_EQ(db->recovery_stats().records_replayed, 3u);
    EXPECT_EQ(db->recovery_stats().torn_bytes_dropped, 0u) << "stale bytes are not a torn tail";
    EXPECT_EQ(db->count("t"), 203u);
    db->insert("t", key(204), value(204));
  }
  // A clean close trims the log to its live records: one more record and a
  // sync proof than before.
  EXPECT_LE(std::filesystem::file_size(wal), size_before + 256) << "trimmed to the live log";
  auto db = Database::open(dir.db());
  EXPECT_EQ(db->count("t"), 204u);
  EXPECT_EQ(db->get("t", key(204)), value(204));
}

// A SIGKILL at each named kill point of the write, checkpoint and compaction
// paths loses nothing acknowledged (Lazy, process crash) and tears nothing.
// The child leaves a marker only if it got past every step, which proves the
// point really fired.
TEST(Recovery, KillAtEveryNamedKillPointLosesNothingAcknowledged) {
  const std::string big(400 * 1024, 'b');
  for (const char* point : dbx::lab::kKillPoints) {
    SCOPED_TRACE(point);
    TempDir dir;
    const std::string marker = dir.root() + "/survived";
    run_and_kill([&] {
      auto db = Database::open(dir.db());
      for (int i = 1; i <= 20; ++i) db->insert("t", key(i), value(i));
      if (!db->remove("t", key(3))) std::abort();
      db->flush();
      for (int i = 21; i <= 25; ++i) db->insert("t", key(i), value(i));
      if (fiu_init(0) != 0) std::abort();
      if (fiu_enable(point, 1, nullptr, 0) != 0) std::abort();
      WriteBatch batch;
      batch.put("t", "x", "1");
      batch.put("u", "y", "2");
      db->write(batch);
      db->flush();
      // Overwriting one large value forces a WOS compaction (file > 2x live and 1 MiB).
      for (int round = 0; round < 5; ++round) {
        db->insert("big", "k", big + std::to_string(round));
        db->flush();
      }
      db->insert("t", "after", "v");
      db->close();  // Reaches the sync points if nothing above did.
      write_bytes(marker, "done");
    });
    EXPECT_FALSE(std::filesystem::exists(marker)) << "the kill point never fired";
    auto db = Database::open(dir.db());
    for (int i = 1; i <= 25; ++i) {
      if (i == 3) {
        EXPECT_EQ(db->get("t", key(i)), std::nullopt);
      } else {
        EXPECT_EQ(db->get("t", key(i)), value(i)) << i;
      }
    }
    EXPECT_EQ(db->get("t", "x").has_value(), db->get("u", "y").has_value()) << "torn batch";
    const auto big_value = db->get("big", "k");
    if (big_value) {
      EXPECT_EQ(big_value->substr(0, big.size()), big) << "torn value";
    }
  }
}

}  // namespace
}  // namespace dbx
