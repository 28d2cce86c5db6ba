// The DBX engine as an targets::Target (dbx::Database over faultfs).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "targets/target.h"

namespace targets {

// The tuning (TargetTuning's defaults are dbx::Options's), plus recovery's mode.
// Harnesses use a small WAL preallocation chunk (short workloads then cross
// its boundaries, and a reopen does not read megabytes of zeros) and a delta
// threshold of a few KiB (background checkpoints then run inside a short
// workload, beside the writers).
struct DbxTargetOptions : TargetTuning {
  // Strict recovery (the default) fails the open on a bad record followed by
  // valid ones; see dbx::RecoveryMode.
  bool tolerate_corrupt_tail = false;
  // How apply() writes: a put or a WriteBatch (as shipped), or a transaction
  // that reads each key it writes and commits once ("dbx-txn": the crash
  // judge then checks that a commit is one write, whole or absent after any
  // crash). kTransactionPerOp commits each operation of a write as its own
  // transaction: a test double whose multi-operation writes are not atomic.
  enum class WritePath { kBatch, kTransaction, kTransactionPerOp };
  WritePath write_path = WritePath::kBatch;
  // How begin_transaction()'s transactions behave: as shipped (DBX's
  // snapshot isolation), or a test double with one isolation bug:
  //  kSharedWriteBuffer  a get sees other open transactions' buffered
  //                      writes (dirty_read);
  //  kNoConflictCheck    commit never checks for a concurrent writer of its
  //                      keys (lost_update);
  //  kReadLatest         a get reads the latest committed state, not the
  //                      snapshot (non_repeatable_read);
  //  kCommitPerOp        commit writes each operation as its own write
  //                      (torn_commit after a crash).
  enum class TxnBug { kNone, kSharedWriteBuffer, kNoConflictCheck, kReadLatest, kCommitPerOp };
  TxnBug txn_bug = TxnBug::kNone;
  // Opens every database encrypted (dbx::Options::encryption) with one fixed
  // raw key: "dbx-encrypted".
  bool encrypted = false;
  // With `encrypted`: dbx::Options::lab_nonce_counter_restarts, the
  // nonce-reuse double "dbx-encrypted-nonce-restart".
  bool nonce_counter_restarts = false;
};

std::unique_ptr<Target> make_dbx_target(const DbxTargetOptions& options = {});
// The DBX engine tuned by `tuning`, strict recovery, writing through `path`.
std::unique_ptr<Target> make_dbx_target(
    const TargetTuning& tuning,
    DbxTargetOptions::WritePath path = DbxTargetOptions::WritePath::kBatch,
    DbxTargetOptions::TxnBug txn_bug = DbxTargetOptions::TxnBug::kNone);
// Every label its recovery_outcomes() may return, from dbx::RecoveryStats:
// "clean" (the log ended at a clean end and nothing was dropped),
// "torn_tail_dropped", "recycled_tail" (the log ended where a recycled
// file's stale bytes begin), "checkpoint_skip" (records the store already
// covered were skipped) and "compaction_rolled_forward".
std::vector<std::string> dbx_recovery_outcome_labels();
// TargetInfo::sealed_items of the encrypted DBX targets: dbx::inspect_nonces
// (the engine's own format reader), its dbx::Error as a Status.
[[nodiscard]] faultfs::Result<std::vector<SealedItem>> dbx_sealed_items(faultfs::FileSystem& fs,
                                                                      const std::string& dir);

}  // namespace targets
