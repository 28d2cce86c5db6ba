// Snapshot isolation as dbx/transaction.h states it: snapshots read one
// state while writers go on, transactions read their own writes, the first
// committer wins, rolled-back writes are never visible, a commit is one
// write, and old versions go when the last reader ends.
#include "dbx/transaction.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "dbx/database.h"
#include "dbx/error.h"
#include "support/temp_dir.h"

namespace dbx {
namespace {

using testing::TempDir;

ErrorCode code_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const Error& e) {
    return e.code();
  }
  ADD_FAILURE() << "no error thrown";
  return ErrorCode::kIoError;
}

TEST(Snapshot, ReadsTheStateAtItsSequenceWhileWritersGoOn) {
  auto db = Database::open_in_memory();
  db->insert("t", "a", "1");
  db->insert("t", "gone", "x");
  auto snap = db->snapshot();
  EXPECT_EQ(snap->sequence(), 2u);
  db->insert("t", "a", "2");
  db->insert("t", "b", "1");
  db->remove("t", "gone");
  EXPECT_EQ(snap->get("t", "a"), "1");
  EXPECT_EQ(snap->get("t", "b"), std::nullopt);
  EXPECT_EQ(snap->get("t", "gone"), "x");
  EXPECT_EQ(db->get("t", "a"), "2");
  const std::vector<Snapshot::Row> expected{{"a", "1"}, {"gone", "x"}};
  EXPECT_EQ(snap->scan("t"), expected);
  EXPECT_EQ(snap->count("t"), 2u);
  EXPECT_EQ(snap->range("t", "b", "z"), (std::vector<Snapshot::Row>{{"gone", "x"}}));
}

TEST(Snapshot, KeepsItsStateAcrossACheckpointAndABatch) {
  TempDir dir;
  auto db = Database::open(dir.db());
  db->insert("t", "k", "old");
  auto snap = db->snapshot();
  WriteBatch batch;
  batch.put("t", "k", "mid");
  batch.put("t", "k", "new");
  batch.put("u", "k", "x");
  db->write(batch);
  db->flush();
  db->insert("t", "k", "newest");
  EXPECT_EQ(snap->get("t", "k"), "old");
  EXPECT_EQ(snap->get("u", "k"), std::nullopt);
  EXPECT_EQ(db->get("t", "k"), "newest");
}

TEST(Transaction, ReadsItsOwnWritesOverItsSnapshotAndOthersSeeNothingBeforeCommit) {
  auto db = Database::open_in_memory();
  db->insert("t", "a", "1");
  db->insert("t", "c", "3");
  auto txn = db->begin_transaction();
  txn->insert("t", "b", "2");
  EXPECT_TRUE(txn->remove("t", "c"));
  EXPECT_FALSE(txn->remove("t", "never"));
  db->insert("t", "z", "late");  // After the snapshot: invisible to it.
  EXPECT_EQ(txn->get("t", "b"), "2");
  EXPECT_EQ(txn->get("t", "c"), std::nullopt);
  EXPECT_EQ(txn->scan("t"), (std::vector<Transaction::Row>{{"a", "1"}, {"b", "2"}}));
  EXPECT_EQ(txn->count("t"), 2u);
  EXPECT_EQ(db->get("t", "b"), std::nullopt);  // No dirty read.
  EXPECT_EQ(db->get("t", "c"), "3");
  const uint64_t seq = txn->commit();
  EXPECT_EQ(seq, db->last_sequence());
  EXPECT_FALSE(txn->active());
  EXPECT_EQ(db->get("t", "b"), "2");
  EXPECT_EQ(db->get("t", "c"), std::nullopt);
  EXPECT_EQ(code_of([&] { txn->get("t", "a"); }), ErrorCode::kClosed);
}

TEST(Transaction, TheFirstCommitterWinsAndTheSecondGetsWriteConflict) {
  auto db = Database::open_in_memory();
  db->insert("t", "k", "0");
  auto first = db->begin_transaction();
  auto second = db->begin_transaction();
  first->insert("t", "k", "first");
  second->insert("t", "k", "second");
  second->insert("t", "other", "x");
  first->commit();
  EXPECT_EQ(code_of([&] { second->commit(); }), ErrorCode::kWriteConflict);
  EXPECT_FALSE(second->active());
  EXPECT_EQ(db->get("t", "k"), "first");
  EXPECT_EQ(db->get("t", "other"), std::nullopt);  // Nothing of the loser applied.
}

