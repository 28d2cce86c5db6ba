// Shrinking: greedy delta debugging over a workload's steps (chunks of
// halving size, as ddmin does), then over each batch's ops, injected faults
// and value sizes, then over the crash choice's surviving changes. Each
// candidate is judged from scratch in simulation, so the result is a
// workload that fails on its own.
//
// The root cause stays: the artifact's exact crash state must fail first,
// and a candidate is kept only when it fails with the same cause (violation
// kind, policy, and the operation and file at the crash point), never with
// another violation its sampling happens to find.
#include <cassert>
#include <chrono>
#include <filesystem>
#include <memory>

#include "faultfs/status_macros.h"
#include "replay_internal.h"
#include "shrink_fork.h"
#include "targets/target.h"
#include "torture/options.h"

namespace torture {

using faultfs::ErrorCode;
using faultfs::Result;
using faultfs::Status;
using Clock = std::chrono::steady_clock;

namespace {

class Shrinker {
 public:
  Shrinker(const Artifact& artifact, const targets::TargetInfo& target,
           const ShrinkOptions& options)
      : artifact_(artifact),
        target_(target),
        options_(options),
        settings_(shrink_settings(artifact)),
        deadline_(Clock::now() +
                  std::chrono::milliseconds(static_cast<int64_t>(options.time_s * 1000))) {}

  // The artifact's own crash state, judged again: sets the cause to keep.
  // A fork-mode artifact names no simulated crash state (a real process
  // died at a kill point): its workload must fail in simulation with the
  // same kind, the only part of its cause the simulation can see, or else
  // in real kill cycles with its whole cause (shrink_fork.h).
  [[nodiscard]] Result<bool> reproduces() {
    if (artifact_.mode == kModeFork) {
      kind_only_ = true;
      cause_.kind = artifact_.kind;
      ASSIGN_OR_RETURN(auto simulated, failure(artifact_.workload));
      if (simulated.has_value() || !artifact_.fork) return simulated.has_value();
      // As many writers as the child had, unless told otherwise.
      const uint32_t threads =
          options_.fork_threads > 0 ? options_.fork_threads : artifact_.fork->threads;
      fork_judge_ = std::make_unique<detail::ForkShrinkJudge>(artifact_, target_, threads);
      ++candidates_;
      return fork_judge_->failure(artifact_.workload, detail::ForkShrinkJudge::kReproduceTriesMax);
    }
    ASSIGN_OR_RETURN(auto f, judge_exactly(artifact_.workload, artifact_.crash));
    if (!f.has_value()) return false;
    const Finding& found = f.value();
    cause_ = Cause{found.kind, found.crash.policy, found.crash_op, found.crash_file};
    return true;
  }

  // The first finding of `w` with the artifact's cause, if there is one.
  [[nodiscard]] Result<std::optional<Finding>> failure(const Workload& w) {
    ++candidates_;
    SimControl control;
    control.should_stop = [this] { return Clock::now() >= deadline_; };
    ASSIGN_OR_RETURN(auto result, run_sim(target_, w, settings_, control));
    for (Finding& f : result.findings) {
      if (same_cause(f)) {
        return std::optional<Finding>(std::move(f));
      }
    }
    return std::optional<Finding>();
  }

  // Drops the crash choice's surviving changes one at a time while the
  // state still fails with the same cause (fewer changes: a smaller story).
  [[nodiscard]] Status shrink_choice(const Workload& w, Finding* f) {
    if (!f->crash.choice) return Status::ok();
    for (size_t i = 0; i < f->crash.choice->applied.size() && !out_of_budget();) {
      CrashSpec candidate = f->crash;
      const uint64_t dropped = candidate.choice->applied[i];
      if (candidate.choice->torn && candidate.choice->torn->change_id == dropped) {
        ++i;
        continue;
      }
      candidate.choice->applied.erase(candidate.choice->applied.begin() +
                                      static_cast<ptrdiff_t>(i));
      ++candidates_;
      ASSIGN_OR_RETURN(auto judged, judge_exactly(w, candidate));
      const std::optional<Finding>& g = judged;
      if (g && same_cause(*g)) {
        *f = *g;
      } else {
        ++i;
      }
    }
    return Status::ok();
  }

  [[nodiscard]] Result<std::optional<Finding>> failure_without_deadline(const Workload& w) {
    const Clock::time_point deadline = deadline_;
    deadline_ = Clock::time_point::max();
    auto f = failure(w);
    deadline_ = deadline;
    return f;
  }

