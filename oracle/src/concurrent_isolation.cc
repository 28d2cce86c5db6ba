// check_concurrent_isolation: the rules of oracle/concurrent_isolation.h
// over the positions of a driver's log.
#include "oracle/concurrent_isolation.h"

#include <cassert>
#include <limits>
#include <map>
#include <set>
#include <tuple>
#include <utility>

#include "text.h"

namespace oracle {

namespace {

constexpr size_t kNever = std::numeric_limits<size_t>::max();
using KeyId = std::pair<std::string, std::string>;
using ValueId = std::tuple<std::string, std::string, std::string>;

enum class Outcome : uint8_t { kOpen, kCommitted, kConflicted, kFailed, kRolledBack };

struct Txn {
  size_t begin = kNever;
  size_t commit_call = kNever;
  Outcome outcome = Outcome::kOpen;
  std::vector<size_t> events;  // Its reads and writes, by position.
  std::set<KeyId> written;
};

struct Plain {
  size_t issued = kNever;
  size_t acked = kNever;
  const Write* write = nullptr;
};

// Who stored a value: a transaction, or a plain write (txn == 0, seq).
struct Writer {
  uint64_t txn = 0;
  uint64_t seq = 0;
  size_t writers = 0;  // How many writes stored it: only 1 names one.
};

class Analysis {
 public:
  explicit Analysis(const std::vector<TxnEvent>& events) : events_(events) { index(); }

  std::optional<IsolationFinding> first_violation() {
    for (size_t i = 0; i < events_.size(); ++i) {
      if (events_[i].kind != TxnEvent::Kind::kRead) continue;
      if (auto f = judge_read(i)) return f;
    }
    return lost_update();
  }

  TransactionRecord record() const {
    TransactionRecord out;
    for (const auto& [id, t] : txns_) {
      const bool uncommitted = t.commit_call == kNever || t.outcome == Outcome::kConflicted ||
                               t.outcome == Outcome::kRolledBack;
      if (!uncommitted) continue;
      for (const size_t i : t.events) {
        const TxnEvent& e = events_[i];
        if (e.kind != TxnEvent::Kind::kWrite || e.op.kind != OpKind::kPut) continue;
        out.uncommitted[{e.op.table, e.op.key, e.op.value}] = label(id);
      }
    }
    return out;
  }

 private:
  static std::string label(uint64_t txn) { return "transaction " + std::to_string(txn); }

  void note_value(const ValueId& v, uint64_t txn, uint64_t seq) {
    Writer& w = writers_[v];
    w.txn = txn;
    w.seq = seq;
    ++w.writers;
  }

  void index() {
    for (size_t i = 0; i < events_.size(); ++i) {
      const TxnEvent& e = events_[i];
      Txn& t = txns_[e.txn];
      switch (e.kind) {
        case TxnEvent::Kind::kBegin:
          t.begin = i;
          break;
        case TxnEvent::Kind::kRead:
          t.events.push_back(i);
          break;
        case TxnEvent::Kind::kWrite:
          t.events.push_back(i);
          t.written.insert({e.op.table, e.op.key});
          if (e.op.kind == OpKind::kPut) note_value({e.op.table, e.op.key, e.op.value}, e.txn, 0);
          break;
        case TxnEvent::Kind::kCommitCall:
          t.commit_call = i;
          break;
        case TxnEvent::Kind::kCommitted:
          t.outcome = Outcome::kCommitted;
          break;
        case TxnEvent::Kind::kConflicted:
          t.outcome = Outcome::kConflicted;
          break;
        case TxnEvent::Kind::kCommitFailed:
          t.outcome = Outcome::kFailed;
          break;
        case TxnEvent::Kind::kRolledBack:
          t.outcome = Outcome::kRolledBack;
          break;
        case TxnEvent::Kind::kPlainIssued:
          plains_[e.seq].issued = i;
          plains_[e.seq].write = &e.write;
          for (const Op& op : e.write) {
            if (op.kind == OpKind::kPut) note_value({op.table, op.key, op.value}, 0, e.seq);
          }
          break;
        case TxnEvent::Kind::kPlainAcked:
          plains_[e.seq].acked = i;
          break;
      }
    }
    txns_.erase(0);  // Plain events carry no transaction.
  }

