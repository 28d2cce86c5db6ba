// Checks on a TargetInfo before it joins the registry: what every driver of
// the registry relies on (a unique kebab-case name, something to run).
#pragma once

#include "faultfs/status.h"
#include "targets/target.h"

namespace targets {

// OK, or kInvalidArgument naming the first field that breaks the rules.
[[nodiscard]] faultfs::Status validate_target_info(const TargetInfo& info);

}  // namespace targets
