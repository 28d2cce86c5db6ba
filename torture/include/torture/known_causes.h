// Known causes (--known FILE): root causes a campaign already knows about,
// typically weaknesses of a foreign engine that its authors accept, so that
// a campaign can go past them and still fail on a new one.
//
// A cause is what reports::cause_of() groups violations by: the violation
// kind, the crash policy, and the crash site (operation and file). A known
// cause names some of these; a field left out matches anything. A violation
// of a known cause is suppressed: it is counted (Counters::known_suppressed),
// its artifact is removed, and it neither fails the campaign nor counts
// toward --max-violations.
//
// File format (JSON, a limit on everything):
//   {"version": 1,
//    "known": [{"kind": "lost_acknowledged", "policy": "reorder",
//               "crash_op": "sync", "crash_file": "db/wal.log",
//               "why": "free text, required: why this is accepted"}]}
// At least one of kind, policy, crash_op and crash_file per entry. The
// "causes" entries of a report's summary.json can be pasted as they are (their
// "violations" and "first_id" are ignored), with a "why" added.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "faultfs/status.h"
#include "reports/summary.h"

namespace torture {

inline constexpr size_t kKnownCausesMax = 1024;
inline constexpr size_t kKnownCausesFileBytesMax = 1 << 20;

struct KnownCause {
  // Empty: any.
  std::string kind;
  std::string policy;
  std::string crash_op;
  std::string crash_file;
  std::string why;  // Non-empty.

  bool operator==(const KnownCause&) const = default;
};

// Parses a known-causes file; kInvalidArgument naming the first bad field.
[[nodiscard]] faultfs::Result<std::vector<KnownCause>> read_known_causes(const std::string& path);

// Whether `violation`'s cause is one of `known`.
bool is_known_cause(const std::vector<KnownCause>& known, const reports::Violation& violation);

}  // namespace torture
