#include "txn_workloads.h"

#include <algorithm>
#include <cassert>
#include <cstring>
#include <latch>
#include <memory>
#include <random>
#include <thread>
#include <vector>

#include "stopwatch.h"
#include "txn_engine.h"

namespace bench {
namespace {

constexpr uint64_t kTxnSeed = 7;
constexpr uint64_t kCounterBytes = 8;
constexpr uint64_t kLoadBatchRows = 10'000;
constexpr uint64_t kKeysPerTxn = 2;
constexpr uint64_t kGetsPerSnapshot = 10;
constexpr uint64_t kMaxAttempts = 1000;

struct RmwTally {
  uint64_t commits = 0;
  uint64_t retries = 0;
};

faultfs::Status load_table(TxnEngine& engine, const ValueSource& values, uint64_t keys) {
  std::vector<Row> rows;
  for (uint64_t begin = 0; begin < keys; begin += kLoadBatchRows) {
    rows.clear();
    for (uint64_t i = begin; i < std::min(keys, begin + kLoadBatchRows); ++i) {
      rows.emplace_back(std::string(Key(i).view()), txn_value(values, i, 0));
    }
    if (faultfs::Status st = engine.load(rows); !st.is_ok()) return st;
  }
  return faultfs::Status::ok();
}

// One thread's loop: transactions on 2 distinct random keys (ascending, for
// the lock-based engines' sake) until `planned` commits or the deadline.
faultfs::Result<RmwTally> rmw_loop(TxnSession& session, const ValueSource& values, uint64_t keys,
                                   uint64_t planned, uint64_t seed, const Deadline& deadline) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<uint64_t> pick(0, keys - 1);
  RmwTally tally;
  uint64_t index[kKeysPerTxn];
  const Modify increment = [&](std::span<std::string> read) -> faultfs::Status {
    assert(read.size() == kKeysPerTxn);
    for (size_t i = 0; i < kKeysPerTxn; ++i) {
      auto counter = txn_counter(values, index[i], read[i]);
      if (!counter.is_ok()) return counter.status();
      read[i] = txn_value(values, index[i], *counter + 1);
    }
    return faultfs::Status::ok();
  };
  while (tally.commits < planned) {
    index[0] = pick(rng);
    do index[1] = pick(rng);
    while (index[1] == index[0]);
    if (index[1] < index[0]) std::swap(index[0], index[1]);
    const Key first(index[0]), second(index[1]);
    const std::string_view txn_keys[kKeysPerTxn] = {first.view(), second.view()};
    for (uint64_t attempt = 1;; ++attempt) {
      auto committed = session.read_modify_write(txn_keys, increment);
      if (!committed.is_ok()) return committed.status();
      if (*committed) break;
      ++tally.retries;
      // The deadline is polled per commit: a livelock must end the run here.
      if (attempt == kMaxAttempts) {
        return faultfs::Status(faultfs::ErrorCode::kBusy,
                               "a transaction conflicted " + std::to_string(attempt) + " times");
      }
    }
    ++tally.commits;
    if (deadline.expired(tally.commits)) break;
  }
  return tally;
}

// The figures of one read-modify-write loop, with `total_commits` advanced.
faultfs::Status run_rmw(TxnEngine& engine, const ValueSource& values, const WorkloadSizes& sizes,
                        uint64_t planned, const std::string& workload, Measurements& out,
                        uint64_t& total_commits) {
  const uint64_t threads = sizes.txn_threads;
  assert(threads >= 1 && threads <= 64);
  std::vector<std::unique_ptr<TxnSession>> sessions;
  for (uint64_t t = 0; t < threads; ++t) {
    auto session = engine.session();
    if (!session.is_ok()) return session.status();
    sessions.push_back(std::move(session).value());
  }
  std::vector<faultfs::Result<RmwTally>> results(threads, faultfs::Result<RmwTally>(RmwTally{}));
  std::latch start(static_cast<std::ptrdiff_t>(threads) + 1);
  const Deadline deadline(sizes.txn_time_max_s);
  std::vector<std::thread> workers;
  for (uint64_t t = 0; t < threads; ++t) {
    const uint64_t share = planned / threads + (t < planned % threads ? 1 : 0);
    workers.emplace_back([&, t, share] {
      start.arrive_and_wait();
      results[t] = rmw_loop(*sessions[t], values, sizes.txn_keys, share, kTxnSeed + t, deadline);
    });
  }
  start.arrive_and_wait();
  const Stopwatch watch;
  for (std::thread& worker : workers) worker.join();
  const double elapsed_s = watch.elapsed_s();
  RmwTally sum;
  for (faultfs::Result<RmwTally>& result : results) {
    if (!result.is_ok()) return result.status();
    sum.commits += result->commits;
    sum.retries += result->retries;
  }
  assert(elapsed_s > 0 && sum.commits > 0);
  const std::string name(engine.name());
  out.push_back({name, workload, static_cast<double>(sum.commits) / elapsed_s});
  out.push_back(
      {name, workload + "_conflict_rate",
       static_cast<double>(sum.retries) / static_cast<double>(sum.commits + sum.retries)});
  out.push_back({name, workload + "_retries", static_cast<double>(sum.retries)});
  if (sum.commits < planned) {
    out.push_back({name, workload + "_capped_txns", static_cast<double>(sum.commits)});
  }
  total_commits += sum.commits;
  return faultfs::Status::ok();
}

// Reads every key through one snapshot: each value checked, and the counters
// must add up to 2 increments per commit.
faultfs::Status check_counters(TxnEngine& engine, const ValueSource& values, uint64_t keys,
                               uint64_t total_commits) {
  auto session = engine.session();
  if (!session.is_ok()) return session.status();
  if (faultfs::Status st = (*session)->begin_snapshot(); !st.is_ok()) return st;
  uint64_t sum = 0;
  std::string value;
  for (uint64_t i = 0; i < keys; ++i) {
    auto found = (*session)->snapshot_get(Key(i).view(), &value);
    if (!found.is_ok()) return found.status();
    if (!*found) {
      return faultfs::Status(
          faultfs::ErrorCode::kNotFound,
          std::string(engine.name()) + ": loaded key " + std::to_string(i) + " is gone");
    }
    auto counter = txn_counter(values, i, value);
    if (!counter.is_ok()) return counter.status();
    sum += *counter;
  }
  if (faultfs::Status st = (*session)->end_snapshot(); !st.is_ok()) return st;
  if (sum != kKeysPerTxn * total_commits) {
    return faultfs::Status(faultfs::ErrorCode::kCorruption,
                           std::string(engine.name()) + ": counters add up to " +
                               std::to_string(sum) + " after " + std::to_string(total_commits) +
                               " committed 2-key increments");
  }
  return faultfs::Status::ok();
}

// Ten gets per round, each in a snapshot of its own (`snapshot`) or plain:
// the same keys, so the two rates compare what a snapshot costs.
faultfs::Status run_snapshots(TxnEngine& engine, const ValueSource& values,
                              const WorkloadSizes& sizes, bool snapshot, Measurements& out) {
  auto session = engine.session();
  if (!session.is_ok()) return session.status();
  const std::vector<uint32_t> picks =
      random_indexes(sizes.txn_snapshots * kGetsPerSnapshot, sizes.txn_keys, kTxnSeed);
  const Deadline deadline(sizes.txn_time_max_s);
  const Stopwatch watch;
  uint64_t done = 0;
  std::string value;
  while (done < sizes.txn_snapshots) {
    if (snapshot) {
      if (faultfs::Status st = (*session)->begin_snapshot(); !st.is_ok()) return st;
    }
    for (uint64_t g = 0; g < kGetsPerSnapshot; ++g) {
      const uint32_t index = picks[done * kGetsPerSnapshot + g];
      auto found = snapshot ? (*session)->snapshot_get(Key(index).view(), &value)
                            : (*session)->plain_get(Key(index).view(), &value);
      if (!found.is_ok()) return found.status();
      if (!*found) {
        return faultfs::Status(
            faultfs::ErrorCode::kNotFound,
            std::string(engine.name()) + ": a snapshot missed loaded key " + std::to_string(index));
      }
      if (auto counter = txn_counter(values, index, value); !counter.is_ok()) {
        return counter.status();
      }
    }
    if (snapshot) {
      if (faultfs::Status st = (*session)->end_snapshot(); !st.is_ok()) return st;
    }
    ++done;
    if (deadline.expired(done)) break;
  }
  const std::string name(engine.name());
  const std::string figure = snapshot ? "txn_snapshot_10get" : "txn_plain_10get";
  out.push_back({name, figure, static_cast<double>(done) / watch.elapsed_s()});
  if (done < sizes.txn_snapshots) {
    out.push_back({name, figure + "_capped_txns", static_cast<double>(done)});
  }
  return faultfs::Status::ok();
}

faultfs::Result<std::unique_ptr<TxnEngine>> open_txn_engine(std::string_view name,
                                                            const std::string& dir,
                                                            Durability durability) {
  auto engine = make_txn_engine(name);
  if (!engine.is_ok()) return engine.status();
  if (faultfs::Status st = (*engine)->open(dir, TxnOptions{durability, 1000}); !st.is_ok()) {
    return st;
  }
  return std::move(engine).value();
}

}  // namespace

