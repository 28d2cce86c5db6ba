// Judging shrink candidates of a fork-mode finding that simulation does not
// reproduce (concurrent writers racing a kill, a real kill point): each
// candidate runs real kill cycles of the fork mode.
//
// A kill cycle is not deterministic (thread interleaving, where the kill
// lands), so a candidate gets up to kTriesMax cycles, with the kill ordinal
// varied so that both named kill points and acknowledgement kills are tried.
// It fails only with the artifact's own cause: kind, policy, and the
// operation and file at the crash point.
#pragma once

#include <cstdint>
#include <string>

#include "faultfs/status.h"
#include "targets/target.h"
#include "torture/artifact.h"
#include "torture/options.h"

namespace torture::detail {

class ForkShrinkJudge {
 public:
  static constexpr uint32_t kTriesMax = 8;
  // The artifact's own workload is known to have failed once: it gets more
  // tries before the shrink gives up on it. A race seen in one cycle of
  // seven (as a group commit's early acknowledgement under a process kill
  // can be) is then missed with odds below 1 in 10,000, not 1 in 4.
  static constexpr uint32_t kReproduceTriesMax = 64;

  // `threads` above 1 fixes the writer threads; else drawn as the campaign did.
  ForkShrinkJudge(const Artifact& artifact, const targets::TargetInfo& target, uint32_t threads);
  ~ForkShrinkJudge();
  ForkShrinkJudge(const ForkShrinkJudge&) = delete;
  ForkShrinkJudge& operator=(const ForkShrinkJudge&) = delete;

  // Whether one of `tries` cycles of `w` finds the artifact's cause. The finding's
  // folder is then kept (kept_dir()), replacing the one kept before: a kill
  // cycle may not fail again, so the evidence is kept when it is seen.
  [[nodiscard]] faultfs::Result<bool> failure(const Workload& w, uint32_t tries = kTriesMax);

  // Hands over the folder of the last finding failure() saw (empty before
  // the first): the caller removes it once copied. Until then, and for a
  // shrink that ends in an error, the destructor removes it.
  std::string release_kept_dir();

 private:
  [[nodiscard]] faultfs::Status keep(const std::string& dir);

  const Artifact& artifact_;
  const targets::TargetInfo& target_;
  CampaignOptions options_;
  std::string scratch_root_;
  uint64_t cycles_ = 0;
  std::string kept_dir_;
};

}  // namespace torture::detail
