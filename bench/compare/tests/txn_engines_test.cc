// Every transactional adapter against the rules the txn suite relies on: a
// commit is visible afterwards, a concurrent writer of the same keys is
// detected (a write conflict at commit, or a lock / busy wait that gives up)
// and a retry then commits, and a snapshot does not see a later write. A
// broken adapter would otherwise report the speed of lost updates.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <thread>

#include "stopwatch.h"
#include "test_dirs.h"
#include "txn_engine.h"
#include "txn_workloads.h"
#include "workloads.h"

namespace bench {
namespace {

constexpr uint64_t kFirst = 3, kSecond = 4;  // The two keys the cases touch.

std::string fresh_dir(const std::string& name) { return testing::fresh_dir("txn_" + name); }

class Fixture {
 public:
  explicit Fixture(std::string_view name) : dir_(fresh_dir(std::string(name))) {
    auto engine = make_txn_engine(name);
    EXPECT_TRUE(engine.is_ok());
    engine_ = std::move(engine).value();
    // A short wait, so the lock-based engines give up on a held lock quickly.
    const faultfs::Status opened = engine_->open(dir_, TxnOptions{Durability::kLazy, 50});
    EXPECT_TRUE(opened.is_ok()) << opened.to_string();
    EXPECT_TRUE(set(kFirst, 0).is_ok());
    EXPECT_TRUE(set(kSecond, 0).is_ok());
  }
  ~Fixture() {
    EXPECT_TRUE(engine_->close().is_ok());
    std::filesystem::remove_all(dir_);
  }

  faultfs::Status set(uint64_t index, uint64_t counter) {
    const Row row{std::string(Key(index).view()), txn_value(values_, index, counter)};
    return engine_->load(std::span<const Row>(&row, 1));
  }
  uint64_t counter_in(TxnSession& session, uint64_t index) {
    std::string value;
    auto found = session.snapshot_get(Key(index).view(), &value);
    EXPECT_TRUE(found.is_ok() && *found);
    auto counter = txn_counter(values_, index, value);
    EXPECT_TRUE(counter.is_ok());
    return counter.is_ok() ? *counter : ~uint64_t{0};
  }
  uint64_t counter_now(uint64_t index) {
    auto session = std::move(engine_->session()).value();
    EXPECT_TRUE(session->begin_snapshot().is_ok());
    const uint64_t counter = counter_in(*session, index);
    EXPECT_TRUE(session->end_snapshot().is_ok());
    return counter;
  }
  std::unique_ptr<TxnSession> session() { return std::move(engine_->session()).value(); }
  TxnEngine& engine() { return *engine_; }

  // Increments both keys' counters, checking what it read.
  faultfs::Status increment(std::span<std::string> read) {
    const uint64_t indexes[] = {kFirst, kSecond};
    for (size_t i = 0; i < read.size(); ++i) {
      auto counter = txn_counter(values_, indexes[i], read[i]);
      if (!counter.is_ok()) return counter.status();
      read[i] = txn_value(values_, indexes[i], *counter + 1);
    }
    return faultfs::Status::ok();
  }

