// GroupCommit: one WAL sync shared by every writer waiting on it.
//
// Invariants:
//  - durable_sequence() only grows (until reset by a checkpoint) and every
//    record with a sequence at or below it has been covered by a successful
//    sync of the log;
//  - at most one sync runs at a time; writers arriving during it wait for it
//    and, if it does not cover them, the next one (whose leader takes
//    everything appended by then);
//  - a failed sync is sticky: every later call returns the same error, since
//    after a failed fsync the kernel may have dropped the dirty pages and a
//    retried fsync proves nothing (the database goes read-only).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>

#include "faultfs/status.h"

namespace dbx {

class GroupCommit {
 public:
  struct Hooks {
    std::function<uint64_t()> appended_sequence;  // Highest sequence written to the log.
    std::function<faultfs::Status()> sync;        // fdatasync of the log.
  };

  GroupCommit(Hooks hooks, uint64_t durable_sequence);

  // Returns once every record with sequence <= `sequence` is durable, leading a
  // sync if none is running. Error: the sync that had to cover it failed.
  [[nodiscard]] faultfs::Status sync_through(uint64_t sequence);

  // Declares everything through `sequence` durable (a checkpoint synced it).
  void mark_durable(uint64_t sequence);

  uint64_t durable_sequence() const;
  uint64_t syncs_completed() const;
  bool failed() const;

 private:
  const Hooks hooks_;
  mutable std::mutex mutex_;
  std::condition_variable synced_;
  bool syncing_ = false;
  uint64_t durable_sequence_;
  uint64_t syncs_completed_ = 0;
  std::optional<faultfs::Status> failure_;
};

}  // namespace dbx
