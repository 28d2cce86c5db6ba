#include "oracle/types.h"

namespace oracle {

const char* crash_kind_name(CrashKind kind) {
  switch (kind) {
    case CrashKind::kProcessKill:
      return "process_kill";
    case CrashKind::kPowerLoss:
      return "power_loss";
  }
  return "?";
}

}  // namespace oracle
