// refine_for_transactions: the crash checker's names for isolation
// anomalies in a recovered state (rules in oracle/isolation.h).
#include <cassert>
#include <string>
#include <tuple>

#include "oracle/isolation.h"
#include "text.h"

namespace oracle {

void refine_for_transactions(const TransactionRecord& record, const State& recovered,
                             Verdict* verdict) {
  assert(verdict != nullptr && !verdict->ok && verdict->kind.has_value());
  const ViolationKind kind = *verdict->kind;
  if (kind == ViolationKind::kTornBatch && record.commit_seqs.count(verdict->write_seq) > 0) {
    verdict->kind = ViolationKind::kTornCommit;
    verdict->evidence = "a transaction's commit is torn: " + verdict->evidence;
    return;
  }
  if (kind != ViolationKind::kInventedValue && kind != ViolationKind::kWrongValue) return;
  for (const Entry& e : recovered) {
    const auto it = record.inside_commits.find(std::make_tuple(e.table, e.key, e.value));
    if (it == record.inside_commits.end() || kind != ViolationKind::kWrongValue) continue;
    verdict->kind = ViolationKind::kTornCommit;
    verdict->evidence = detail::show_key(e.table, e.key) + " = \"" + detail::show_bytes(e.value) +
                        "\", which commit " + std::to_string(it->second) +
                        " wrote and overwrote itself: a state inside the commit";
    return;
  }
  for (const Entry& e : recovered) {
    const auto it = record.uncommitted.find(std::make_tuple(e.table, e.key, e.value));
    if (it == record.uncommitted.end()) continue;
    verdict->kind = ViolationKind::kDirtyRead;
    verdict->evidence = detail::show_key(e.table, e.key) + " = \"" + detail::show_bytes(e.value) +
                        "\" was written by " + it->second + ", which never committed";
    return;
  }
}

}  // namespace oracle
