// oracle::Target: the engine-shaped seam the oracle and the torture harness
// drive. Anything that stores tables of keys through a faultfs::FileSystem can
// be a target: the DBX engine, the test doubles with known recovery bugs, or
// another engine wrapped the same way.
//
// Crash model for drivers: a target is one process's handle. To model a
// process kill, drop the handle and open a new target on a copy of the file
// system as it was (SimFs::clone()); to model a power loss, open it on a crash
// image (SimFs::crash()). Destroying an open target closes it as well as it
// can, on the file system it was opened on, and reports nothing.
//
// Errors: every operation returns a Status the harness can see; a target never
// throws. A failed apply() may or may not have stored the write: see
// write_maybe_applied().
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "faultfs/file_system.h"
#include "faultfs/status.h"
#include "oracle/types.h"

namespace oracle {

class Target {
 public:
  virtual ~Target() = default;

  // Opens, creating if missing, the database in directory `dir` of `fs` with
  // `durability`; runs recovery. `fs` must outlive the open target. A second
  // open() without close() is kInvalidArgument.
  [[nodiscard]] virtual faultfs::Status open(faultfs::FileSystem& fs, const std::string& dir,
                                             Durability durability) = 0;
  // Applies `write` (non-empty) atomically: one put, one delete, or a batch
  // across tables. Returns once the durability level's promise holds.
  [[nodiscard]] virtual faultfs::Status apply(const Write& write) = 0;
  // Checkpoints: everything applied so far is durable once this returns OK.
  [[nodiscard]] virtual faultfs::Status flush() = 0;
  // Every row of every table, sorted by (table, key).
  [[nodiscard]] virtual faultfs::Result<State> read_all() = 0;
  // Closes cleanly (a checkpoint in None mode, a sync otherwise). Closing a
  // closed target is OK.
  [[nodiscard]] virtual faultfs::Status close() = 0;
  virtual bool is_open() const = 0;
};

// Whether a write that failed with `error` may still reach a recovered state:
// false only for refusals that store nothing (kInvalidArgument — bad input,
// a read-only or closed database — and kBusy).
bool write_maybe_applied(const faultfs::Status& error);

// One entry of the registry the torture CLI lists.
struct TargetInfo {
  std::string name;         // kebab-case, unique: "dbx", "no-sync-full", ...
  std::string description;  // One line.
  bool known_bug = false;   // A test double: the lab must catch it.
  // The durability levels in which its bug can show (all three for "dbx").
  std::vector<Durability> durabilities;
  std::function<std::unique_ptr<Target>()> make;
};

// Every target, "dbx" first, then the doubles in a fixed order.
const std::vector<TargetInfo>& target_registry();
// The entry named `name`, or nullptr.
const TargetInfo* find_target(std::string_view name);

}  // namespace oracle
