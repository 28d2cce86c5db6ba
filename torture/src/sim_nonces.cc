// The nonce-reuse check of a simulation run: after every step (and the final
// reopen) the live database's sealed items go to one ledger for the whole
// history. A crash step's generation continues on its crash image, so the
// items that image kept are read, after its recovery, next to everything
// sealed before; images of crash points that are judged and dropped seal
// nothing the live file system had not already held.
#include <cassert>

#include "faultfs/status_macros.h"
#include "oracle/bounds.h"
#include "sim_run.h"

namespace torture::detail {

namespace {
// inspect_nonces reads every file of the database: checking after every step
// costs a campaign about 40% of its states. A reuse by a restarted nonce
// source stays on disk until its items are overwritten, so a sample every
// few steps, plus each step that opened a handle, still sees it.
constexpr uint64_t kNonceCheckEvery = 4;
}  // namespace

using faultfs::ErrorCode;
using faultfs::Status;

Status SimRun::check_nonces(bool final_check) {
  if (!target_info_.sealed_items) return Status::ok();  // A plain target: free.
  // A replay of another state needs no ledger; one of a nonce finding checks
  // every step (a superset: the ledger keeps the first hash, so the reuse is
  // reported again at the finding's step).
  const bool replaying = control_.only != nullptr;
  if (replaying && control_.only->policy != kPolicyNonce) return Status::ok();
  const bool due =
      final_check || opened_since_nonce_check_ || current_step_ % kNonceCheckEvery == 0;
  if (!replaying && !due) return Status::ok();
  opened_since_nonce_check_ = false;
  assert(fs_ != nullptr);
  // Through the simulator itself, not the fault layer: the check reads, it
  // must not draw an armed fault, and reads are no crash points.
  auto items = target_info_.sealed_items(*fs_, kSimDbDir);
  // Not yet an encrypted database there (a first open that failed): nothing
  // sealed to check.
  if (!items.is_ok() && items.status().code() == ErrorCode::kInvalidArgument) {
    return Status::ok();
  }
  if (!items.is_ok()) return items.status();
  const std::optional<NonceReuse> reuse = nonces_.add(*items, step_context(current_step_));
  if (!reuse) return Status::ok();
  return record_live(kPolicyNonce, oracle::ViolationKind::kNonceReuse,
                     "one (data key, nonce) sealed two different ciphertexts: " +
                         reuse->first_where + ", and " + reuse->second_where,
                     "seal", kSimDbDir);
}

}  // namespace torture::detail
