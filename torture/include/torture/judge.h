// Judge: recovers a target on a crash image and asks the oracle whether what
// it reads back is a state the contract allows.
//
// Exact memo: many crash images of one crash point recover the very same
// state. An ok verdict is a function of (bounds, state) and of the writes up
// to bounds.hi alone, so it is cached under its full key and the state is
// compared byte for byte on a hit (never a hash alone). Violations are never
// cached (their classification reads the whole log). The caller invalidates
// the memo whenever the history discards writes (record_recovered).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "faultfs/file_system.h"
#include "faultfs/status.h"
#include "oracle/bounds.h"
#include "oracle/checker.h"
#include "oracle/history.h"
#include "oracle/isolation.h"
#include "targets/target.h"
#include "torture/workload.h"

namespace torture {

// The simulation's tuning: background work runs only on the harness's
// virtual clock (TargetTuning::harness_clock), so every run is the same.
targets::TargetTuning sim_tuning();
// sim_tuning() with the tuning `workload` drew.
targets::TargetTuning workload_tuning(const Workload& workload);
// A fresh target of `info`, tuned by sim_tuning() or by `tuning`.
std::unique_ptr<targets::Target> make_target(const targets::TargetInfo& info);
std::unique_ptr<targets::Target> make_target(const targets::TargetInfo& info,
                                             const targets::TargetTuning& tuning);

// The reach table's label for a recovery of a history that had already
// crashed once and gone on (a multi-generation history).
inline constexpr const char* kSecondGenerationOutcome = "second_generation";

struct Judgement {
  oracle::Verdict verdict;
  targets::State recovered;  // What read_all() returned; empty when unreadable.
  std::string error;         // The open or read error, if there was one.
};

class Judge {
 public:
  // Recoveries open the target tuned by `tuning` (on the harness's clock:
  // no background threads).
  Judge(const targets::TargetInfo& info, targets::Durability durability, oracle::History& history,
        const targets::TargetTuning& tuning = sim_tuning());

  // Opens a fresh target on `fs` at `dir`, reads everything, judges it under
  // `bounds`. `beyond_contract` (policies corrupt and lost-file): `bounds`
  // come from oracle::beyond_contract_bounds(), a corruption error is a
  // correct detection and a silent loss is undetected_loss. `after_open` runs once the open
  // returned (ends a recovery-event count). The target is dropped before returning. A non-ok Result
  // is the oracle's own failure, never the target's.
  [[nodiscard]] faultfs::Result<Judgement> recover(faultfs::FileSystem& fs, const std::string& dir,
                                                   const oracle::Bounds& bounds,
                                                   bool beyond_contract,
                                                   const std::function<void()>& after_open = {});

  // Judges a state already read back (a handle the harness keeps using).
  [[nodiscard]] faultfs::Result<Judgement> check_state(const oracle::Bounds& bounds,
                                                       targets::State state);

  // The history discarded writes: cached verdicts may no longer hold.
  void invalidate() { memo_.clear(); }

  // The workload's transactions so far (it outlives the judge's use): a
  // violation then names an isolation anomaly (oracle/isolation.h).
  void set_transactions(const oracle::TransactionRecord* record) { transactions_ = record; }

  // The state at `p` (for an artifact's expected state).
  [[nodiscard]] faultfs::Result<targets::State> state_at(uint64_t p);

  uint64_t memo_hits() const { return memo_hits_; }

  // Reach: the recovery outcomes of every successful open so far (the
  // target's labels, plus "second_generation" once the history crashed and
  // went on: note_later_generation()). Coverage only, never a verdict.
  void note_later_generation() { later_generation_ = true; }
  void count_recovery(const targets::Target& target);
  const std::map<std::string, uint64_t>& recovery_outcomes() const { return recovery_outcomes_; }

 private:
  std::map<std::string, uint64_t> recovery_outcomes_;
  bool later_generation_ = false;
  using MemoKey = std::tuple<uint64_t, uint64_t, uint64_t, uint64_t, int, bool, uint64_t>;
  [[nodiscard]] faultfs::Result<Judgement> judge_state(const oracle::Bounds& bounds,
                                                       const oracle::CheckOptions& options,
                                                       targets::State state);

  const targets::TargetInfo& info_;
  const targets::Durability durability_;
  const targets::TargetTuning tuning_;
  oracle::Checker checker_;
  // Bounded: cleared when it reaches kMemoEntriesMax.
  std::map<MemoKey, std::vector<std::pair<targets::State, oracle::Verdict>>> memo_;
  size_t memo_entries_ = 0;
  uint64_t memo_hits_ = 0;
  const oracle::TransactionRecord* transactions_ = nullptr;
};

}  // namespace torture
