#include "doubles/fragile_recovery.h"

#include <chrono>
#include <cstdlib>
#include <thread>

namespace targets::doubles {

faultfs::Status FragileRecoveryTarget::open(faultfs::FileSystem& fs, const std::string& dir,
                                            Durability durability) {
  auto interrupted = fs.exists(faultfs::join_path(dir, kCheckpointTmpName));
  if (interrupted.is_ok() && interrupted.value()) {
    if (failure_ == RecoveryFailure::kAbort) std::abort();
    for (;;) std::this_thread::sleep_for(std::chrono::seconds(1));  // A recovery that never ends.
  }
  return inner_->open(fs, dir, durability);
}

}  // namespace targets::doubles