  bool out_of_budget() const {
    return Clock::now() >= deadline_ || candidates_ >= options_.candidates_max;
  }

  // Whether `w` fails with the cause: in simulation, or in kill cycles.
  [[nodiscard]] Result<bool> fails(const Workload& w) {
    if (fork_judge_ == nullptr) {
      ASSIGN_OR_RETURN(auto f, failure(w));
      return f.has_value();
    }
    ++candidates_;
    return fork_judge_->failure(w);
  }

  // Keeps `candidate` in `*best` when it still fails.
  [[nodiscard]] Result<bool> try_candidate(const Workload& candidate, Workload* best) {
    if (candidate.steps.empty() || out_of_budget()) return false;
    auto failed = fails(candidate);
    if (!failed.is_ok() || !failed.value()) return failed;
    *best = candidate;
    return true;
  }

  detail::ForkShrinkJudge* fork_judge() { return fork_judge_.get(); }

  [[nodiscard]] Status shrink_steps(Workload* w) {
    size_t chunk = std::max<size_t>(1, w->steps.size() / 2);
    while (!out_of_budget()) {
      bool removed = false;
      for (size_t i = 0; i < w->steps.size() && !out_of_budget();) {
        Workload candidate = *w;
        const size_t end = std::min(candidate.steps.size(), i + chunk);
        candidate.steps.erase(candidate.steps.begin() + static_cast<ptrdiff_t>(i),
                              candidate.steps.begin() + static_cast<ptrdiff_t>(end));
        ASSIGN_OR_RETURN(auto kept, try_candidate(candidate, w));
        if (kept) {
          removed = true;
        } else {
          i += chunk;
        }
      }
      if (chunk == 1 && !removed) break;
      if (!removed) chunk = std::max<size_t>(1, chunk / 2);
      chunk = std::min(chunk, std::max<size_t>(1, w->steps.size() / 2));
    }
    return Status::ok();
  }

  [[nodiscard]] Status shrink_details(Workload* w) {
    for (size_t i = 0; i < w->steps.size() && !out_of_budget(); ++i) {
      if (w->steps[i].fault) {
        Workload candidate = *w;
        candidate.steps[i].fault.reset();
        RETURN_IF_ERROR(try_candidate(candidate, w).status());
      }
      for (size_t j = 0;
           w->steps[i].write.size() > 1 && j < w->steps[i].write.size() && !out_of_budget();) {
        Workload candidate = *w;
        candidate.steps[i].write.erase(candidate.steps[i].write.begin() +
                                       static_cast<ptrdiff_t>(j));
        ASSIGN_OR_RETURN(auto kept, try_candidate(candidate, w));
        if (!kept) ++j;
      }
      for (size_t j = 0; j < w->steps[i].write.size() && !out_of_budget(); ++j) {
        std::string& value = w->steps[i].write[j].value;
        if (value.size() <= 8) continue;
        Workload candidate = *w;
        candidate.steps[i].write[j].value.resize(8);
        RETURN_IF_ERROR(try_candidate(candidate, w).status());
      }
    }
    return Status::ok();
  }

  uint64_t candidates() const { return candidates_; }

 private:
  struct Cause {
    std::string kind;
    std::string policy;
    std::string crash_op;
    std::string crash_file;
    bool operator==(const Cause&) const = default;
  };

  bool same_cause(const Finding& f) const {
    if (kind_only_) return f.kind == cause_.kind;
    return Cause{f.kind, f.crash.policy, f.crash_op, f.crash_file} == cause_;
  }

  static SimSettings shrink_settings(const Artifact& artifact) {
    SimSettings settings = settings_for(artifact, artifact.crash.policy);
    // Past a first finding of another cause, to reach one of this cause.
    settings.findings_max = kFindingsPerCandidateMax;
    // Every crash point and more images per point: the campaign's sampling
    // drew its states among all policies, so a run restricted to this one
    // samples other states and can miss the artifact's on the whole workload
    // (w588: 100 operations, no candidate kept, "stopped failing"). Exhaustive
    // judging finds it whenever the candidate still reaches it.
    settings.mutation_sample_per_mille = kEveryMutationPerMille;
    settings.images_per_policy = kImagesPerPolicyWhenShrinking;
    return settings;
  }

