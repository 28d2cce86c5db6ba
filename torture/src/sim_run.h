// SimRun: the state of one simulation run (see torture/sim_runner.h).
// sim_run.cc drives the workload; sim_crashes.cc collects and judges the
// crash points it passes.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "explore_images.h"
#include "faultfs/fault_injection.h"
#include "faultfs/sim_fs.h"
#include "nonce_ledger.h"
#include "oracle/history.h"
#include "oracle/isolation.h"
#include "torture/judge.h"
#include "torture/sim_runner.h"

namespace torture::detail {

// The live state right after one operation of the main run.
struct CrashPoint {
  std::unique_ptr<faultfs::SimFs> fs;
  oracle::HistorySummary summary;  // The history when the operation completed.
  uint64_t mutations = 0;
  uint64_t persistence_points = 0;
  std::string op;
  std::string path;
  // An injected fault fired earlier in this step: a failed sync may have
  // dropped un-synced data as a writeback error does, so even the "kill"
  // image is judged under power-loss bounds (SQLite's I/O-error rule: only
  // what was acknowledged before the error must survive).
  bool after_fault = false;
};

// Crash points one step may queue before they are judged; a recovery that
// performs more operations than this has only its first ones judged.
inline constexpr size_t kPointsPerStepMax = 4096;
// Earlier durable images the main run keeps for lost-file restores.
inline constexpr size_t kEarlierImagesMax = 16;

class SimRun {
 public:
  SimRun(const targets::TargetInfo& target, const Workload& workload, const SimSettings& settings,
         const SimControl& control);
  ~SimRun();

  [[nodiscard]] faultfs::Result<SimResult> run();

 private:
  // sim_run.cc: the workload.
  [[nodiscard]] faultfs::Status start();
  [[nodiscard]] faultfs::Status run_step(size_t index);
  [[nodiscard]] faultfs::Status execute(const Step& step, faultfs::Status* op_error);
  [[nodiscard]] faultfs::Status close_target(faultfs::Status* op_error);
  // Opens a new handle on the live file system, judges what it reads back
  // under bounds of `kind`, and continues from the state it recovered.
  [[nodiscard]] faultfs::Status open_and_judge(const char* policy, uint64_t step,
                                               oracle::CrashKind kind, bool retry_on_fault);
  [[nodiscard]] faultfs::Status finish_unexpected(const faultfs::Status& error, uint64_t step,
                                                  const std::string& what);
  bool done() const;
  std::string step_context(uint64_t step) const;

  // sim_txn.cc: transaction steps, judged live by the isolation judge.
  [[nodiscard]] faultfs::Status run_txn(const TxnStep& txn, faultfs::Status* op_error);
  [[nodiscard]] faultfs::Status commit_txn(uint32_t slot, faultfs::Status* op_error);
  [[nodiscard]] faultfs::Status isolation_finding(
      const std::optional<oracle::IsolationFinding>& finding, const char* op);
  // Rolls back every open transaction (before the handle closes or goes):
  // their writes stay uncommitted for the judge.
  void end_transactions();
  // end_transactions(), then drops the handle (closing it as it can).
  void reset_target();

  // sim_generation.cc: a crash step's power loss, recovered and continued on.
  [[nodiscard]] faultfs::Status next_generation(uint64_t step, const Step& crash);

  // sim_nonces.cc: feeds the live database's sealed items to the ledger
  // (encrypted targets only) and records a reuse as a live finding.
  // Sampled: every kNonceCheckEvery-th step and each step that opened a
  // handle (a reopen, an I/O-error recovery, a generation), and the final
  // reopen; every step when replaying a nonce finding.
  [[nodiscard]] faultfs::Status check_nonces(bool final_check);

