// The compared workloads. Each runs against one engine in a fresh
// directory and returns its figures; bench/run takes the median of three runs,
// each in its own process so that no engine inherits another's heap or threads.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "faultfs/status.h"

namespace bench {

// How many operations each workload does; scaled() shrinks them for smoke runs.
struct WorkloadSizes {
  uint64_t fillseq_sync_writes = 20'000;
  uint64_t fillrandom_sync_writes = 20'000;  // Spread over the threads.
  uint64_t fillrandom_sync_threads = 4;
  uint64_t fill_writes = 1'000'000;  // fillrandom_lazy / _none, and what readrandom reads.
  uint64_t readrandom_reads = 1'000'000;
  // Seeks of seekrandom_next100, each reading the next 100 rows.
  uint64_t seekrandom_seeks = 100'000;
  uint64_t recovery_writes = 1'000'000;
  // Time caps (see Deadline): a capped loop reports its rate over what it did
  // and a "<workload>_capped_writes" / "readrandom_capped_reads" figure.
  double sync_time_max_s = 6;
  double fill_time_max_s = 20;
  double read_time_max_s = 10;
  double seek_time_max_s = 3;
  // The transactional suite (txn_workloads.h): a preloaded table, then
  // read-modify-write transactions of 2 keys by 4 threads, Lazy and Full, and
  // single-threaded read-only snapshots of 10 gets.
  uint64_t txn_keys = 100'000;
  uint64_t txn_threads = 4;
  uint64_t txn_rmw_lazy_txns = 200'000;  // Spread over the threads.
  uint64_t txn_rmw_full_txns = 20'000;
  uint64_t txn_snapshots = 200'000;
  double txn_time_max_s = 2;  // Per loop; three loops per run.

  // factor in (0, 1]; every count stays at least 1 per thread.
  static WorkloadSizes scaled(double factor);
};

// One figure. `workload` names the row of the results table; ops/s unless the
// name ends in _s (seconds) or _mb_s (MB/s, 10^6 bytes); a name holding
// "_capped_" counts the operations a time-capped loop did.
struct Measurement {
  std::string engine;
  std::string workload;
  double value = 0;
};
using Measurements = std::vector<Measurement>;

// The suites bench/run invokes, by name.
inline constexpr std::string_view kSuiteNames[] = {"fillseq_sync",    "fillrandom_sync_4t", "lazy",
                                                   "fillrandom_none", "recovery",           "txn"};

// OK when `dir` does not exist yet (its parent is created); kAlreadyExists
// otherwise: every run needs a fresh directory.
[[nodiscard]] faultfs::Status precondition_fresh_dir(const std::string& dir);

// Runs suite `suite` against `engine` in `dir` (must not exist yet). The
// "txn" suite takes the names of kTxnEngineNames (txn_engine.h).
[[nodiscard]] faultfs::Result<Measurements> run_suite(std::string_view suite,
                                                      std::string_view engine,
                                                      const std::string& dir,
                                                      const WorkloadSizes& sizes);

// fillseq_sync: writes in key order, Full, one thread.
[[nodiscard]] faultfs::Result<Measurements> run_fillseq_sync(std::string_view engine,
                                                             const std::string& dir,
                                                             const WorkloadSizes& sizes);
// fillrandom_sync_4t: threads writing disjoint random keys, Full (group commit).
[[nodiscard]] faultfs::Result<Measurements> run_fillrandom_sync(std::string_view engine,
                                                                const std::string& dir,
                                                                const WorkloadSizes& sizes);
// fillrandom_lazy, then flush + close, open_s (open + first get), readrandom
// (gets of keys that all exist, each value checked), seekrandom_next100
// (seeks/s; read_loops.h) and scan (rows/s).
[[nodiscard]] faultfs::Result<Measurements> run_lazy_suite(std::string_view engine,
                                                           const std::string& dir,
                                                           const WorkloadSizes& sizes);
// fillrandom_none: DBX only (no WAL), writes up to but not including close.
[[nodiscard]] faultfs::Result<Measurements> run_fillrandom_none(std::string_view engine,
                                                                const std::string& dir,
                                                                const WorkloadSizes& sizes);
// recovery_s: a forked child writes recovery_writes in Lazy mode, then is
// SIGKILLed; seconds for open + first read. recovery_wal_mb_s: log bytes left
// on disk by the child over those seconds. recovery.cc.
[[nodiscard]] faultfs::Result<Measurements> run_recovery(std::string_view engine,
                                                         const std::string& dir,
                                                         const WorkloadSizes& sizes);

}  // namespace bench
