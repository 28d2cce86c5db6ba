// The system under test of the stateful property: one Target on a SimFs, the
// oracle's history as the model of what it must hold, and the checker as the
// judge of every recovered state. Every method fails the RapidCheck case
// (RC_FAIL) on a violation or an unexpected error.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "faultfs/crash.h"
#include "faultfs/sim_fs.h"
#include "oracle/checker.h"
#include "oracle/history.h"
#include "targets/target.h"

namespace oracle::testing {

// What one property run may do, per target.
struct LabConfig {
  std::function<std::unique_ptr<targets::Target>()> make;
  std::vector<Durability> durabilities;
  std::vector<faultfs::CrashPolicy> policies;
  bool inject_writeback_failures = true;
};

class LabSut {
 public:
  LabSut(const LabConfig& config, Durability durability);
  ~LabSut();

  void write(const Write& write);
  void flush();
  // Clean close, then open and check: every acknowledged write must be back.
  void reopen();
  // Process kill: the OS keeps every byte; the next handle opens a clone.
  void kill();
  // Power loss: the next handle opens the crash image `seed` picks.
  void crash(const faultfs::CrashOptions& options, uint64_t seed);
  // A writeback error on every file of the database (un-synced data is gone
  // and the next sync of each file fails once), then a flush or a reopen, so
  // that the engine meets the error before it writes past the dropped bytes:
  // an error no sync has reported yet is one no engine can act on.
  void fail_writeback_then(bool reopen_after);

 private:
  void open_fresh();
  // Opens a new handle on fs_ and judges what it reads back.
  void recover(CrashKind kind, bool beyond_contract, const std::string& context);
  // The target refused an op after an injected fault: drop the handle, reopen.
  void restart_after_error(const std::string& what, const faultfs::Status& error);

  const LabConfig& config_;
  const Durability durability_;
  const std::string dir_ = "db";
  std::unique_ptr<faultfs::SimFs> fs_;
  std::unique_ptr<targets::Target> target_;
  std::unique_ptr<History> history_;
  // A writeback failure was injected since the last power loss or fresh
  // start: its error may surface at any later sync, even through a handle
  // opened after a process kill (the clone keeps the file's error), so op
  // errors are expected and recoveries use power-loss bounds.
  bool writeback_failed_ = false;
};

}  // namespace oracle::testing
