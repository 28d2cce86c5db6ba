// Grouping violations by root cause: the same violation kind under the same
// policy at the same persistence operation on the same file is, for triage,
// one bug; a campaign that finds it a hundred times must not read as a
// hundred bugs, nor stop --max-violations before a second bug shows.
#include <algorithm>
#include <map>

#include "reports/summary.h"

namespace reports {

Cause cause_of(const Violation& violation) {
  return Cause{violation.kind, violation.policy, violation.crash_op, violation.crash_file};
}

std::vector<CauseGroup> group_by_cause(const std::vector<Violation>& violations) {
  std::map<Cause, CauseGroup> groups;
  for (const Violation& v : violations) {
    CauseGroup& group = groups[cause_of(v)];
    if (group.violations == 0 || v.id < group.first_id) group.first_id = v.id;
    ++group.violations;
  }
  std::vector<CauseGroup> out;
  out.reserve(groups.size());
  for (auto& [cause, group] : groups) {
    group.cause = cause;
    out.push_back(std::move(group));
  }
  std::stable_sort(out.begin(), out.end(), [](const CauseGroup& a, const CauseGroup& b) {
    return a.violations > b.violations;
  });
  return out;
}

}  // namespace reports