  // Where the writer of `w` began committing (kNever: never did).
  size_t commit_start(const Writer& w) const {
    if (w.txn == 0) {
      const auto p = plains_.find(w.seq);
      return p == plains_.end() ? kNever : p->second.issued;
    }
    return txns_.at(w.txn).commit_call;
  }

  std::optional<IsolationFinding> judge_read(size_t i) {
    const TxnEvent& r = events_[i];
    const Txn& t = txns_.at(r.txn);
    const std::string what = label(r.txn) + " read " + detail::show_key(r.op.table, r.op.key) +
                             " = " + detail::show_value(r.seen);
    // Its own write, the last before the read, decides; else earlier reads.
    std::optional<std::optional<std::string>> own;
    std::optional<std::optional<std::string>> read_before;
    for (const size_t j : t.events) {
      if (j >= i) break;
      const TxnEvent& e = events_[j];
      if (e.op.table != r.op.table || e.op.key != r.op.key) continue;
      if (e.kind == TxnEvent::Kind::kWrite) {
        own = e.op.kind == OpKind::kPut ? std::optional<std::string>(e.op.value) : std::nullopt;
        read_before.reset();
      } else if (!own) {
        read_before = e.seen;
      }
    }
    if (own) {
      if (*own == r.seen) return std::nullopt;
      return IsolationFinding{ViolationKind::kStaleRead,
                              what + ", not its own write " + detail::show_value(*own)};
    }
    if (r.seen) {
      const auto w = writers_.find({r.op.table, r.op.key, *r.seen});
      if (w != writers_.end() && w->second.writers == 1 && w->second.txn != r.txn) {
        if (auto f = judge_writer(t, i, w->second, what)) return f;
      }
    }
    if (read_before && *read_before != r.seen) {
      return IsolationFinding{ViolationKind::kNonRepeatableRead,
                              what + " after reading " + detail::show_value(*read_before)};
    }
    return std::nullopt;
  }

  std::optional<IsolationFinding> judge_writer(const Txn& t, size_t i, const Writer& w,
                                               const std::string& what) {
    const size_t start = commit_start(w);
    const std::string by = w.txn != 0 ? label(w.txn) : "plain write " + std::to_string(w.seq);
    if (w.txn != 0) {
      const Outcome o = txns_.at(w.txn).outcome;
      if (start == kNever || i < start || o == Outcome::kConflicted || o == Outcome::kRolledBack) {
        return IsolationFinding{ViolationKind::kDirtyRead,
                                what + ", written by " + by + ", which had not committed"};
      }
    }
    if (start != kNever && t.begin != kNever && start > t.begin) {
      return IsolationFinding{
          ViolationKind::kNonRepeatableRead,
          what + ", which " + by + " began committing after the reader's snapshot"};
    }
    return std::nullopt;
  }

  std::optional<IsolationFinding> lost_update() {
    for (const auto& [id, t] : txns_) {
      if (t.outcome != Outcome::kCommitted || t.begin == kNever) continue;
      for (const auto& [other, u] : txns_) {
        if (other == id || u.outcome != Outcome::kCommitted || u.begin == kNever) continue;
        if (!(t.begin < u.commit_call && u.begin < t.commit_call)) continue;
        for (const KeyId& k : t.written) {
          if (u.written.count(k) == 0) continue;
          return finding(id, label(other), k);
        }
      }
      for (const auto& [seq, p] : plains_) {
        if (p.acked == kNever || !(t.begin < p.issued && p.acked < t.commit_call)) continue;
        for (const Op& op : *p.write) {
          if (t.written.count({op.table, op.key}) > 0) {
            return finding(id, "plain write " + std::to_string(seq), {op.table, op.key});
          }
        }
      }
    }
    return std::nullopt;
  }

  static IsolationFinding finding(uint64_t txn, const std::string& other, const KeyId& k) {
    return IsolationFinding{ViolationKind::kLostUpdate,
                            label(txn) + " and " + other + " both committed " +
                                detail::show_key(k.first, k.second) +
                                ", each after the other's snapshot: an update lost"};
  }

  const std::vector<TxnEvent>& events_;
  std::map<uint64_t, Txn> txns_;
  std::map<uint64_t, Plain> plains_;
  std::map<ValueId, Writer> writers_;
};

}  // namespace

ConcurrentIsolation judge_concurrent_isolation(const std::vector<TxnEvent>& events) {
  Analysis a(events);
  return ConcurrentIsolation{a.first_violation(), a.record()};
}

}  // namespace oracle
