// The oracle's vocabulary: the seam's value types (targets/types.h), which
// the oracle judges under the same names, plus what a crash took away.
#pragma once

#include <cstdint>

#include "targets/types.h"

namespace oracle {

// The oracle judges the states targets return: writes, rows, states and
// durability levels are the seam's own types, not copies of them.
using targets::Durability;
using targets::durability_name;
using targets::Entry;
using targets::normalize_state;
using targets::Op;
using targets::OpKind;
using targets::State;
using targets::Write;

// What the crash took away (the contract's columns): a process kill keeps
// every byte that reached the OS; a power loss keeps only the durable images
// plus the crash policy's choice of the un-synced changes.
enum class CrashKind : uint8_t { kProcessKill, kPowerLoss };

// "process_kill", "power_loss".
const char* crash_kind_name(CrashKind kind);

}  // namespace oracle
