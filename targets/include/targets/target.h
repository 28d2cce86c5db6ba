// targets::Target: the engine-shaped seam the oracle and the torture harness
// drive. Anything that stores tables of keys through a faultfs::FileSystem can
// be a target: the DBX engine, the test doubles with known recovery bugs,
// SQLite through a faultfs VFS, or a plugin's engine (targets/plugin.h).
// A guide for target authors: targets/README.md.
//
// Crash model for drivers: a target is one process's handle. To model a
// process kill, drop the handle and open a new target on a copy of the file
// system as it was (SimFs::clone()); to model a power loss, open it on a crash
// image (SimFs::crash()). Destroying an open target closes it as well as it
// can, on the file system it was opened on, and reports nothing.
//
// Threads: the harness calls one target from one thread at a time in sim
// mode; in fork mode several writer threads call apply() at once, and one of
// them may call flush() meanwhile (open/close/read_all are never concurrent
// with anything). A target that cannot take concurrent apply() calls
// serialises them itself.
//
// Errors: every operation returns a Status the harness can see; a target never
// throws, and never reports success for work that failed. The codes mean:
//   kInvalidArgument, kBusy  a refusal that stored nothing (bad input, closed,
//                            read-only, locked): write_maybe_applied() false;
//   kCorruption              open() found damaged durable data and refuses it:
//                            the only acceptable answer, besides a state inside
//                            the bounds, to a beyond-contract fault;
//   kIoError, kNoSpace, ...  the file system failed; a failed apply() may or
//                            may not have stored the write.
//
// Time: background work (Lazy's periodic sync, background checkpoints) either
// runs on the target's own threads and the real clock, or, when the tuning
// says TargetTuning::harness_clock, only inside background(now), on a clock
// the harness keeps (the simulation's virtual time). The bounds never ask the
// target what it synced: Lazy's power-loss promise is checked against the
// times of the acknowledgements and of the crash (oracle/bounds.h).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "faultfs/file_system.h"
#include "faultfs/status.h"
#include "targets/sealed_items.h"
#include "targets/types.h"

namespace targets {

// How a harness tunes a target it creates. Doubles honour the fields that
// apply to them (sync_interval, harness_clock); the rest are DBX's.
struct TargetTuning {
  // Lazy's promise: a write acknowledged more than this (plus the harness's
  // slack) before a power loss survives it.
  std::chrono::milliseconds sync_interval{100};
  // Background work runs only inside Target::background(now), on the
  // harness's clock (deterministic); otherwise on the target's own threads.
  bool harness_clock = false;
  // dbx::Options::wal_preallocate_bytes and delta_flush_threshold_bytes.
  uint64_t wal_preallocate_bytes = 4ull << 20;
  uint64_t delta_flush_threshold_bytes = 64ull << 20;
  // dbx::Options::flush_interval (0: none).
  std::chrono::milliseconds flush_interval{0};
  // dbx::Options::wos_compaction_min_bytes: the store's compaction trigger.
  uint64_t wos_compaction_min_bytes = 1ull << 20;

  bool operator==(const TargetTuning&) const = default;
};

// One open snapshot-isolation transaction of a target with
// TargetCapabilities::transactions (engine/doc/transactions.md states DBX's
// rules, which are the ones the isolation judge checks):
//  - get() sees the state at the transaction's begin plus its own writes;
//  - write() buffers a put or a delete: nothing is visible to others, or
//    durable, before commit();
//  - commit() applies every write as one write (in or out as a whole after
//    any crash, durable as apply()'s level promises) and returns its
//    sequence number, or fails kConflict, storing nothing, when another
//    writer committed a key it wrote after it began; a read-only
//    transaction never conflicts;
//  - rollback(), and destroying an open transaction, discard its writes.
// After commit() or rollback() returned, every call is kInvalidArgument.
// Destroy every transaction before its target closes or is destroyed. In
// fork mode each transaction belongs to one thread; several threads run
// their own at once.
class TargetTransaction {
 public:
  virtual ~TargetTransaction() = default;
  // The value of (table, key), nullopt when absent.
  [[nodiscard]] virtual faultfs::Result<std::optional<std::string>> get(const std::string& table,
                                                                        const std::string& key) = 0;
  [[nodiscard]] virtual faultfs::Status write(const Op& op) = 0;
  // The commit's sequence number, in apply()'s numbering.
  [[nodiscard]] virtual faultfs::Result<uint64_t> commit() = 0;
  [[nodiscard]] virtual faultfs::Status rollback() = 0;
};

class Target {
 public:
  virtual ~Target() = default;

