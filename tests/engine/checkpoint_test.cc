// Checkpoints that run while writers continue (engine/src/checkpoint.cc):
// nothing written during one is lost, readers see every layer, and a log left
// uncut (records at or below the checkpoint still in it) recovers exactly.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <random>
#include <string>
#include <thread>

#include "dbx/dbx.h"
#include "support/counting_fs.h"
#include "support/temp_dir.h"

namespace dbx {
namespace {

using testing::CountingFs;
using testing::TempDir;

// Holds every sync of the WOS's db file until released (through CountingFs's
// per-call hook): a checkpoint then stays between its freeze and its publish
// for as long as a test needs.
class SyncGate {
 public:
  void install(CountingFs& fs) {
    fs.counters().fail = [this](const std::string& op, const std::string& path) {
      if (op == "sync" && path.ends_with("/wos/db")) wait_while_closed();
      return faultfs::Status::ok();
    };
  }
  void close() {
    std::lock_guard lock(mu_);
    closed_ = true;
  }
  void open() {
    {
      std::lock_guard lock(mu_);
      closed_ = false;
    }
    changed_.notify_all();
  }
  // Whether a sync is waiting at the gate within `timeout`.
  bool wait_until_someone_waits(std::chrono::seconds timeout) {
    std::unique_lock lock(mu_);
    return changed_.wait_for(lock, timeout, [&] { return waiting_ > 0; });
  }

 private:
  void wait_while_closed() {
    std::unique_lock lock(mu_);
    ++waiting_;
    changed_.notify_all();
    changed_.wait(lock, [&] { return !closed_; });
    --waiting_;
  }

  std::mutex mu_;
  std::condition_variable changed_;
  bool closed_ = false;
  int waiting_ = 0;
};

TEST(Checkpoint, WritersAndReadersProceedWhileTheWosSyncIsHeld) {
  TempDir dir;
  CountingFs fs(faultfs::posix_file_system());
  SyncGate gate;
  gate.install(fs);
  Options options;
  options.durability = Durability::kFull;
  options.file_system = &fs;
  auto db = Database::open(dir.db(), options);
  db->insert("t", "before", "1");
  gate.close();
  std::thread flusher([&] { db->flush(); });
  ASSERT_TRUE(gate.wait_until_someone_waits(std::chrono::seconds(10)))
      << "the checkpoint never synced db";
  // The checkpoint is between freeze and publish: the frozen write is readable
  // and new writes are acknowledged (Full: synced) without waiting for it.
  EXPECT_EQ(db->get("t", "before"), "1");
  db->insert("t", "during", "2");
  EXPECT_TRUE(db->remove("t", "before"));
  EXPECT_EQ(db->get("t", "during"), "2");
  EXPECT_EQ(db->get("t", "before"), std::nullopt);
  EXPECT_EQ(db->count("t"), 1u);
  EXPECT_EQ(db->scan("t").size(), 1u);
  gate.open();
  flusher.join();
  EXPECT_EQ(db->get("t", "during"), "2");
  EXPECT_EQ(db->get("t", "before"), std::nullopt);
  db->close();
  // flush() ends with the log cut: reopening replays only what followed it.
  db = Database::open(dir.db(), options);
  EXPECT_EQ(db->get("t", "during"), "2");
  EXPECT_EQ(db->get("t", "before"), std::nullopt);
  EXPECT_EQ(db->count("t"), 1u);
}

// Counts background checkpoints that overlapped an acknowledged write: a
// checkpoint spans its first write under wos/ to the rename that publishes
// its conf; it raced when the writer's acknowledged count moved in between.
// Observes through CountingFs's per-call hook (it never fails a call). Each
// WOS write waits 100 us, to widen the span on a fast machine.
class CheckpointRaceCounter {
 public:
  void install(CountingFs& fs) {
    fs.counters().fail = [this](const std::string& op, const std::string& path) {
      observe(op, path);
      return faultfs::Status::ok();
    };
  }
  void acknowledged() { acked_.fetch_add(1); }
  uint64_t raced() const {
    std::lock_guard lock(mu_);
    return raced_;
  }
  uint64_t published() const {
    std::lock_guard lock(mu_);
    return published_;
  }

 private:
  void observe(const std::string& op, const std::string& path) {
    const bool in_wos = path.find("/wos/") != std::string::npos;
    if (op == "write" && in_wos) {
      {
        std::lock_guard lock(mu_);
        if (!in_checkpoint_) acked_at_start_ = acked_.load();
        in_checkpoint_ = true;
      }
      std::this_thread::sleep_for(std::chrono::microseconds(100));
    } else if (op == "rename" && in_wos && path.ends_with("/conf")) {
      std::lock_guard lock(mu_);
      if (in_checkpoint_ && acked_.load() > acked_at_start_) ++raced_;
      ++published_;
      in_checkpoint_ = false;
    }
  }

  std::atomic<uint64_t> acked_{0};
  mutable std::mutex mu_;
  bool in_checkpoint_ = false;
  uint64_t acked_at_start_ = 0;
  uint64_t raced_ = 0;
  uint64_t published_ = 0;
};

// Many background checkpoints, each racing the writer, with a log that is
// often left uncut: every acknowledged write is there after each reopen, and
// some checkpoints provably ran while writes were acknowledged.
void churn_and_reopen(Durability durability) {
  TempDir dir;
  CountingFs fs(faultfs::posix_file_system());
  CheckpointRaceCounter races;
  races.install(fs);
  Options options;
  options.durability = durability;
  options.file_system = &fs;
  // Far enough below twice the threshold (where a writer stops to checkpoint
  // itself) that a background checkpoint has a dozen writes' time to run.
  options.delta_flush_threshold_bytes = 16 * 1024;
  options.wal_preallocate_bytes = 64 * 1024;
  std::map<std::string, std::string> model;
  std::mt19937_64 random(durability == Durability::kNone ? 1 : 2);
  for (int session = 0; session < 4; ++session) {
    auto db = Database::open(dir.db(), options);
    for (int i = 0; i < 600; ++i) {
      const std::string key = "k" + std::to_string(random() % 300);
      const size_t value_bytes = random() % 8 == 0 ? 9000 : 1 + random() % 200;
      const std::string value(value_bytes, static_cast<char>('a' + random() % 26));
      if (random() % 5 == 0) {
        db->remove("t", key);
        model.erase(key);
      } else {
        db->insert("t", key, value);
        model[key] = value;
      }
      races.acknowledged();
      if (random() % 97 == 0) db->flush();
    }
    db->close();
    db = Database::open(dir.db(), options);
    std::map<std::string, std::string> seen;
    for (auto& [key, value] : db->scan("t")) seen[key] = value;
    ASSERT_EQ(seen, model) << "session " << session;
    db->close();
  }
  EXPECT_GT(races.published(), 20u) << "too few checkpoints to race";
  EXPECT_GT(races.raced(), 0u) << "no checkpoint overlapped an acknowledged write in "
                               << races.published() << " checkpoints";
}

TEST(Checkpoint, BackgroundCheckpointsRacingAFullWriterLoseNothing) {
  churn_and_reopen(Durability::kFull);
}
TEST(Checkpoint, BackgroundCheckpointsRacingALazyWriterLoseNothing) {
  churn_and_reopen(Durability::kLazy);
}
TEST(Checkpoint, BackgroundCheckpointsRacingANoneWriterLoseNothing) {
  churn_and_reopen(Durability::kNone);
}

}  // namespace
}  // namespace dbx
