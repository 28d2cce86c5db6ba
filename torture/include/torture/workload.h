// A torture workload: the ordered steps one campaign run drives a target
// through (writes, flushes, clean reopens), generated from a seed.
//
// A workload is a value: the same seed and shape always give the same steps,
// and its JSON form (workload_to_json) is everything a failure artifact needs
// to re-run it on any machine. Injected I/O faults are part of the steps, so a
// replay injects the very same faults at the very same places.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "faultfs/fault_injection.h"
#include "faultfs/status.h"
#include "targets/types.h"

namespace torture {

// Limits every workload (generated or parsed from an artifact) stays within.
inline constexpr size_t kWorkloadStepsMax = 100'000;
inline constexpr size_t kBatchOpsMax = 64;
inline constexpr size_t kKeyBytesMax = 64 * 1024;
inline constexpr size_t kValueBytesMax = 64 * 1024;
inline constexpr size_t kTableBytesMax = 64;

inline constexpr uint32_t kWaitMsMax = 60'000;

enum class StepKind : uint8_t {
  kWrite,   // One put, one delete or an atomic batch: one sequence number.
  kFlush,   // A checkpoint.
  kReopen,  // A clean close, then an open (recovery of a clean shutdown).
  kWait,    // Time passes (wait_ms) and the target's due background work runs:
            // virtual time in the simulation, a real sleep in fork mode.
  kCrash,   // A power loss: the simulation recovers one crash image of the
            // state so far (drawn from the seed), judges it and runs the rest
            // of the workload on it, a second generation that inherits
            // whatever the first left behind (a torn tail, stale recycled
            // bytes, a restarted sequence). Fork mode kills once per workload
            // and runs this step as nothing.
  kTxn,     // One action of a transaction (TxnStep), for a target with
            // TargetCapabilities::transactions.
};

// Transactions a workload keeps open at once: slots 0 .. kTxnSlotsMax - 1.
inline constexpr uint32_t kTxnSlotsMax = 4;

enum class TxnAction : uint8_t { kBegin, kGet, kWrite, kCommit, kRollback };
// "begin", "get", "write", "commit", "rollback".
const char* txn_action_name(TxnAction action);

// One action of the transaction in `slot`. A slot's transaction runs from a
// begin to its commit or rollback; a reopen, a crash or an I/O error that
// recovers the target ends (rolls back) every open one. An action on a slot
// with no open transaction, or a begin on an open one, is skipped: a shrunk
// workload stays meaningful whatever steps it lost.
struct TxnStep {
  uint32_t slot = 0;
  TxnAction action = TxnAction::kBegin;
  // kGet: table and key. kWrite: the put or delete.
  targets::Op op;

  bool operator==(const TxnStep&) const = default;
};

// "write", "flush", "reopen", "wait", "crash".
const char* step_kind_name(StepKind kind);

// An I/O error armed for exactly one step: the first call of `op` during the
// step fails with `kind` (faultfs's libfiu points), later calls succeed.
struct IoFault {
  faultfs::FaultOp op = faultfs::FaultOp::kSync;
  faultfs::FaultKind kind = faultfs::FaultKind::kIoError;

  bool operator==(const IoFault&) const = default;
};

struct Step {
  StepKind kind = StepKind::kWrite;
  targets::Write write;  // Non-empty exactly when kind == kWrite.
  uint32_t wait_ms = 0;  // 1..kWaitMsMax exactly when kind == kWait.
  // kCrash only (0 otherwise): seeds the power loss's draws (its crash
  // policy and which unsynced bytes survive). It belongs to the step, not to
  // the step's position, so a shrink that drops earlier steps keeps the same
  // crash image and with it the finding's cause.
  uint64_t crash_seed = 0;
  TxnStep txn;  // kTxn only (default otherwise).
  std::optional<IoFault> fault;

  bool operator==(const Step&) const = default;
};

struct Workload {
  uint64_t seed = 0;
  // The target's tuning for this workload, drawn from the seed and scaled
  // down so that a 100-step workload reaches the paths it controls.
  // Lazy's sync interval (milliseconds of the run's clock): small, so that
  // wait steps outlast it and Lazy's promise in time is checked.
  uint32_t sync_interval_ms = 20;
  // dbx::Options: background checkpoint trigger, WAL preallocation chunk
  // (0: none), background checkpoint period (0: none).
  uint64_t delta_flush_threshold_bytes = 64ull << 20;
  uint64_t wal_preallocate_bytes = 64 * 1024;
  uint32_t flush_interval_ms = 0;
  // dbx::Options::wos_compaction_min_bytes: the store compacts past it.
  uint64_t wos_compaction_min_bytes = 1ull << 20;
  std::vector<Step> steps;

  bool operator==(const Workload&) const = default;
};

// What generate_workload() draws.
struct WorkloadShape {
  uint32_t ops = 100;      // Steps, 1 ..= kWorkloadStepsMax.
  bool io_errors = false;  // Arm 1..3 I/O faults on random steps.
  // Interleave transactions (several open at once, over a few hot keys so
  // that they conflict) with the other steps: for targets with
  // TargetCapabilities::transactions. Off, the steps are what they were.
  bool transactions = false;
};

// Deterministic in (seed, shape). Keys come mostly from a small pool so that
// overwrites and deletes hit; key and value sizes run from empty to 64 KiB,
// most of them a few bytes.
Workload generate_workload(uint64_t seed, const WorkloadShape& shape);

// Operations in the workload: steps, counting a batch as one.
size_t workload_ops(const Workload& workload);
size_t workload_faults(const Workload& workload);

// JSON text of the workload (bytes that are not printable ASCII are hex).
std::string workload_to_json(const Workload& workload);
// The inverse; kCorruption naming the offending field for anything malformed
// or beyond the limits above. Never throws.
[[nodiscard]] faultfs::Result<Workload> workload_from_json(std::string_view text);

// One line describing a step for logs and reports ("put t0/k3 (12 B)").
std::string describe_step(const Step& step);

}  // namespace torture
