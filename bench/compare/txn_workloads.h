// The transactional suite ("txn"): one preloaded table, then
//   txn_rmw_2key_4t_lazy / _full  4 threads, each transaction reads 2 random
//       distinct keys and writes both back with their counter incremented;
//       a conflict is retried (same keys) and counted;
//   txn_snapshot_10get            1 thread, read-only snapshots of 10 gets.
// Every value read is checked, and after the read-modify-write loops the sum
// of all counters must equal 2 × the commits: a lost update or a half-applied
// transaction fails the run.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "faultfs/status.h"
#include "workload_data.h"
#include "workloads.h"

namespace bench {

// A transactional value: the key's ValueSource bytes with the first 8 bytes
// replaced by a counter (little-endian), so a read is still checkable.
std::string txn_value(const ValueSource& values, uint64_t index, uint64_t counter);
// The counter of `value` when it is a value of key `index`; kCorruption otherwise.
[[nodiscard]] faultfs::Result<uint64_t> txn_counter(const ValueSource& values, uint64_t index,
                                                    std::string_view value);

// Figures: txn_rmw_2key_4t_{lazy,full} (committed txns/s) with _conflict_rate
// (retries / attempts) and _retries; txn_snapshot_10get (snapshots/s); time
// caps as "<workload>_capped_txns". Engines without transactions (LevelDB)
// report the snapshot figure only.
[[nodiscard]] faultfs::Result<Measurements> run_txn_suite(std::string_view engine,
                                                          const std::string& dir,
                                                          const WorkloadSizes& sizes);

}  // namespace bench
