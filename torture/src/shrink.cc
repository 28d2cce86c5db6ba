// Shrinking: greedy delta debugging over a workload's steps (chunks of
// halving size, as ddmin does), then over each batch's ops, injected faults
// and value sizes. A candidate is kept when it still fails in simulation with
// the artifact's violation kind; each is judged from scratch, so the result
// is a workload that fails on its own.
#include <chrono>

#include "oracle/target.h"
#include "replay_internal.h"
#include "torture/options.h"

namespace torture {

using faultfs::ErrorCode;
using faultfs::Result;
using faultfs::Status;
using Clock = std::chrono::steady_clock;

namespace {

class Shrinker {
 public:
  Shrinker(const Artifact& artifact, const oracle::TargetInfo& target, const ShrinkOptions& options)
      : artifact_(artifact),
        target_(target),
        options_(options),
        settings_(settings_for(artifact, artifact.crash.policy)),
        deadline_(Clock::now() +
                  std::chrono::milliseconds(static_cast<int64_t>(options.time_s * 1000))) {}

  // The first finding of `w`, if it fails the way the artifact did.
  [[nodiscard]] Result<std::optional<Finding>> failure(const Workload& w) {
    ++candidates_;
    SimControl control;
    control.should_stop = [this] { return Clock::now() >= deadline_; };
    auto result = run_sim(target_, w, settings_, control);
    if (!result.is_ok()) return result.status();
    for (Finding& f : result->findings) {
      if (f.kind == artifact_.kind) return std::optional<Finding>(std::move(f));
    }
    return std::optional<Finding>();
  }

  bool out_of_budget() const {
    return Clock::now() >= deadline_ || candidates_ >= options_.candidates_max;
  }

  // Keeps `candidate` in `*best` when it still fails.
  [[nodiscard]] Result<bool> try_candidate(const Workload& candidate, Workload* best) {
    if (candidate.steps.empty() || out_of_budget()) return false;
    auto f = failure(candidate);
    if (!f.is_ok()) return f.status();
    if (!f->has_value()) return false;
    *best = candidate;
    return true;
  }

  [[nodiscard]] Status shrink_steps(Workload* w) {
    size_t chunk = std::max<size_t>(1, w->steps.size() / 2);
    while (!out_of_budget()) {
      bool removed = false;
      for (size_t i = 0; i < w->steps.size() && !out_of_budget();) {
        Workload candidate = *w;
        const size_t end = std::min(candidate.steps.size(), i + chunk);
        candidate.steps.erase(candidate.steps.begin() + static_cast<ptrdiff_t>(i),
                              candidate.steps.begin() + static_cast<ptrdiff_t>(end));
        auto kept = try_candidate(candidate, w);
        if (!kept.is_ok()) return kept.status();
        if (kept.value()) {
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
        auto kept = try_candidate(candidate, w);
        if (!kept.is_ok()) return kept.status();
      }
      for (size_t j = 0;
           w->steps[i].write.size() > 1 && j < w->steps[i].write.size() && !out_of_budget();) {
        Workload candidate = *w;
        candidate.steps[i].write.erase(candidate.steps[i].write.begin() +
                                       static_cast<ptrdiff_t>(j));
        auto kept = try_candidate(candidate, w);
        if (!kept.is_ok()) return kept.status();
        if (!kept.value()) ++j;
      }
      for (size_t j = 0; j < w->steps[i].write.size() && !out_of_budget(); ++j) {
        std::string& value = w->steps[i].write[j].value;
        if (value.size() <= 8) continue;
        Workload candidate = *w;
        candidate.steps[i].write[j].value.resize(8);
        auto kept = try_candidate(candidate, w);
        if (!kept.is_ok()) return kept.status();
      }
    }
    return Status::ok();
  }

  uint64_t candidates() const { return candidates_; }

 private:
  const Artifact& artifact_;
  const oracle::TargetInfo& target_;
  const ShrinkOptions& options_;
  const SimSettings settings_;
  const Clock::time_point deadline_;
  uint64_t candidates_ = 0;
};

}  // namespace

Result<std::optional<ShrinkOutcome>> shrink_artifact(const Artifact& artifact,
                                                     const ShrinkOptions& options) {
  const oracle::TargetInfo* target = oracle::find_target(artifact.target);
  if (target == nullptr) {
    return Status(ErrorCode::kInvalidArgument, "unknown target '" + artifact.target + "'");
  }
  Shrinker shrinker(artifact, *target, options);
  Workload best = artifact.workload;
  auto first = shrinker.failure(best);
  if (!first.is_ok()) return first.status();
  if (!first->has_value()) return std::optional<ShrinkOutcome>();
  Status s = shrinker.shrink_steps(&best);
  if (s.is_ok()) s = shrinker.shrink_details(&best);
  if (s.is_ok()) s = shrinker.shrink_steps(&best);  // Details may unlock more removals.
  if (!s.is_ok()) return s;
  // Judged without a deadline: the artifact must hold a complete failure.
  ShrinkOptions unbounded = options;
  unbounded.time_s = 24 * 3600.0;
  Shrinker final_run(artifact, *target, unbounded);
  auto finding = final_run.failure(best);
  if (!finding.is_ok()) return finding.status();
  if (!finding->has_value()) {
    return Status(ErrorCode::kInvalidArgument, "the shrunk workload stopped failing on a re-run");
  }
  const Finding& f = finding->value();
  ShrinkOutcome out;
  out.ops_before = workload_ops(artifact.workload);
  out.ops_after = workload_ops(best);
  out.candidates = shrinker.candidates() + 1;
  Artifact& a = out.artifact;
  a = artifact;
  a.mode = kModeSim;
  a.fork.reset();
  a.workload = best;
  a.crash = f.crash;
  a.kind = f.kind;
  a.verdict = f.verdict.to_string();
  a.context = f.context;
  a.error = f.error;
  a.recovered = f.recovered;
  a.expected = f.expected;
  return std::optional<ShrinkOutcome>(std::move(out));
}

}  // namespace torture
