// The DBX engine as an oracle::Target (dbx::Database over faultfs).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>

#include "oracle/target.h"

namespace oracle {

struct DbxTargetOptions {
  // Lazy mode's background sync period. The property test sets it far beyond
  // its run time so that what a crash keeps depends on the commands alone.
  std::chrono::milliseconds sync_interval{100};
  // Strict recovery (the default) fails the open on a bad record followed by
  // valid ones; see dbx::RecoveryMode.
  bool tolerate_corrupt_tail = false;
  // dbx::Options::wal_preallocate_bytes. Harnesses use a small chunk: their
  // short workloads then cross preallocation boundaries often, and a reopen
  // does not read megabytes of zeros.
  uint64_t wal_preallocate_bytes = 4ull << 20;
  // dbx::Options::delta_flush_threshold_bytes. A few KiB makes the engine's
  // background checkpoints (which run while writers continue, and may leave
  // the log uncut) happen inside a short workload.
  uint64_t delta_flush_threshold_bytes = 64ull << 20;
};

std::unique_ptr<Target> make_dbx_target(const DbxTargetOptions& options = {});

}  // namespace oracle
