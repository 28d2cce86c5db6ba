// IsolationJudge: the live snapshot-isolation checks (rules in
// oracle/isolation.h).
#include "oracle/isolation.h"

#include <cassert>
#include <utility>

#include "faultfs/status_macros.h"
#include "text.h"

namespace oracle {

using faultfs::Result;

namespace {

std::string show_read(const std::string& table, const std::string& key,
                      const std::optional<std::string>& value) {
  return detail::show_key(table, key) + " = " + detail::show_value(value);
}

}  // namespace

void IsolationJudge::begin(uint32_t id, std::string label) {
  assert(id < kOpenMax);
  assert(!is_open(id));
  Open txn;
  txn.label = std::move(label);
  txn.snapshot = history_.summary().last_issued;
  open_.emplace(id, std::move(txn));
}

bool IsolationJudge::is_open(uint32_t id) const { return open_.count(id) > 0; }

IsolationJudge::Open& IsolationJudge::at(uint32_t id) {
  const auto it = open_.find(id);
  assert(it != open_.end());
  return it->second;
}

const IsolationJudge::Open& IsolationJudge::at(uint32_t id) const {
  const auto it = open_.find(id);
  assert(it != open_.end());
  return it->second;
}

const Write& IsolationJudge::writes(uint32_t id) const { return at(id).writes; }

std::vector<uint32_t> IsolationJudge::open_ids() const {
  std::vector<uint32_t> out;
  for (const auto& [id, txn] : open_) out.push_back(id);
  return out;
}

Result<std::optional<IsolationFinding>> IsolationJudge::read(
    uint32_t id, const std::string& table, const std::string& key,
    const std::optional<std::string>& seen) {
  const Open& txn = at(id);
  std::optional<std::string> expected;
  const auto own = txn.own.find({table, key});
  if (own != txn.own.end()) {
    expected = own->second;
  } else {
    ASSIGN_OR_RETURN(auto at_snapshot, history_.value_at(table, key, txn.snapshot));
    expected = std::move(at_snapshot);
  }
  if (seen == expected) return std::optional<IsolationFinding>();
  IsolationFinding f;
  const std::string what = txn.label + " (snapshot p=" + std::to_string(txn.snapshot) + ") read " +
                           show_read(table, key, seen) + " where its snapshot" +
                           (own != txn.own.end() ? " and own writes hold " : " holds ") +
                           detail::show_value(expected);
  if (const std::string* writer = uncommitted_writer(id, table, key, seen)) {
    f.kind = ViolationKind::kDirtyRead;
    f.evidence = what + ": written by " + *writer + ", which has not committed";
    return std::optional<IsolationFinding>(std::move(f));
  }
  const uint64_t now = history_.summary().last_issued;
  ASSIGN_OR_RETURN(auto later, history_.last_write_between(table, key, txn.snapshot, now));
  ASSIGN_OR_RETURN(auto current, history_.value_at(table, key, now));
  if (later > 0 && seen == current) {
    f.kind = ViolationKind::kNonRepeatableRead;
    f.evidence =
        what + ": the value write " + std::to_string(later) + " committed after the snapshot";
  } else {
    f.kind = ViolationKind::kStaleRead;
    f.evidence = what + ": a value its snapshot does not hold";
  }
  return std::optional<IsolationFinding>(std::move(f));
}

const std::string* IsolationJudge::uncommitted_writer(
    uint32_t reader, const std::string& table, const std::string& key,
    const std::optional<std::string>& seen) const {
  // Another open transaction's own view holds it (a put, or a delete).
  for (const auto& [id, txn] : open_) {
    if (id == reader) continue;
    const auto own = txn.own.find({table, key});
    if (own != txn.own.end() && own->second == seen) return &txn.label;
  }
  if (!seen) return nullptr;
  // A put of a transaction that ended without committing.
  const auto dirty = record_.uncommitted.find(std::make_tuple(table, key, *seen));
  if (dirty == record_.uncommitted.end() || dirty->second == at(reader).label) return nullptr;
  return &dirty->second;
}

void IsolationJudge::write(uint32_t id, const Op& op) {
  Open& txn = at(id);
  txn.writes.push_back(op);
  const bool put = op.kind == OpKind::kPut;
  txn.own[{op.table, op.key}] = put ? std::optional<std::string>(op.value) : std::nullopt;
  if (put) record_.uncommitted[std::make_tuple(op.table, op.key, op.value)] = txn.label;
}

Result<std::pair<uint64_t, std::string>> IsolationJudge::later_writer(const Open& txn,
                                                                      uint64_t through) {
  std::pair<uint64_t, std::string> out{0, {}};
  for (const Op& op : txn.writes) {
    ASSIGN_OR_RETURN(auto seq,
                     history_.last_write_between(op.table, op.key, txn.snapshot, through));
    if (seq > out.first) out = {seq, detail::show_key(op.table, op.key)};
  }
  return out;
}

Result<std::optional<IsolationFinding>> IsolationJudge::committed(uint32_t id, uint64_t seq) {
  const Open& txn = at(id);
  assert(seq == 0 || seq > txn.snapshot);
  assert((seq == 0) == txn.writes.empty());
  std::optional<IsolationFinding> out;
  if (seq > 0) {
    ASSIGN_OR_RETURN(auto later, later_writer(txn, seq - 1));
    if (later.first > 0) {
      out = IsolationFinding{ViolationKind::kLostUpdate,
                             txn.label + " (snapshot p=" + std::to_string(txn.snapshot) +
                                 ") committed as write " + std::to_string(seq) + ", but write " +
                                 std::to_string(later.first) + " committed " + later.second +
                                 " after its snapshot: an update lost, not a conflict"};
    }
  }
  settle(id, /*candidate=*/true, seq);
  return out;
}

Result<std::optional<IsolationFinding>> IsolationJudge::conflicted(uint32_t id, uint64_t seq) {
  const Open& txn = at(id);
  ASSIGN_OR_RETURN(auto later, later_writer(txn, history_.summary().last_issued));
  std::optional<IsolationFinding> out;
  if (later.first == 0) {
    out = IsolationFinding{ViolationKind::kFalseConflict,
                           txn.label + " (snapshot p=" + std::to_string(txn.snapshot) + ", " +
                               std::to_string(txn.writes.size()) +
                               " writes) was refused as a conflict, but no writer committed any "
                               "of its keys after its snapshot"};
  }
  settle(id, /*candidate=*/false, seq);
  return out;
}

void IsolationJudge::commit_failed(uint32_t id, uint64_t seq) {
  settle(id, /*candidate=*/true, seq);
}

void IsolationJudge::aborted(uint32_t id) { settle(id, /*candidate=*/false, 0); }

void IsolationJudge::settle(uint32_t id, bool candidate, uint64_t seq) {
  Open& txn = at(id);
  if (seq > 0) record_.commit_seqs.insert(seq);
  if (seq > 0) {
    // Puts the commit overwrote itself: every op but each key's last.
    std::map<std::pair<std::string, std::string>, size_t> last;
    for (size_t i = 0; i < txn.writes.size(); ++i)
      last[{txn.writes[i].table, txn.writes[i].key}] = i;
    for (size_t i = 0; i < txn.writes.size(); ++i) {
      const Op& op = txn.writes[i];
      if (op.kind != OpKind::kPut || last[{op.table, op.key}] == i) continue;
      record_.inside_commits[std::make_tuple(op.table, op.key, op.value)] = seq;
    }
  }
  if (candidate) {
    // Its values are the log's now (acknowledged or maybe applied).
    for (const Op& op : txn.writes) {
      if (op.kind == OpKind::kPut) {
        record_.uncommitted.erase(std::make_tuple(op.table, op.key, op.value));
      }
    }
  }
  open_.erase(id);
}

}  // namespace oracle