  // Opens, creating if missing, the database in directory `dir` of `fs` with
  // `durability`; runs recovery. `fs` must outlive the open target. A second
  // open() without close() is kInvalidArgument.
  [[nodiscard]] virtual faultfs::Status open(faultfs::FileSystem& fs, const std::string& dir,
                                             Durability durability) = 0;
  // Applies `write` (non-empty) atomically: one put, one delete, or a batch
  // across tables. Returns once the durability level's promise holds, with
  // the sequence number the target gave the write: writes are in the target
  // in that order (concurrent callers learn their commit order from it).
  [[nodiscard]] virtual faultfs::Result<uint64_t> apply(const Write& write) = 0;
  // With TargetTuning::harness_clock: runs the background work due at `now`
  // (the harness's clock, nanoseconds from any fixed origin, never going
  // back), as if the time up to `now` had passed. Otherwise OK and nothing.
  // An error is that work's failure (the target may now refuse writes).
  [[nodiscard]] virtual faultfs::Status background(std::chrono::nanoseconds now) = 0;
  // Checkpoints: everything applied so far is durable once this returns OK.
  // A target without TargetCapabilities::checkpoint returns OK having done
  // what it has (or nothing); the harness then draws no bound from it.
  [[nodiscard]] virtual faultfs::Status flush() = 0;
  // Every row of every table, sorted by (table, key).
  [[nodiscard]] virtual faultfs::Result<State> read_all() = 0;
  // Closes cleanly (a checkpoint in None mode, a sync otherwise; without
  // TargetCapabilities::close_syncs no promise, and no bound). Closing a
  // closed target is OK.
  [[nodiscard]] virtual faultfs::Status close() = 0;
  virtual bool is_open() const = 0;
  // What the last successful open()'s recovery did, as labels from
  // TargetInfo::recovery_outcomes (the campaign's reach table counts them).
  // The target's own account: it feeds coverage, never a bound or a verdict.
  // Empty for a target that does not tell.
  virtual std::vector<std::string> recovery_outcomes() const { return {}; }
  // With TargetCapabilities::transactions: begins a transaction on the open
  // target (TargetTransaction states the rules). Otherwise kInvalidArgument.
  [[nodiscard]] virtual faultfs::Result<std::unique_ptr<TargetTransaction>> begin_transaction() {
    return faultfs::Status(faultfs::ErrorCode::kInvalidArgument, "no transactions");
  }
};

// Whether a write that failed with `error` may still reach a recovered state:
// false only for refusals that store nothing (kInvalidArgument — bad input,
// a read-only or closed database — kBusy, and a commit's kConflict).
bool write_maybe_applied(const faultfs::Status& error);

// What a target promises beyond apply()'s durability level. The harness
// draws a bound only from a promise the target makes, and judges the rest.
struct TargetCapabilities {
  // flush() makes every write applied before it durable (a checkpoint).
  bool checkpoint = true;
  // close() makes every applied write durable.
  bool close_syncs = true;
  // With TargetTuning::harness_clock all background work runs inside
  // background(now), so sim mode is deterministic. Without it the target's
  // own threads run it; sim mode still runs, but a finding may not replay.
  bool harness_clock = true;
  // open() creates a missing database directory itself, durably. Otherwise
  // the harness creates it, and syncs its parent, before the first open.
  bool creates_dir = true;
  // begin_transaction() runs snapshot-isolation transactions; workloads then
  // interleave them with plain writes, and the isolation judge checks them.
  bool transactions = false;

  bool operator==(const TargetCapabilities&) const = default;
};

// "checkpoint,close-syncs,harness-clock,creates-dir,transactions" (those it
// has; "none").
std::string capability_names(const TargetCapabilities& capabilities);

struct TargetInfo;
// For a target without TargetCapabilities::creates_dir: creates `dir` on
// `fs` if missing and syncs its parent, as a careful application would
// before it opens a database there. OK and nothing for any other target.
[[nodiscard]] faultfs::Status prepare_database_dir(const TargetInfo& info, faultfs::FileSystem& fs,
                                                   const std::string& dir);

// One entry of the registry the torture CLI lists.
struct TargetInfo {
  std::string name;         // kebab-case, unique: "dbx", "no-sync-full", ...
  std::string description;  // One line.
  bool known_bug = false;   // A test double: the lab must catch it.
  // The durability levels in which its bug can show (all three for "dbx").
  std::vector<Durability> durabilities;
  std::function<std::unique_ptr<Target>(const TargetTuning&)> make;
  // The libfiu points at which fork mode may kill the target's process (each
  // raises SIGKILL when enabled), and the labels Target::recovery_outcomes()
  // may return. A campaign's reach table lists each, and flags those that
  // no crash state reached.
  std::vector<std::string> kill_points;
  std::vector<std::string> recovery_outcomes;
  TargetCapabilities capabilities;
  // An encrypted target: every sealed item of the database in `dir` of `fs`,
  // read from its own on-disk format without a key (the lab's nonce-reuse
  // check feeds them to one ledger per history). Null for a plain target,
  // which then costs the lab nothing.
  std::function<faultfs::Result<std::vector<SealedItem>>(faultfs::FileSystem& fs,
                                                         const std::string& dir)>
      sealed_items;
};

// Every target: the built-in ones ("dbx" first, then the doubles and the
// SQLite targets in a fixed order), then those add_targets() added, in order.
const std::vector<TargetInfo>& target_registry();
// The entry named `name`, or nullptr.
const TargetInfo* find_target(std::string_view name);
// Appends `infos` (a plugin's targets) to the registry. kInvalidArgument, and
// nothing added, if a name is taken, not kebab-case, or an entry lacks a
// description, a durability level or make(). Call before any campaign
// starts: references into the registry stay valid only until the next call.
[[nodiscard]] faultfs::Status add_targets(std::vector<TargetInfo> infos);

}  // namespace targets