TEST(Transaction, APlainWriteAfterBeginIsACommittedWriter) {
  auto db = Database::open_in_memory();
  auto txn = db->begin_transaction();
  txn->insert("t", "k", "txn");
  db->remove("t", "k");  // Even a delete of an absent key is a write.
  EXPECT_EQ(code_of([&] { txn->commit(); }), ErrorCode::kWriteConflict);
}

TEST(Transaction, DisjointWritersBothCommitAndReadOnlyNeverConflicts) {
  auto db = Database::open_in_memory();
  auto a = db->begin_transaction();
  auto b = db->begin_transaction();
  auto reader = db->begin_transaction();
  EXPECT_EQ(reader->get("t", "x"), std::nullopt);
  a->insert("t", "x", "a");
  b->insert("t", "y", "b");
  const uint64_t sa = a->commit();
  const uint64_t sb = b->commit();
  EXPECT_EQ(sb, sa + 1);                           // One write, one sequence number each.
  EXPECT_EQ(reader->get("t", "x"), std::nullopt);  // Repeatable.
  EXPECT_EQ(reader->commit(), reader->snapshot_sequence());
}

TEST(Transaction, RolledBackAndDroppedWritesAreNeverVisibleEvenAfterReopen) {
  TempDir dir;
  {
    auto db = Database::open_safe(dir.db());
    auto txn = db->begin_transaction();
    txn->insert("t", "rolled", "x");
    txn->rollback();
    txn->rollback();  // Idempotent.
    {
      auto dropped = db->begin_transaction();
      dropped->insert("t", "dropped", "x");
    }
    EXPECT_EQ(db->get("t", "rolled"), std::nullopt);
    EXPECT_EQ(db->get("t", "dropped"), std::nullopt);
    auto kept = db->begin_transaction();
    kept->insert("t", "kept", "y");
    kept->commit();
  }
  auto db = Database::open_safe(dir.db());
  EXPECT_EQ(db->scan("t"), (std::vector<Database::Row>{{"kept", "y"}}));
}

TEST(Transaction, ACommitIsOneWriteThatSurvivesReopenInEveryLevel) {
  for (const Durability level : {Durability::kNone, Durability::kLazy, Durability::kFull}) {
    TempDir dir;
    uint64_t seq = 0;
    {
      auto db = Database::open_with_durability(dir.db(), level);
      db->insert("t", "before", "1");
      auto txn = db->begin_transaction();
      for (int i = 0; i < 50; ++i) txn->insert("t", "k" + std::to_string(i), "v");
      txn->remove("t", "before");
      seq = txn->commit();
      EXPECT_EQ(seq, 2u);
    }
    auto db = Database::open_with_durability(dir.db(), level);
    EXPECT_EQ(db->last_sequence(), seq);
    EXPECT_EQ(db->count("t"), 50u);
    EXPECT_EQ(db->get("t", "before"), std::nullopt);
  }
}

TEST(Versions, MemoryReturnsToTheBaselineWhenTheLastReaderEnds) {
  auto db = Database::open_in_memory();
  for (int i = 0; i < 100; ++i) db->insert("t", std::to_string(i), "v0");
  EXPECT_EQ(db->old_version_count(), 0u);
  auto old_snap = db->snapshot();
  for (int i = 0; i < 100; ++i) db->insert("t", std::to_string(i), "v1");
  auto txn = db->begin_transaction();
  for (int i = 0; i < 50; ++i) db->insert("t", std::to_string(i), "v2");
  EXPECT_EQ(db->old_version_count(), 150u);
  old_snap.reset();  // The transaction still reads v1 of keys 0..49.
  EXPECT_EQ(db->old_version_count(), 50u);
  EXPECT_EQ(txn->get("t", "0"), "v1");
  txn.reset();
  EXPECT_EQ(db->old_version_count(), 0u);
  db->insert("t", "0", "v3");  // No reader: nothing kept.
  EXPECT_EQ(db->old_version_count(), 0u);
}

TEST(Versions, EndingAYoungerReaderFreesNothingTheOlderOneStillReads) {
  auto db = Database::open_in_memory();
  db->insert("t", "k", "v0");
  auto older = db->snapshot();
  db->insert("t", "k", "v1");
  auto younger = db->snapshot();
  db->insert("t", "k", "v2");
  EXPECT_EQ(db->old_version_count(), 2u);
  younger.reset();  // Undos are kept from the oldest pin on: both stay.
  EXPECT_EQ(db->old_version_count(), 2u);
  EXPECT_EQ(older->get("t", "k"), "v0");
  older.reset();
  EXPECT_EQ(db->old_version_count(), 0u);
}