 private:
  std::string dir_;
  ValueSource values_;
  std::unique_ptr<TxnEngine> engine_;
};

const Key first_key(kFirst), second_key(kSecond);
const std::string_view both_keys[] = {first_key.view(), second_key.view()};

class Transactional : public ::testing::TestWithParam<std::string_view> {};

TEST_P(Transactional, ACommittedReadModifyWriteIsWhatTheNextSnapshotReads) {
  Fixture f(GetParam());
  auto session = f.session();
  auto committed = session->read_modify_write(
      both_keys, [&](std::span<std::string> v) { return f.increment(v); });
  ASSERT_TRUE(committed.is_ok()) << committed.status().to_string();
  EXPECT_TRUE(*committed);
  EXPECT_EQ(f.counter_now(kFirst), 1u);
  EXPECT_EQ(f.counter_now(kSecond), 1u);
}

// B runs to its end while A is between its reads and its commit. Optimistic
// engines (DBX, rocksdb-occ) let B commit and fail A's commit; lock-based
// ones (rocksdb-txn's key locks, SQLite's write lock) make B wait and give up.
// Either way exactly one of them reports a conflict, the retry commits, and
// no increment is lost: both counters end at 2.
TEST_P(Transactional, AConcurrentWriterConflictsExactlyOnceAndTheRetryCommits) {
  Fixture f(GetParam());
  auto a = f.session();
  auto b = f.session();
  const Modify increment = [&](std::span<std::string> v) { return f.increment(v); };
  faultfs::Result<bool> b_committed(false);
  bool b_ran = false;
  const Modify a_with_b_inside = [&](std::span<std::string> v) {
    if (!b_ran) {
      b_ran = true;
      std::thread([&] { b_committed = b->read_modify_write(both_keys, increment); }).join();
    }
    return f.increment(v);
  };
  auto a_committed = a->read_modify_write(both_keys, a_with_b_inside);
  ASSERT_TRUE(a_committed.is_ok()) << a_committed.status().to_string();
  ASSERT_TRUE(b_committed.is_ok()) << b_committed.status().to_string();
  ASSERT_NE(*a_committed, *b_committed) << "exactly one of them must conflict";
  TxnSession& loser = *a_committed ? *b : *a;
  auto retried = loser.read_modify_write(both_keys, increment);
  ASSERT_TRUE(retried.is_ok()) << retried.status().to_string();
  EXPECT_TRUE(*retried);
  EXPECT_EQ(f.counter_now(kFirst), 2u);
  EXPECT_EQ(f.counter_now(kSecond), 2u);
}

TEST_P(Transactional, AModifyErrorAbortsAndAppliesNothing) {
  Fixture f(GetParam());
  auto session = f.session();
  auto committed = session->read_modify_write(both_keys, [&](std::span<std::string> v) {
    EXPECT_TRUE(f.increment(v).is_ok());
    return faultfs::Status(faultfs::ErrorCode::kCorruption, "refused");
  });
  EXPECT_FALSE(committed.is_ok());
  EXPECT_EQ(f.counter_now(kFirst), 0u);
  // The session is usable again: the abort ended its transaction.
  auto again = session->read_modify_write(both_keys,
                                          [&](std::span<std::string> v) { return f.increment(v); });
  ASSERT_TRUE(again.is_ok()) << again.status().to_string();
  EXPECT_TRUE(*again);
}

INSTANTIATE_TEST_SUITE_P(Compare, Transactional,
                         ::testing::Values("dbx", "sqlite", "rocksdb-txn", "rocksdb-occ"),
                         [](const auto& param_info) {
                           std::string name(param_info.param);
                           std::erase(name, '-');
                           return name;
                         });

class EachTxnEngine : public ::testing::TestWithParam<std::string_view> {};

TEST_P(EachTxnEngine, ASnapshotDoesNotSeeAWriteMadeAfterItBegan) {
  Fixture f(GetParam());
  auto reader = f.session();
  ASSERT_TRUE(reader->begin_snapshot().is_ok());
  ASSERT_TRUE(f.set(kFirst, 5).is_ok());
  EXPECT_EQ(f.counter_in(*reader, kFirst), 0u);
  ASSERT_TRUE(reader->end_snapshot().is_ok());
  EXPECT_EQ(f.counter_now(kFirst), 5u);  // And the write did land.
}

TEST_P(EachTxnEngine, TheSuiteChecksItsReadsAndCountsEveryCommit) {
  const std::string dir = fresh_dir(std::string(GetParam()) + "_suite");
  WorkloadSizes sizes;
  sizes.txn_keys = 50;  // Few keys: 4 threads collide, so retries happen.
  sizes.txn_rmw_lazy_txns = 400;
  sizes.txn_rmw_full_txns = 40;
  sizes.txn_snapshots = 100;
  auto measured = run_suite("txn", GetParam(), dir, sizes);
  ASSERT_TRUE(measured.is_ok()) << measured.status().to_string();  // Counters added up.
  const bool transactional = GetParam() != "leveldb";
  size_t rates = 0;
  for (const Measurement& m : *measured) {
    if (m.workload == "txn_snapshot_10get" || m.workload == "txn_rmw_2key_4t_lazy" ||
        m.workload == "txn_rmw_2key_4t_full") {
      EXPECT_GT(m.value, 0) << m.workload;
      ++rates;
    }
  }
  EXPECT_EQ(rates, transactional ? 3u : 1u);
  std::filesystem::remove_all(dir);
}

INSTANTIATE_TEST_SUITE_P(Compare, EachTxnEngine, ::testing::ValuesIn(kTxnEngineNames),
                         [](const auto& param_info) {
                           std::string name(param_info.param);
                           std::erase(name, '-');
                           return name;
                         });

TEST(TxnSuite, AnExpiredTimeCapStopsEachThreadAtItsFirstPollAndStillChecksTheCounters) {
  const std::string dir = fresh_dir("dbx_capped");
  WorkloadSizes sizes;
  sizes.txn_keys = 1000;
  sizes.txn_time_max_s = 0;
  auto measured = run_suite("txn", "dbx", dir, sizes);
  ASSERT_TRUE(measured.is_ok()) << measured.status().to_string();
  bool seen = false;
  for (const Measurement& m : *measured) {
    if (m.workload != "txn_rmw_2key_4t_lazy_capped_txns") continue;
    EXPECT_DOUBLE_EQ(m.value, static_cast<double>(sizes.txn_threads * Deadline::kPollEvery));
    seen = true;
  }
  EXPECT_TRUE(seen);
  std::filesystem::remove_all(dir);
}

TEST(TxnEngines, OnlyLeveldbLacksTransactionsAndItRefusesAReadModifyWrite) {
  for (const std::string_view name : kTxnEngineNames) {
    EXPECT_EQ(std::move(make_txn_engine(name)).value()->has_transactions(), name != "leveldb");
  }
  Fixture f("leveldb");
  auto session = f.session();
  EXPECT_FALSE(session
                   ->read_modify_write(both_keys,
                                       [](std::span<std::string>) { return faultfs::Status::ok(); })
                   .is_ok());
  EXPECT_FALSE(make_txn_engine("rocksdb").is_ok());  // The plain engine has no txn adapter.
}

TEST(TxnValue, ACounterIsReadBackAndAnotherKeysValueIsRejected) {
  const ValueSource values;
  auto counter = txn_counter(values, 7, txn_value(values, 7, 123456789));
  ASSERT_TRUE(counter.is_ok());
  EXPECT_EQ(*counter, 123456789u);
  EXPECT_FALSE(txn_counter(values, 8, txn_value(values, 7, 0)).is_ok());
  EXPECT_FALSE(txn_counter(values, 7, txn_value(values, 7, 0).substr(1)).is_ok());
}

}  // namespace
}  // namespace bench
