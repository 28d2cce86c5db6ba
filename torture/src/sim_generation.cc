// Multi-generation histories. A crash step powers the simulated machine off
// at a step boundary: one crash image of everything so far (drawn from the
// crash step's own seed, so replay and shrink rebuild it) replaces the live file
// system, the target recovers from it, the recovered state is judged like any
// other, and the rest of the workload runs on it. Later crash points are then
// judged against a history that carries the first recovery (the writes it
// discarded are gone for good), which is what catches a bug that only sets a
// trap: a torn tail left in place, a sequence number that restarts, stale
// bytes in recycled space, a checkpoint that skips the new generation's
// records.
#include <cassert>
#include <memory>
#include <random>
#include <vector>

#include "sim_run.h"

namespace torture::detail {

using faultfs::CrashPolicy;
using faultfs::Status;

namespace {

// A policy the contract covers: beyond it (corrupt, lost-file) the recovery
// may rightly refuse to open, which would end the history, not extend it.
// Drawn from every such policy, whatever the campaign's --policy: a replay
// judges one policy alone, and must still rebuild the same generations from
// the crash steps' seeds.
CrashPolicy generation_policy(std::mt19937_64& rng) {
  constexpr CrashPolicy kWithinContract[] = {CrashPolicy::kDrop, CrashPolicy::kPrefix,
                                             CrashPolicy::kReorder, CrashPolicy::kTorn};
  const CrashPolicy policy = kWithinContract[rng() % std::size(kWithinContract)];
  assert(!faultfs::is_beyond_contract(policy));
  return policy;
}

}  // namespace

Status SimRun::next_generation(uint64_t step, const Step& crash) {
  assert(target_ != nullptr && fs_ != nullptr);
  assert(crash.kind == StepKind::kCrash);
  const bool fault_armed = crash.fault.has_value();
  std::mt19937_64 rng(crash.crash_seed);
  const CrashPolicy policy = generation_policy(rng);
  const faultfs::CrashOptions options{policy, settings_.fs_model, settings_.sector_bytes};
  std::unique_ptr<faultfs::SimFs> image = fs_->crash(options, rng);
  // The old handle goes down with its machine: what it does while being
  // dropped reaches neither the image nor the crash points.
  fs_->set_op_hook(nullptr);
  reset_target();
  faults_fired_earlier_ += faults_->injected_total();
  faults_.reset();
  fs_ = std::move(image);
  Status s = fs_->set_lost_file_scope(kSimDbDir);
  if (!s.is_ok()) return s;
  fs_->keep_earlier_images(kEarlierImagesMax);
  durable_at_point_.clear();  // Indexed by the new file system's persistence points.
  faults_ = std::make_unique<faultfs::FaultInjectionFs>(*fs_);
  fs_->set_op_hook([this](const faultfs::OpEvent& e) { on_op(e); });
  s = history_->record_crash(
      oracle::CrashKind::kPowerLoss,
      "crash step " + std::to_string(step) + ": power loss " + faultfs::crash_policy_name(policy));
  if (!s.is_ok()) return s;
  result_.generations++;
  judge_->note_later_generation();
  assert(fs_ != nullptr && target_ == nullptr);
  faults_before_step_ = 0;  // The new file system's count.
  // The step's I/O fault, if any, is armed through this recovery.
  recovering_generation_ = true;
  s = open_and_judge(kPolicyGeneration, step, oracle::CrashKind::kPowerLoss, fault_armed);
  recovering_generation_ = false;
  return s;
}

}  // namespace torture::detail
