// oracle::IsolationJudge: checks snapshot isolation live, against the
// History's SQLite model, as one driver thread interleaves transactions with
// plain writes (sim mode), and keeps the record the crash checker needs to
// name an isolation anomaly in a recovered state.
//
// Model (the rules of engine/doc/transactions.md, which every target with
// TargetCapabilities::transactions promises). One driver thread means that
// when a transaction begins, every write issued so far is in the target:
// acknowledged, or refused (void in the log), or followed by the recovery
// that settled it (record_recovered). So the snapshot is the log's state at
// `last_issued` when begin() returned, and nothing is taken from the target:
//  - each read equals the snapshot's value overlaid with the transaction's own
//    writes. Otherwise the value seen names the anomaly: dirty_read (a value
//    only a transaction that has not committed wrote), non_repeatable_read
//    (the value a writer committed after the snapshot), stale_read (any
//    other value: older than the snapshot, or never held);
//  - a commit that succeeded while another writer committed one of its keys
//    after its snapshot is a lost_update (the first committer's write is
//    overwritten by a transaction that never saw it);
//  - a commit refused as a conflict must have such a writer: otherwise
//    false_conflict (and a read-only transaction never conflicts);
//  - after a crash, the checker names a recovered value that only an
//    uncommitted transaction wrote dirty_read, and a commit visible on some
//    keys and absent on others torn_commit (TransactionRecord).
// Values are compared byte for byte; workloads give every transactional put
// a value no other write uses, so a value seen names its one writer.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "faultfs/status.h"
#include "oracle/checker.h"
#include "oracle/history.h"
#include "oracle/types.h"

namespace oracle {

// What the crash checker needs to name isolation anomalies
// (CheckOptions::transactions).
struct TransactionRecord {
  // Log sequence numbers of the writes that were transaction commits.
  std::set<uint64_t> commit_seqs;
  // Every (table, key, value) a transaction put that no commit made a
  // candidate (open, rolled back, refused, or lost with its handle), and
  // the transaction's label ("txn 3").
  std::map<std::tuple<std::string, std::string, std::string>, std::string> uncommitted;
  // Every (table, key, value) a commit put and then overwrote itself: a
  // state in the middle of the commit, which no state of the log holds.
  std::map<std::tuple<std::string, std::string, std::string>, uint64_t> inside_commits;
};

// Refines a violation with the record: a recovered row that only an
// uncommitted transaction wrote makes invented_value or wrong_value a
// dirty_read; a torn_batch whose write is a commit, or a wrong_value that a
// commit held only halfway through, is a torn_commit.
void refine_for_transactions(const TransactionRecord& record, const State& recovered,
                             Verdict* verdict);

struct IsolationFinding {
  ViolationKind kind = ViolationKind::kStaleRead;
  std::string evidence;
};

class IsolationJudge {
 public:
  // Transactions per judge at once: ids are 0 .. kOpenMax - 1.
  static constexpr uint32_t kOpenMax = 16;

  explicit IsolationJudge(History& history) : history_(history) {}

  // Transaction `id` (not open) began now; `label` names it in evidence.
  void begin(uint32_t id, std::string label);
  bool is_open(uint32_t id) const;
  // Its get(table, key) returned `seen` (nullopt: absent).
  [[nodiscard]] faultfs::Result<std::optional<IsolationFinding>> read(
      uint32_t id, const std::string& table, const std::string& key,
      const std::optional<std::string>& seen);
  // Its write(op) returned OK.
  void write(uint32_t id, const Op& op);
  // Its writes so far, in order: what a commit logs as one write.
  const Write& writes(uint32_t id) const;
  // Its commit returned OK; its writes were logged as write `seq` (0: it
  // wrote nothing, and nothing was logged). Ends it.
  [[nodiscard]] faultfs::Result<std::optional<IsolationFinding>> committed(uint32_t id,
                                                                           uint64_t seq);
  // Its commit was refused as a conflict (its write `seq`, 0 if none, is
  // void in the log). Ends it.
  [[nodiscard]] faultfs::Result<std::optional<IsolationFinding>> conflicted(uint32_t id,
                                                                            uint64_t seq);
  // Its commit failed otherwise: write `seq` (0 if none) may be in the
  // target, as the log says. Ends it.
  void commit_failed(uint32_t id, uint64_t seq);
  // Rolled back, or lost with its handle (a reopen, a crash). Ends it.
  void aborted(uint32_t id);
  // Every open transaction, lowest id first.
  std::vector<uint32_t> open_ids() const;

  const TransactionRecord& record() const { return record_; }

 private:
  struct Open {
    std::string label;
    uint64_t snapshot = 0;  // The log's last_issued when it began.
    Write writes;
    // Own view: (table, key) -> value (nullopt: deleted by it).
    std::map<std::pair<std::string, std::string>, std::optional<std::string>> own;
  };
  Open& at(uint32_t id);
  const Open& at(uint32_t id) const;
  // The highest live write after the snapshot to a key `txn` wrote, and
  // that key (0: none).
  [[nodiscard]] faultfs::Result<std::pair<uint64_t, std::string>> later_writer(const Open& txn,
                                                                               uint64_t through);
  void settle(uint32_t id, bool candidate, uint64_t seq);
  // The label of a transaction other than `reader` that wrote `seen` to
  // (table, key) and has not committed it; null if none.
  const std::string* uncommitted_writer(uint32_t reader, const std::string& table,
                                        const std::string& key,
                                        const std::optional<std::string>& seen) const;

  History& history_;
  std::map<uint32_t, Open> open_;
  TransactionRecord record_;
};

}  // namespace oracle
