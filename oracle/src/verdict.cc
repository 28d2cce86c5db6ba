#include <string>

#include "oracle/checker.h"
#include "text.h"

namespace oracle {

const char* violation_kind_name(ViolationKind kind) {
  switch (kind) {
    case ViolationKind::kUnreadable:
      return "unreadable";
    case ViolationKind::kInventedValue:
      return "invented_value";
    case ViolationKind::kWrongValue:
      return "wrong_value";
    case ViolationKind::kTornBatch:
      return "torn_batch";
    case ViolationKind::kResurrectedDelete:
      return "resurrected_delete";
    case ViolationKind::kLostAcknowledged:
      return "lost_acknowledged";
    case ViolationKind::kCheckpointMix:
      return "checkpoint_mix";
    case ViolationKind::kHole:
      return "hole";
    case ViolationKind::kUndetectedLoss:
      return "undetected_loss";
    case ViolationKind::kDirtyRead:
      return "dirty_read";
    case ViolationKind::kLostUpdate:
      return "lost_update";
    case ViolationKind::kNonRepeatableRead:
      return "non_repeatable_read";
    case ViolationKind::kStaleRead:
      return "stale_read";
    case ViolationKind::kFalseConflict:
      return "false_conflict";
    case ViolationKind::kTornCommit:
      return "torn_commit";
    case ViolationKind::kNonceReuse:
      return "nonce_reuse";
  }
  return "?";
}

std::string Verdict::to_string() const {
  std::string out;
  if (ok) {
    out = error_detected ? "ok: error detected and reported (allowed for this crash) "
                         : "ok: state at p=" + std::to_string(p) + " ";
    out += bounds.to_string();
    if (!evidence.empty()) out += "\n  " + evidence;
    return out;
  }
  out = "violation " + std::string(kind ? violation_kind_name(*kind) : "?") + " " +
        bounds.to_string();
  if (!evidence.empty()) out += "\n  evidence: " + evidence;
  // A live isolation finding judged a read or a commit, not a state.
  const bool live_only =
      kind == ViolationKind::kLostUpdate || kind == ViolationKind::kNonRepeatableRead ||
      kind == ViolationKind::kStaleRead || kind == ViolationKind::kFalseConflict ||
      (kind == ViolationKind::kDirtyRead && diff.first_rows.empty());
  if (kind != ViolationKind::kUnreadable && !live_only) {
    out += "\n  against closest allowed p=" + std::to_string(p) + ": " +
           std::to_string(diff.missing_count) + " missing, " + std::to_string(diff.extra_count) +
           " extra, " + std::to_string(diff.wrong_count) + " wrong";
    for (const DiffRow& row : diff.first_rows) {
      out += "\n    " + detail::show_key(row.table, row.key) + ": expected " +
             detail::show_value(row.expected) + ", recovered " + detail::show_value(row.recovered);
    }
  }
  return out;
}

}  // namespace oracle