TEST(Iterator, StreamsInKeyOrderAcrossChunksLayersAndDeletes) {
  TempDir dir;
  auto db = Database::open(dir.db());
  char key[16];
  for (int i = 0; i < 3000; ++i) {
    std::snprintf(key, sizeof(key), "k%05d", i);
    db->insert("t", key, std::to_string(i));
  }
  db->flush();  // In the WOS.
  for (int i = 0; i < 3000; i += 3) {
    std::snprintf(key, sizeof(key), "k%05d", i);
    db->remove("t", key);  // Deletes in the delta.
  }
  for (int i = 0; i < 1200; ++i) db->remove("t", "k0" + std::to_string(1000 + i).substr(0, 4));
  auto snap = db->snapshot();
  db->insert("t", "k00001", "after");  // After the snapshot.
  const std::vector<Snapshot::Row> expected = snap->scan("t");
  std::vector<Snapshot::Row> seen;
  for (auto it = snap->iterator("t"); it->valid(); it->next()) {
    seen.emplace_back(std::string(it->key()), std::string(it->value()));
  }
  EXPECT_EQ(seen, expected);
  ASSERT_FALSE(seen.empty());
  auto it = snap->iterator("t");
  it->seek("k02000x");
  ASSERT_TRUE(it->valid());
  EXPECT_GT(it->key(), "k02000x");
  auto txn = db->begin_transaction();
  txn->insert("t", "k00000", "mine");
  auto mine = txn->iterator("t");
  ASSERT_TRUE(mine->valid());
  EXPECT_EQ(mine->key(), "k00000");
  EXPECT_EQ(mine->value(), "mine");
}

// A seek reads a small first chunk and each refill doubles it: a row lost or
// repeated where one chunk ends and the next begins shows up here, from
// every position near such a boundary, in the WOS and in the delta.
TEST(Iterator, SeeksNearEveryChunkBoundaryYieldTheRestOfTheTableOnceInOrder) {
  TempDir dir;
  auto db = Database::open(dir.db());
  constexpr int kKeys = 2100;
  std::vector<std::string> keys;
  char key[16];
  for (int i = 0; i < kKeys; ++i) {
    std::snprintf(key, sizeof(key), "k%05d", i);
    keys.emplace_back(key);
    db->insert("t", key, std::to_string(i));
    if (i == kKeys / 2) db->flush();  // The first half in the WOS, the rest in the delta.
  }
  auto snap = db->snapshot();
  for (const int start :
       {0,   1,   15,  16,   17,   47,   48,   49,   111,  112,  113,  239,  240, 241,
        495, 496, 497, 1007, 1008, 1009, 1050, 1051, 1519, 1520, 1521, 2031, 2099}) {
    auto it = snap->iterator("t");
    it->seek(keys[start]);
    int expected = start;
    for (; it->valid(); it->next(), ++expected) {
      ASSERT_LT(expected, kKeys) << "seek to " << keys[start];
      ASSERT_EQ(it->key(), keys[expected]) << "seek to " << keys[start];
      ASSERT_EQ(it->value(), std::to_string(expected)) << "seek to " << keys[start];
    }
    EXPECT_EQ(expected, kKeys) << "seek to " << keys[start];
  }
}

TEST(Iterator, OutlivesItsSnapshotAndFindsTheDatabaseClosedAfterClose) {
  auto db = Database::open_in_memory();
  db->insert("t", "a", "1");
  auto snap = db->snapshot();
  auto it = snap->iterator("t");
  snap.reset();
  db->insert("t", "a", "2");
  ASSERT_TRUE(it->valid());
  EXPECT_EQ(it->value(), "1");
  auto txn = db->begin_transaction();
  db->close();
  EXPECT_EQ(code_of([&] { txn->get("t", "a"); }), ErrorCode::kClosed);
  EXPECT_EQ(code_of([&] { db->snapshot(); }), ErrorCode::kClosed);
}

TEST(Snapshot, ReadsStayRepeatableUnderConcurrentWriters) {
  auto db = Database::open_in_memory();
  for (int i = 0; i < 64; ++i) db->insert("t", std::to_string(i), "0");
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    for (int round = 1; !stop.load(); ++round) {
      for (int i = 0; i < 64; ++i) db->insert("t", std::to_string(i), std::to_string(round));
    }
  });
  for (int n = 0; n < 50; ++n) {
    auto snap = db->snapshot();
    const auto first = snap->scan("t");
    std::this_thread::yield();
    EXPECT_EQ(snap->scan("t"), first);
    EXPECT_EQ(snap->get("t", "5"),
              first[std::distance(first.begin(),
                                  std::find_if(first.begin(), first.end(),
                                               [](const auto& r) { return r.first == "5"; }))]
                  .second);
  }
  stop.store(true);
  writer.join();
}

}  // namespace
}  // namespace dbx