  // `spec` alone judged on `w`; a finding when it fails (a spec that does
  // not fit `w` is no finding, not an error).
  [[nodiscard]] Result<std::optional<Finding>> judge_exactly(const Workload& w,
                                                             const CrashSpec& spec) {
    SimControl control;
    control.only = &spec;
    auto result = run_sim(target_, w, settings_for(artifact_, spec.policy), control);
    if (!result.is_ok() && result.status().code() == ErrorCode::kInvalidArgument) {
      return std::optional<Finding>();
    }
    if (!result.is_ok()) return result.status();
    if (!result->only_result || result->only_result->verdict.ok) return std::optional<Finding>();
    return std::optional<Finding>(std::move(*result->only_result));
  }

  static constexpr uint32_t kFindingsPerCandidateMax = 8;
  static constexpr uint32_t kEveryMutationPerMille = 1000;
  static constexpr uint32_t kImagesPerPolicyWhenShrinking = 16;

  const Artifact& artifact_;
  const targets::TargetInfo& target_;
  const ShrinkOptions& options_;
  const SimSettings settings_;
  Clock::time_point deadline_;
  uint64_t candidates_ = 0;
  Cause cause_;
  std::unique_ptr<detail::ForkShrinkJudge> fork_judge_;  // Fork-judged candidates only.
  bool kind_only_ = false;
};

}  // namespace

namespace {

// A fork-judged shrink: the new artifact is the finding of the kill cycle
// that last failed, which ran the best workload (kept: a re-run may not fail).
Result<ShrinkOutcome> finish_forked(Shrinker& shrinker) {
  std::string dir = shrinker.fork_judge()->release_kept_dir();
  assert(!dir.empty());
  auto a = read_artifact(dir);
  if (!a.is_ok()) {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);  // Scratch: nobody takes it over now.
    return a.status();
  }
  ShrinkOutcome out;
  out.artifact = std::move(a).value();
  out.evidence_dir = std::move(dir);
  return out;
}

Result<ShrinkOutcome> finish_simulated(Shrinker& shrinker, const Artifact& artifact,
                                       const Workload& best) {
  // Judged without a deadline: the artifact must hold a complete failure.
  ASSIGN_OR_RETURN(auto finding, shrinker.failure_without_deadline(best));
  if (!finding.has_value()) {
    return Status(ErrorCode::kInvalidArgument, "the shrunk workload stopped failing on a re-run");
  }
  RETURN_IF_ERROR(shrinker.shrink_choice(best, &finding.value()));
  const Finding& f = finding.value();
  ShrinkOutcome out;
  Artifact& a = out.artifact;
  a = artifact;
  a.mode = kModeSim;
  a.fork.reset();
  a.workload = best;
  a.crash = f.crash;
  a.kind = f.kind;
  a.crash_op = f.crash_op;
  a.crash_file = f.crash_file;
  a.verdict = f.verdict.to_string();
  a.context = f.context;
  a.error = f.error;
  a.recovered = f.recovered;
  a.expected = f.expected;
  return out;
}

}  // namespace

Result<std::optional<ShrinkOutcome>> shrink_artifact(const Artifact& artifact,
                                                     const ShrinkOptions& options) {
  const targets::TargetInfo* target = targets::find_target(artifact.target);
  if (target == nullptr) {
    return Status(ErrorCode::kInvalidArgument, "unknown target '" + artifact.target + "'");
  }
  if (is_target_failure(artifact.kind)) {
    return Status(ErrorCode::kInvalidArgument,
                  artifact.kind +
                      " artifacts are not shrunk (each candidate would take the "
                      "shrinker down with it); replay reproduces it");
  }
  Shrinker shrinker(artifact, *target, options);
  Workload best = artifact.workload;
  ASSIGN_OR_RETURN(auto first, shrinker.reproduces());
  if (!first) return std::optional<ShrinkOutcome>();
  Status s = shrinker.shrink_steps(&best);
  if (s.is_ok()) s = shrinker.shrink_details(&best);
  if (s.is_ok()) s = shrinker.shrink_steps(&best);  // Details may unlock more removals.
  if (!s.is_ok()) return s;
  ASSIGN_OR_RETURN(auto out, shrinker.fork_judge() != nullptr
                                 ? finish_forked(shrinker)
                                 : finish_simulated(shrinker, artifact, best));
  out.ops_before = workload_ops(artifact.workload);
  out.ops_after = workload_ops(best);
  out.candidates = shrinker.candidates();
  return std::optional<ShrinkOutcome>(std::move(out));
}

}  // namespace torture
