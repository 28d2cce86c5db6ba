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
  if (kind != ViolationKind::kUnreadable) {
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