  // sim_crashes.cc: crash points.
  void on_op(const faultfs::OpEvent& event);
  [[nodiscard]] faultfs::Status drain(uint64_t step);
  [[nodiscard]] faultfs::Status judge_point(const CrashPoint& point, uint64_t step);
  [[nodiscard]] faultfs::Status crash_images(const faultfs::SimFs& fs,
                                             const faultfs::CrashOptions& options,
                                             std::mt19937_64& rng,
                                             std::vector<faultfs::CrashChoice>* choices,
                                             std::vector<std::unique_ptr<faultfs::SimFs>>* images);
  [[nodiscard]] faultfs::Status judge_policy(const CrashPoint& point, const CrashSpec& base,
                                             faultfs::CrashPolicy policy, std::mt19937_64& rng);
  [[nodiscard]] faultfs::Status judge_second_crash(const faultfs::SimFs& first_image,
                                                   const CrashSpec& first,
                                                   const faultfs::CrashOptions& options,
                                                   uint64_t events, std::mt19937_64& rng,
                                                   const oracle::Bounds& bounds);
  // Judges `image`; counts it; records a finding when it fails. `events`,
  // when given, receives the operations its recovery's open performed.
  [[nodiscard]] faultfs::Status judge_image(faultfs::SimFs& image, const CrashSpec& spec,
                                            const oracle::Bounds& bounds, bool beyond_contract,
                                            const std::string& context, uint64_t* events);
  [[nodiscard]] faultfs::Status record(const CrashSpec& spec, const Judgement& judgement,
                                       const std::string& context);
  // A finding of the current step that judged no recovered state (the
  // isolation and nonce checks): pseudo-policy `policy`, never a crash state.
  [[nodiscard]] faultfs::Status record_live(const char* policy, oracle::ViolationKind kind,
                                            std::string evidence, std::string op, std::string file);
  bool wanted(const CrashSpec& spec) const;
  // `bounds` for one choice: a lost-file restore from an earlier point lowers
  // lo to what was durable then.
  oracle::Bounds choice_bounds(const oracle::Bounds& bounds,
                               const faultfs::CrashChoice& choice) const;

  const targets::TargetInfo& target_info_;
  const Workload& workload_;
  const SimSettings& settings_;
  const SimControl& control_;

  std::unique_ptr<faultfs::SimFs> fs_;
  std::unique_ptr<faultfs::FaultInjectionFs> faults_;
  std::unique_ptr<oracle::History> history_;
  std::unique_ptr<Judge> judge_;
  std::unique_ptr<targets::Target> target_;
  // The open transactions, by slot (destroyed before target_ goes), and the
  // judge of them all.
  std::array<std::unique_ptr<targets::TargetTransaction>, kTxnSlotsMax> txns_;
  std::unique_ptr<oracle::IsolationJudge> isolation_;
  const targets::TargetTuning tuning_;  // workload_tuning(): the workload's draw.
  // The run's virtual clock: only wait steps move it.
  std::chrono::nanoseconds clock_{0};
  std::mt19937_64 sample_rng_;
  std::vector<CrashPoint> points_;
  // Per persistence point of fs_: oracle::durable_before_fault() then.
  std::vector<uint64_t> durable_at_point_;
  bool collecting_ = false;
  uint64_t point_index_ = 0;
  uint64_t current_step_ = 0;
  uint64_t faults_before_step_ = 0;  // injected_total() when the step began.
  // injected_total() when the live handle was opened: a fault that fired in
  // its background work (a checkpoint) during an earlier step, while that
  // step's own operation succeeded, can leave it read-only for later ones.
  uint64_t faults_at_open_ = 0;
  // injected_total() of the file systems earlier generations ran on.
  uint64_t faults_fired_earlier_ = 0;
  // A crash step's recovery is running: its crash points follow a power loss
  // (acknowledged writes may be gone already), as after an injected fault.
  bool recovering_generation_ = false;
  // The crash point being judged (its operation and file), for findings.
  std::string crash_op_;
  std::string crash_file_;
  ExploreImages explore_;  // SimSettings::exhaustive only.
  NonceLedger nonces_;     // The whole history's, every generation.
  bool opened_since_nonce_check_ = true;
  SimResult result_;
};

}  // namespace torture::detail
