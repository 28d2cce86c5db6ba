// A tiny program for the fiu environment test: syncs one file through
// FaultInjectionFs over SimFs. Exit 0: synced; 3: EIO; 4: ENOSPC; 1: other.
#include "faultfs/fault_injection.h"
#include "faultfs/sim_fs.h"

int main() {
  using namespace faultfs;
  if (!apply_fiu_environment().is_ok()) return 1;
  SimFs sim;
  FaultInjectionFs fs(sim);
  auto file = sim.open("f", OpenMode::kCreate);
  if (!file.is_ok()) return 1;
  auto wrapped = fs.open("f", OpenMode::kReadWrite);
  if (!wrapped.is_ok()) return wrapped.status().code() == ErrorCode::kNoSpace ? 4 : 3;
  const Status s = (*wrapped)->sync();
  if (s.is_ok()) return 0;
  if (s.code() == ErrorCode::kIoError) return 3;
  if (s.code() == ErrorCode::kNoSpace) return 4;
  return 1;
}