std::string txn_value(const ValueSource& values, uint64_t index, uint64_t counter) {
  std::string value(values.value(index));
  assert(value.size() == kValueSizeBytes && kValueSizeBytes > kCounterBytes);
  for (uint64_t i = 0; i < kCounterBytes; ++i) value[i] = static_cast<char>(counter >> (8 * i));
  return value;
}

faultfs::Result<uint64_t> txn_counter(const ValueSource& values, uint64_t index,
                                      std::string_view value) {
  const std::string_view expected = values.value(index);
  if (value.size() != expected.size() ||
      value.substr(kCounterBytes) != expected.substr(kCounterBytes)) {
    return faultfs::Status(faultfs::ErrorCode::kCorruption,
                           "key " + std::to_string(index) + " has a value that was never written");
  }
  uint64_t counter = 0;
  for (uint64_t i = 0; i < kCounterBytes; ++i) {
    counter |= uint64_t{static_cast<unsigned char>(value[i])} << (8 * i);
  }
  return counter;
}

faultfs::Result<Measurements> run_txn_suite(std::string_view engine_name, const std::string& dir,
                                            const WorkloadSizes& sizes) {
  if (faultfs::Status st = precondition_fresh_dir(dir); !st.is_ok()) return st;
  const ValueSource values;
  Measurements out;
  uint64_t total_commits = 0;
  // Lazy first (the load is Lazy too), then a reopen at Full.
  for (const Durability durability : {Durability::kLazy, Durability::kFull}) {
    const bool full = durability == Durability::kFull;
    auto engine = open_txn_engine(engine_name, dir, durability);
    if (!engine.is_ok()) return engine.status();
    TxnEngine& e = **engine;
    if (!full) {
      if (faultfs::Status st = load_table(e, values, sizes.txn_keys); !st.is_ok()) return st;
    }
    if (e.has_transactions()) {
      const uint64_t planned = full ? sizes.txn_rmw_full_txns : sizes.txn_rmw_lazy_txns;
      const std::string workload = full ? "txn_rmw_2key_4t_full" : "txn_rmw_2key_4t_lazy";
      if (faultfs::Status st = run_rmw(e, values, sizes, planned, workload, out, total_commits);
          !st.is_ok()) {
        return st;
      }
    }
    if (full) {
      if (faultfs::Status st = check_counters(e, values, sizes.txn_keys, total_commits);
          !st.is_ok()) {
        return st;
      }
      for (const bool snapshot : {true, false}) {
        if (faultfs::Status st = run_snapshots(e, values, sizes, snapshot, out); !st.is_ok()) {
          return st;
        }
      }
    }
    if (faultfs::Status st = e.close(); !st.is_ok()) return st;
  }
  return out;
}

}  // namespace bench
