#include "workloads.h"

#include <algorithm>
#include <cassert>
#include <filesystem>
#include <latch>
#include <memory>
#include <span>
#include <thread>

#include "kv_engine.h"
#include "read_loops.h"
#include "stopwatch.h"
#include "txn_workloads.h"
#include "workload_data.h"

namespace bench {
namespace {

// Seeds, fixed so that every engine sees the same key order.
constexpr uint64_t kFillSeed = 1;
constexpr uint64_t kReadSeed = 2;
constexpr uint64_t kSeekSeed = 3;

// Puts the keys of `indexes` in order from one thread until all are written
// or `deadline` expires; returns how many were written (at least one).
faultfs::Result<uint64_t> put_until(KvEngine& engine, const ValueSource& values,
                                    std::span<const uint32_t> indexes, const Deadline& deadline) {
  uint64_t done = 0;
  for (const uint32_t index : indexes) {
    if (faultfs::Status st = engine.put(Key(index).view(), values.value(index)); !st.is_ok()) {
      return st;
    }
    ++done;
    if (deadline.expired(done)) break;
  }
  return done;
}

void note_capped(Measurements& out, const std::string& engine, const std::string& figure,
                 uint64_t done, uint64_t planned) {
  assert(done <= planned);
  if (done < planned) out.push_back({engine, figure, static_cast<double>(done)});
}

faultfs::Result<Measurements> fill_one_thread(std::string_view engine_name, const std::string& dir,
                                              Durability durability, const std::string& workload,
                                              const std::vector<uint32_t>& indexes,
                                              double time_max_s) {
  if (faultfs::Status st = precondition_fresh_dir(dir); !st.is_ok()) return st;
  const ValueSource values;
  auto engine = open_engine(engine_name, dir, EngineOptions{durability, false});
  if (!engine.is_ok()) return engine.status();
  const Stopwatch watch;
  auto done = put_until(**engine, values, indexes, Deadline(time_max_s));
  if (!done.is_ok()) return done.status();
  const double elapsed_s = watch.elapsed_s();
  if (faultfs::Status st = (*engine)->close(); !st.is_ok()) return st;
  const std::string name(engine_name);
  Measurements out{{name, workload, per_second(*done, elapsed_s)}};
  note_capped(out, name, workload + "_capped_writes", *done, indexes.size());
  return out;
}

}  // namespace

faultfs::Status precondition_fresh_dir(const std::string& dir) {
  std::error_code ec;
  if (std::filesystem::exists(dir, ec)) {
    return faultfs::Status(faultfs::ErrorCode::kAlreadyExists,
                           dir + " exists: every run needs a fresh directory");
  }
  std::filesystem::create_directories(std::filesystem::path(dir).parent_path(), ec);
  if (ec) return faultfs::Status(faultfs::ErrorCode::kIoError, "mkdir: " + ec.message());
  return faultfs::Status::ok();
}

WorkloadSizes WorkloadSizes::scaled(double factor) {
  assert(factor > 0 && factor <= 1);
  WorkloadSizes sizes;
  auto scale = [factor, &sizes](uint64_t full) {
    return std::max<uint64_t>(sizes.fillrandom_sync_threads,
                              static_cast<uint64_t>(static_cast<double>(full) * factor));
  };
  sizes.fillseq_sync_writes = scale(sizes.fillseq_sync_writes);
  sizes.fillrandom_sync_writes = scale(sizes.fillrandom_sync_writes);
  sizes.fill_writes = scale(sizes.fill_writes);
  sizes.readrandom_reads = scale(sizes.readrandom_reads);
  sizes.seekrandom_seeks = scale(sizes.seekrandom_seeks);
  sizes.recovery_writes = scale(sizes.recovery_writes);
  sizes.txn_keys = scale(sizes.txn_keys);
  sizes.txn_rmw_lazy_txns = scale(sizes.txn_rmw_lazy_txns);
  sizes.txn_rmw_full_txns = scale(sizes.txn_rmw_full_txns);
  sizes.txn_snapshots = scale(sizes.txn_snapshots);
  return sizes;
}

faultfs::Result<Measurements> run_suite(std::string_view suite, std::string_view engine,
                                        const std::string& dir, const WorkloadSizes& sizes) {
  if (suite == "fillseq_sync") return run_fillseq_sync(engine, dir, sizes);
  if (suite == "fillrandom_sync_4t") return run_fillrandom_sync(engine, dir, sizes);
  if (suite == "lazy") return run_lazy_suite(engine, dir, sizes);
  if (suite == "fillrandom_none") return run_fillrandom_none(engine, dir, sizes);
  if (suite == "recovery") return run_recovery(engine, dir, sizes);
  if (suite == "txn") return run_txn_suite(engine, dir, sizes);
  return faultfs::Status(faultfs::ErrorCode::kInvalidArgument,
                         "unknown suite '" + std::string(suite) + "'");
}

faultfs::Result<Measurements> run_fillseq_sync(std::string_view engine, const std::string& dir,
                                               const WorkloadSizes& sizes) {
  std::vector<uint32_t> indexes(sizes.fillseq_sync_writes);
  for (uint32_t i = 0; i < indexes.size(); ++i) indexes[i] = i;
  return fill_one_thread(engine, dir, Durability::kFull, "fillseq_sync", indexes,
                         sizes.sync_time_max_s);
}

faultfs::Result<Measurements> run_fillrandom_none(std::string_view engine, const std::string& dir,
                                                  const WorkloadSizes& sizes) {
  return fill_one_thread(engine, dir, Durability::kNone, "fillrandom_none",
                         shuffled_indexes(sizes.fill_writes, kFillSeed), sizes.fill_time_max_s);
}

faultfs::Result<Measurements> run_fillrandom_sync(std::string_view engine_name,
                                                  const std::string& dir,
                                                  const WorkloadSizes& sizes) {
  const uint64_t threads = sizes.fillrandom_sync_threads;
  assert(threads >= 1 && threads <= 64);
  if (faultfs::Status st = precondition_fresh_dir(dir); !st.is_ok()) return st;
  const ValueSource values;
  const std::vector<uint32_t> all = shuffled_indexes(sizes.fillrandom_sync_writes, kFillSeed);
  std::vector<std::vector<uint32_t>> slices(threads);
  for (size_t i = 0; i < all.size(); ++i) slices[i % threads].push_back(all[i]);

  auto engine = open_engine(engine_name, dir, EngineOptions{Durability::kFull, false});
  if (!engine.is_ok()) return engine.status();
  std::vector<faultfs::Result<uint64_t>> results(threads, faultfs::Result<uint64_t>(uint64_t{0}));
  std::latch start(static_cast<std::ptrdiff_t>(threads) + 1);
  std::vector<std::thread> writers;
  writers.reserve(threads);
  const Deadline deadline(sizes.sync_time_max_s);
  for (uint64_t t = 0; t < threads; ++t) {
    writers.emplace_back([&, t] {
      start.arrive_and_wait();
      results[t] = put_until(**engine, values, slices[t], deadline);
    });
  }
  start.arrive_and_wait();
  const Stopwatch watch;
  for (std::thread& writer : writers) writer.join();
  const double elapsed_s = watch.elapsed_s();
  uint64_t done = 0;
  for (const faultfs::Result<uint64_t>& result : results) {
    if (!result.is_ok()) return result.status();
    done += result.value();
  }
  if (faultfs::Status st = (*engine)->close(); !st.is_ok()) return st;
  const std::string name(engine_name);
  Measurements out{{name, "fillrandom_sync_4t", per_second(done, elapsed_s)}};
  note_capped(out, name, "fillrandom_sync_4t_capped_writes", done, all.size());
  return out;
}

faultfs::Result<Measurements> run_lazy_suite(std::string_view engine_name, const std::string& dir,
                                             const WorkloadSizes& sizes) {
  if (faultfs::Status st = precondition_fresh_dir(dir); !st.is_ok()) return st;
  const std::string name(engine_name);
  const ValueSource values;
  Measurements out;
  const EngineOptions lazy{Durability::kLazy, false};
  const std::vector<uint32_t> indexes = shuffled_indexes(sizes.fill_writes, kFillSeed);
  uint64_t rows = 0;  // The keys written: indexes[0, rows).
  {
    auto engine = open_engine(engine_name, dir, lazy);
    if (!engine.is_ok()) return engine.status();
    const Stopwatch watch;
    auto done = put_until(**engine, values, indexes, Deadline(sizes.fill_time_max_s));
    if (!done.is_ok()) return done.status();
    rows = *done;
    out.push_back({name, "fillrandom_lazy", per_second(rows, watch.elapsed_s())});
    note_capped(out, name, "fillrandom_lazy_capped_writes", rows, indexes.size());
    if (faultfs::Status st = (*engine)->flush(); !st.is_ok()) return st;
    if (faultfs::Status st = (*engine)->close(); !st.is_ok()) return st;
  }
  assert(rows >= 1);

  std::string scratch;
  const Stopwatch open_watch;
  auto engine = open_engine(engine_name, dir, lazy);
  if (!engine.is_ok()) return engine.status();
  // SQLite reads nothing until the first statement: an open alone is no figure.
  if (faultfs::Status st = check_get(**engine, values, indexes[0], &scratch); !st.is_ok()) {
    return st;
  }
  out.push_back({name, "open_s", open_watch.elapsed_s()});

  const std::vector<uint32_t> picks = random_indexes(sizes.readrandom_reads, rows, kReadSeed);
  const Deadline read_deadline(sizes.read_time_max_s);
  const Stopwatch read_watch;
  uint64_t reads = 0;
  for (const uint32_t pick : picks) {
    if (faultfs::Status st = check_get(**engine, values, indexes[pick], &scratch); !st.is_ok()) {
      return st;
    }
    ++reads;
    if (read_deadline.expired(reads)) break;
  }
  out.push_back({name, "readrandom", per_second(reads, read_watch.elapsed_s())});
  note_capped(out, name, "readrandom_capped_reads", reads, picks.size());

  // Seeks over the whole planned key space: a capped fill left gaps, which
  // the written set accounts for.
  const WrittenKeys written = WrittenKeys::subset(std::span(indexes).first(rows));
  const Stopwatch seek_watch;
  auto seeks = seekrandom_next(**engine, indexes.size(), written, sizes.seekrandom_seeks, kSeekSeed,
                               Deadline(sizes.seek_time_max_s));
  if (!seeks.is_ok()) return seeks.status();
  out.push_back({name, "seekrandom_next100", per_second(*seeks, seek_watch.elapsed_s())});
  note_capped(out, name, "seekrandom_next100_capped_seeks", *seeks, sizes.seekrandom_seeks);

  const Stopwatch scan_watch;
  auto totals = (*engine)->scan();
  if (!totals.is_ok()) return totals.status();
  const double scan_s = scan_watch.elapsed_s();
  if (totals->rows != rows || totals->bytes != rows * (kKeySizeBytes + kValueSizeBytes)) {
    return faultfs::Status(faultfs::ErrorCode::kCorruption,
                           name + ": scan saw " + std::to_string(totals->rows) + " rows, " +
                               std::to_string(rows) + " written");
  }
  out.push_back({name, "scan", per_second(totals->rows, scan_s)});
  if (faultfs::Status st = (*engine)->close(); !st.is_ok()) return st;
  return out;
}

}  // namespace bench
