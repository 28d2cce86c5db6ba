// Crash points of a simulation run: collected by the SimFs hook after each
// operation, judged once the step that passed them is over.
#include <algorithm>
#include <cassert>

#include "faultfs/status_macros.h"
#include "oracle/bounds.h"
#include "sim_run.h"
#include "torture/artifact.h"
#include "torture/seeds.h"
#include "watchdog.h"

namespace torture::detail {

using faultfs::CrashOptions;
using faultfs::CrashPolicy;
using faultfs::Result;
using faultfs::SimFs;
using faultfs::Status;

namespace {

bool is_point_policy(const std::string& policy) {
  return policy == kPolicyKill || faultfs::parse_crash_policy(policy).is_ok();
}

// ", lost: restore db/wal.log from persistence point 12" (empty without one).
std::string lost_file_text(const faultfs::CrashChoice& choice) {
  if (!choice.lost) return "";
  const faultfs::LostFile& lost = *choice.lost;
  if (lost.kind == faultfs::LostFile::Kind::kDelete) return ", lost: " + lost.path + " deleted";
  return ", lost: " + lost.path + " restored from persistence point " + std::to_string(lost.point);
}

}  // namespace

oracle::Bounds SimRun::choice_bounds(const oracle::Bounds& bounds,
                                     const faultfs::CrashChoice& choice) const {
  if (!choice.lost || choice.lost->kind != faultfs::LostFile::Kind::kRestore) return bounds;
  // A path restored from point t can at best show what was durable at t: an
  // engine can tell that from nothing newer having been written.
  const uint64_t t = choice.lost->point;
  oracle::Bounds out = bounds;
  out.lo = std::min(out.lo, t < durable_at_point_.size() ? durable_at_point_[t] : 0);
  return out;
}

bool SimRun::wanted(const CrashSpec& spec) const {
  return control_.only == nullptr || *control_.only == spec;
}

void SimRun::on_op(const faultfs::OpEvent& event) {
  if (event.kind != faultfs::OpKind::kMutation) {
    // What was durable, as the workload saw it, when fs_ took the earlier
    // image of this point: the floor of a lost-file restore from it.
    durable_at_point_.resize(event.persistence_points + 1, 0);
    durable_at_point_[event.persistence_points] =
        oracle::durable_before_fault(history_->summary(), settings_.durability);
  }
  if (!collecting_ || points_.size() >= kPointsPerStepMax) return;
  bool take = false;
  if (control_.only != nullptr) {
    const CrashSpec& only = *control_.only;
    take = is_point_policy(only.policy) && only.step == current_step_ &&
           only.mutations == event.mutations && only.persistence_points == event.persistence_points;
  } else if (event.kind != faultfs::OpKind::kMutation) {
    take = true;  // Every persistence point.
  } else {
    take = sample_rng_() % 1000 < settings_.mutation_sample_per_mille;
  }
  if (!take) return;
  // The hook runs with fs_ locked; clone() is one of the calls allowed there.
  points_.push_back(
      CrashPoint{fs_->clone(), history_->summary(), event.mutations, event.persistence_points,
                 std::string(event.op), std::string(event.path),
                 recovering_generation_ || faults_->injected_total() > faults_before_step_});
}

Status SimRun::drain(uint64_t step) {
  std::vector<CrashPoint> points = std::move(points_);
  points_.clear();
  for (const CrashPoint& point : points) {
    if (done()) break;
    if (control_.should_stop && control_.should_stop()) {
      result_.stopped_early = true;
      break;
    }
    RETURN_IF_ERROR(judge_point(point, step));
  }
  return Status::ok();
}

Status SimRun::judge_point(const CrashPoint& point, uint64_t step) {
  const uint64_t index = point_index_++;
  if (settings_.exhaustive) explore_.count_point();
  crash_op_ = point.op;
  crash_file_ = point.path;
  CrashSpec base;
  base.step = step;
  base.mutations = point.mutations;
  base.persistence_points = point.persistence_points;
  const std::string context = step_context(step) + ", after " + point.op + " " + point.path +
                              " (mutation " + std::to_string(point.mutations) +
                              ", persistence point " + std::to_string(point.persistence_points) +
                              ")";
  if (settings_.process_kill) {
    CrashSpec spec = base;
    spec.policy = kPolicyKill;
    if (wanted(spec)) {
      // A process kill: the OS keeps every byte the process handed it.
      std::unique_ptr<SimFs> image = point.fs->clone();
      const oracle::Bounds bounds = oracle::compute_bounds(
          point.summary, settings_.durability,
          point.after_fault ? oracle::CrashKind::kPowerLoss : oracle::CrashKind::kProcessKill);
      RETURN_IF_ERROR(judge_image(*image, spec, bounds, false, context, nullptr));
    }
  }
  for (size_t i = 0; i < settings_.policies.size() && !done(); ++i) {
    std::mt19937_64 rng(derive_seed(workload_.seed, index, i + 1));
    RETURN_IF_ERROR(judge_policy(point, base, settings_.policies[i], rng));
  }
  return Status::ok();
}

Status SimRun::crash_images(const SimFs& fs, const CrashOptions& options, std::mt19937_64& rng,
                            std::vector<faultfs::CrashChoice>* choices,
                            std::vector<std::unique_ptr<SimFs>>* images) {
  if (settings_.exhaustive) {
    return explore_.collect(fs, options, rng, settings_.images_per_policy, choices, images);
  }
  const size_t wanted_images =
      options.policy == CrashPolicy::kDrop ? 1 : settings_.images_per_policy;
  // Sampled, not enumerated: SimFs::enumerate_crashes builds and digests a
  // whole image per candidate (O(bytes): a preallocated 4 MiB WAL makes that
  // most of a crash state's cost). A choice drawn twice is judged once, and
  // its image is built only the first time: over half the draws repeat one.
  for (size_t attempt = 0; attempt < 2 * wanted_images && choices->size() < wanted_images;
       ++attempt) {
    faultfs::CrashChoice choice = fs.draw_crash_choice(options, rng);
    if (std::find(choices->begin(), choices->end(), choice) != choices->end()) continue;
    ASSIGN_OR_RETURN(auto image, fs.crash_with(options, choice));
    choices->push_back(std::move(choice));
    images->push_back(std::move(image));
  }
  return Status::ok();
}

Status SimRun::judge_policy(const CrashPoint& point, const CrashSpec& base, CrashPolicy policy,
                            std::mt19937_64& rng) {
  const CrashOptions options{policy, settings_.fs_model, settings_.sector_bytes};
  const std::string name = faultfs::crash_policy_name(policy);
  const bool beyond = faultfs::is_beyond_contract(policy);
  const oracle::Bounds bounds =
      beyond ? oracle::beyond_contract_bounds(point.summary, settings_.durability)
             : oracle::compute_bounds(point.summary, settings_.durability,
                                      oracle::CrashKind::kPowerLoss);
  const std::string context = step_context(base.step) + ", after " + point.op + " " + point.path +
                              " (mutation " + std::to_string(point.mutations) +
                              ", persistence point " + std::to_string(point.persistence_points) +
                              "), power loss " + name;
  std::vector<faultfs::CrashChoice> choices;
  std::vector<std::unique_ptr<SimFs>> images;
  if (control_.only != nullptr) {
    if (control_.only->policy != name || !control_.only->choice) return Status::ok();
    auto image = point.fs->crash_with(options, *control_.only->choice);
    if (!image.is_ok()) {
      return Status(faultfs::ErrorCode::kInvalidArgument,
                    "crash choice does not fit the state: " + image.status().message());
    }
    choices.push_back(*control_.only->choice);
    images.push_back(std::move(image).value());
  } else {
    RETURN_IF_ERROR(crash_images(*point.fs, options, rng, &choices, &images));
  }
  for (size_t k = 0; k < choices.size(); ++k) {
    if (done()) break;
    const faultfs::CrashChoice& choice = choices[k];
    std::unique_ptr<SimFs>& image = images[k];
    CrashSpec spec = base;
    spec.policy = name;
    spec.choice = choice;
    const oracle::Bounds judged = choice_bounds(bounds, choice);
    if (settings_.exhaustive) {
      if (!explore_.first_sight(k, judged, beyond, point.summary)) continue;
      RETURN_IF_ERROR(explore_.build(*point.fs, options, choices, k, &image));
    }
    if (control_.only != nullptr && control_.only->recovery_event != 0) {
      // Replaying a second crash: the first recovery is only its setting.
      return judge_second_crash(*image, spec, options, 0, rng, judged);
    }
    const bool second = control_.only == nullptr && settings_.recovery_crash_per_mille > 0 &&
                        rng() % 1000 < settings_.recovery_crash_per_mille;
    std::unique_ptr<SimFs> pristine = second ? image->clone() : nullptr;
    uint64_t events = 0;
    RETURN_IF_ERROR(
        judge_image(*image, spec, judged, beyond, context + lost_file_text(choice), &events));
    if (pristine && events > 0 && !done()) {
      RETURN_IF_ERROR(judge_second_crash(*pristine, spec, options, events, rng, judged));
    }
    if (settings_.exhaustive) image.reset();  // A walk's images are built one at a time.
  }
  return Status::ok();
}

Status SimRun::judge_second_crash(const SimFs& first_image, const CrashSpec& first,
                                  const CrashOptions& options, uint64_t events,
                                  std::mt19937_64& rng, const oracle::Bounds& bounds) {
  const bool replaying = control_.only != nullptr;
  CrashSpec spec = first;
  spec.recovery_event = replaying ? control_.only->recovery_event : 1 + rng() % events;
  assert(spec.recovery_event >= 1);
  // Recover on a copy until the chosen operation, and keep the state there.
  std::unique_ptr<SimFs> base = first_image.clone();
  std::unique_ptr<SimFs> mid;
  uint64_t seen = 0;
  base->set_op_hook([&](const faultfs::OpEvent&) {
    if (++seen == spec.recovery_event) mid = base->clone();
  });
  {
    const watchdog::Scope scope(
        "workload seed " + std::to_string(workload_.seed) +
        ", the recovery a second crash interrupts: " + describe_crash(spec));
    std::unique_ptr<targets::Target> target = make_target(target_info_, tuning_);
    // This recovery is the one the crash interrupts: its outcome is moot.
    target->open(*base, kSimDbDir, settings_.durability).ignore_error();
  }
  base->set_op_hook(nullptr);
  if (!mid) {
    if (!replaying) return Status::ok();
    return Status(faultfs::ErrorCode::kInvalidArgument,
                  "the recovery performs fewer operations than the recorded second crash");
  }
  // The fault of a policy beyond the contract struck once, in the first
  // crash; the one that interrupts its recovery is a plain power loss.
  CrashOptions second_options = options;
  if (faultfs::is_beyond_contract(options.policy)) second_options.policy = CrashPolicy::kPrefix;
  std::unique_ptr<SimFs> image;
  if (replaying) {
    if (!control_.only->recovery_choice) {
      return Status(faultfs::ErrorCode::kInvalidArgument, "second crash without its choice");
    }
    spec.recovery_choice = control_.only->recovery_choice;
    auto rebuilt = mid->crash_with(second_options, *spec.recovery_choice);
    if (!rebuilt.is_ok()) {
      return Status(faultfs::ErrorCode::kInvalidArgument,
                    "second crash choice does not fit: " + rebuilt.status().message());
    }
    image = std::move(rebuilt).value();
  } else {
    faultfs::CrashChoice choice;
    image = mid->crash(second_options, rng, &choice);
    spec.recovery_choice = std::move(choice);
  }
  const std::string context = step_context(spec.step) + ", power loss " +
                              faultfs::crash_policy_name(options.policy) +
                              ", then a second one after operation " +
                              std::to_string(spec.recovery_event) + " of its recovery";
  return judge_image(*image, spec, bounds, faultfs::is_beyond_contract(options.policy), context,
                     nullptr);
}

Status SimRun::judge_image(SimFs& image, const CrashSpec& spec, const oracle::Bounds& bounds,
                           bool beyond_contract, const std::string& context, uint64_t* events) {
  if (!wanted(spec)) return Status::ok();
  bool counting = events != nullptr;
  if (counting) {
    image.set_op_hook([&](const faultfs::OpEvent&) {
      if (counting) ++*events;
    });
  }
  if (control_.only != nullptr && control_.inspect_image) control_.inspect_image(image, kSimDbDir);
  if (control_.recovering) control_.recovering(&spec, crash_op_, crash_file_);
  auto judged =
      judge_->recover(image, kSimDbDir, bounds, beyond_contract, [&counting] { counting = false; });
  if (control_.recovering) control_.recovering(nullptr, {}, {});
  image.set_op_hook(nullptr);
  if (!judged.is_ok()) return judged.status();
  return record(spec, judged.value(), context);
}

Status SimRun::record_live(const char* policy, oracle::ViolationKind kind, std::string evidence,
                           std::string op, std::string file) {
  CrashSpec spec;
  spec.policy = policy;
  spec.step = current_step_;
  Judgement judgement;
  judgement.verdict.ok = false;
  judgement.verdict.kind = kind;
  judgement.verdict.evidence = std::move(evidence);
  judgement.verdict.bounds = oracle::compute_bounds(history_->summary(), settings_.durability,
                                                    oracle::CrashKind::kProcessKill);
  crash_op_ = std::move(op);
  crash_file_ = std::move(file);
  return record(spec, judgement, step_context(current_step_));
}

Status SimRun::record(const CrashSpec& spec, const Judgement& judgement,
                      const std::string& context) {
  if (!wanted(spec)) return Status::ok();
  const bool live = spec.policy == kPolicyWorkload || spec.policy == kPolicyIsolation ||
                    spec.policy == kPolicyNonce;
  if (!live) {
    ++result_.crash_states;
    ++result_.states_by_policy[spec.policy];
  }
  if (judgement.verdict.ok && control_.only == nullptr) return Status::ok();
  Finding f;
  f.crash = spec;
  f.verdict = judgement.verdict;
  if (!judgement.verdict.ok) {
    f.kind = judgement.verdict.kind ? oracle::violation_kind_name(*judgement.verdict.kind)
                                    : "unexpected_error";
  }
  f.recovered = judgement.recovered;
  f.context = context;
  f.error = judgement.error;
  f.crash_op = crash_op_;
  f.crash_file = crash_file_;
  if (!judgement.verdict.ok && !live) {
    ASSIGN_OR_RETURN(auto expected, judge_->state_at(judgement.verdict.p));
    f.expected = std::move(expected);
  }
  if (control_.only != nullptr) result_.only_result = f;
  if (!judgement.verdict.ok) result_.findings.push_back(std::move(f));
  return Status::ok();
}

}  // namespace torture::detail
