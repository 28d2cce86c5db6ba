// The seam's free functions: error mapping, capability names, and the checks
// a registry entry passes.
#include <cassert>
#include <string>

#include "faultfs/status_macros.h"
#include "seam_checks.h"
#include "targets/target.h"

namespace targets {

namespace {

constexpr size_t kNameBytesMax = 64;

bool is_kebab_case(const std::string& name) {
  if (name.empty() || name.size() > kNameBytesMax) return false;
  if (name.front() == '-' || name.back() == '-') return false;
  return name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") == std::string::npos &&
         name.find("--") == std::string::npos;
}

faultfs::Status invalid(const TargetInfo& info, const std::string& what) {
  return faultfs::Status(faultfs::ErrorCode::kInvalidArgument,
                         "target '" + info.name + "': " + what);
}

}  // namespace

bool write_maybe_applied(const faultfs::Status& error) {
  assert(!error.is_ok());
  return error.code() != faultfs::ErrorCode::kInvalidArgument &&
         error.code() != faultfs::ErrorCode::kBusy && error.code() != faultfs::ErrorCode::kConflict;
}

std::string capability_names(const TargetCapabilities& capabilities) {
  std::string out;
  const auto add = [&out](bool has, const char* name) {
    if (!has) return;
    if (!out.empty()) out += ",";
    out += name;
  };
  add(capabilities.checkpoint, "checkpoint");
  add(capabilities.close_syncs, "close-syncs");
  add(capabilities.harness_clock, "harness-clock");
  add(capabilities.creates_dir, "creates-dir");
  add(capabilities.transactions, "transactions");
  return out.empty() ? "none" : out;
}

faultfs::Status prepare_database_dir(const TargetInfo& info, faultfs::FileSystem& fs,
                                     const std::string& dir) {
  assert(!dir.empty());
  if (info.capabilities.creates_dir) return faultfs::Status::ok();
  ASSIGN_OR_RETURN(const bool present, fs.exists(dir));
  if (present) return faultfs::Status::ok();
  RETURN_IF_ERROR(fs.mkdir(dir));
  return fs.sync_dir(faultfs::parent_path(dir));
}

faultfs::Status validate_target_info(const TargetInfo& info) {
  if (!is_kebab_case(info.name)) {
    return invalid(info, "the name must be kebab-case ([a-z0-9-], at most 64 bytes)");
  }
  if (info.description.empty()) return invalid(info, "no description");
  if (info.durabilities.empty()) return invalid(info, "no durability level");
  if (!info.make) return invalid(info, "no make()");
  for (const std::string& point : info.kill_points) {
    if (point.empty()) return invalid(info, "an empty kill point name");
  }
  return faultfs::Status::ok();
}

}  // namespace targets
