// libfiu control for the faultfs error points: initialisation, enabling and
// disabling points, and applying $FIU_ENABLE without fiu-run.
#include <fiu-control.h>
#include <fiu.h>

#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>

#include "faultfs/fault_injection.h"
#include "faultfs/status_macros.h"

namespace faultfs {

const char* fault_point_name(FaultOp op) {
  static constexpr const char* kNames[kFaultOpCount] = {
      "faultfs/open",     "faultfs/read_at",  "faultfs/append",    "faultfs/write_at",
      "faultfs/sync",     "faultfs/truncate", "faultfs/size",      "faultfs/close",
      "faultfs/rename",   "faultfs/remove",   "faultfs/mkdir",     "faultfs/list",
      "faultfs/sync_dir", "faultfs/lock",     "faultfs/file_size", "faultfs/exists",
      "faultfs/rmdir"};
  const auto index = static_cast<size_t>(op);
  return index < kFaultOpCount ? kNames[index] : "faultfs/?";
}

Status fiu_initialize() {
  static std::once_flag once;
  static int result = 0;
  std::call_once(once, [] { result = fiu_init(0); });
  if (result != 0) return Status(ErrorCode::kIoError, "fiu_init failed");
  return Status::ok();
}

Status enable_fault(FaultOp op, FaultKind kind, bool once, uint64_t short_write_bytes) {
  RETURN_IF_ERROR(fiu_initialize());
  // libfiu leaks the old entry when a point is enabled again: replace it cleanly.
  disable_fault(op);
  // failinfo carries a byte count, not a pointer; fiu only hands it back.
  void* info = reinterpret_cast<void*>(static_cast<uintptr_t>(short_write_bytes));
  if (fiu_enable(fault_point_name(op), static_cast<int>(kind), info, once ? FIU_ONETIME : 0) != 0) {
    return Status(ErrorCode::kIoError, std::string("fiu_enable failed: ") + fault_point_name(op));
  }
  return Status::ok();
}

Status enable_fault_random(FaultOp op, FaultKind kind, double probability) {
  if (!(probability >= 0.0 && probability <= 1.0)) {
    return Status(ErrorCode::kInvalidArgument, "probability outside [0, 1]");
  }
  RETURN_IF_ERROR(fiu_initialize());
  disable_fault(op);  // See enable_fault().
  if (fiu_enable_random(fault_point_name(op), static_cast<int>(kind), nullptr, 0,
                        static_cast<float>(probability)) != 0) {
    return Status(ErrorCode::kIoError,
                  std::string("fiu_enable_random failed: ") + fault_point_name(op));
  }
  return Status::ok();
}

void disable_fault(FaultOp op) {
  // libfiu must be initialized before any call. If it cannot be, no point
  // was ever enabled, so every point is disabled already.
  if (!fiu_initialize().is_ok()) return;
  // fiu_disable fails only for a point that is not enabled: the goal holds.
  const int rc = fiu_disable(fault_point_name(op));
  (void)rc;
}

void disable_all_faults() {
  for (size_t i = 0; i < kFaultOpCount; ++i) disable_fault(static_cast<FaultOp>(i));
}

Status apply_fiu_environment() {
  RETURN_IF_ERROR(fiu_initialize());
  const char* preload = std::getenv("LD_PRELOAD");
  if (preload != nullptr && std::strstr(preload, "fiu_run_preload") != nullptr) {
    return Status::ok();  // fiu-run's preload library already applied FIU_ENABLE.
  }
  const char* env = std::getenv("FIU_ENABLE");
  if (env == nullptr) return Status::ok();
  const std::string commands(env);
  size_t start = 0;
  while (start < commands.size()) {
    size_t end = commands.find('\n', start);
    if (end == std::string::npos) end = commands.size();
    std::string command = commands.substr(start, end - start);
    start = end + 1;
    const size_t first = command.find_first_not_of(" \t");
    if (first == std::string::npos) continue;
    command = command.substr(first);
    char* error = nullptr;
    if (fiu_rc_string(command.c_str(), &error) != 0) {
      return Status(ErrorCode::kInvalidArgument,
                    "FIU_ENABLE command failed: " + command + ": " + (error ? error : "?"));
    }
  }
  return Status::ok();
}

}  // namespace faultfs
