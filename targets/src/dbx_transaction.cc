#include "dbx_transaction.h"

#include <cassert>
#include <optional>
#include <utility>
#include <vector>

#include "dbx/transaction.h"
#include "dbx/write_batch.h"
#include "dbx_status.h"
#include "faultfs/status_macros.h"

namespace targets::detail {

using faultfs::ErrorCode;
using faultfs::Result;
using faultfs::Status;
using TxnBug = DbxTargetOptions::TxnBug;

namespace {

Status ended() { return Status(ErrorCode::kInvalidArgument, "transaction ended"); }

// The writes a double buffers itself, in issue order, and the value each
// key holds for the transaction's own reads (nullopt: deleted by it).
class OwnWrites {
 public:
  void add(const Op& op) {
    ops_.push_back(op);
    latest_[{op.table, op.key}] =
        op.kind == OpKind::kPut ? std::optional<std::string>(op.value) : std::nullopt;
  }
  // nullopt: this transaction never wrote the key.
  std::optional<std::optional<std::string>> find(const std::string& table,
                                                 const std::string& key) const {
    const auto it = latest_.find({table, key});
    if (it == latest_.end()) return std::nullopt;
    return it->second;
  }
  const std::vector<Op>& ops() const { return ops_; }

 private:
  std::vector<Op> ops_;
  std::map<std::pair<std::string, std::string>, std::optional<std::string>> latest_;
};

// DBX's own transaction, as shipped; and, with kSharedWriteBuffer or
// kReadLatest, the same with its reads broken.
class EngineTransaction final : public TargetTransaction {
 public:
  EngineTransaction(dbx::Database& db, TxnBug bug, SharedWriteBuffer& shared)
      : db_(db), bug_(bug), shared_(shared), txn_(db.begin_transaction()) {
    assert(bug == TxnBug::kNone || bug == TxnBug::kSharedWriteBuffer || bug == TxnBug::kReadLatest);
    std::lock_guard lock(shared_.mu);
    writer_ = shared_.next_writer++;
  }
  ~EngineTransaction() override { forget_shared(); }

  Result<std::optional<std::string>> get(const std::string& table,
                                         const std::string& key) override {
    if (!txn_->active()) return ended();
    if (const auto own = own_.find(table, key)) return *own;
    std::optional<std::string> out;
    if (bug_ == TxnBug::kSharedWriteBuffer && find_shared(table, key, &out)) return out;
    Status s = guarded(
        [&] { out = bug_ == TxnBug::kReadLatest ? db_.get(table, key) : txn_->get(table, key); });
    if (!s.is_ok()) return s;
    return out;
  }

  Status write(const Op& op) override {
    if (!txn_->active()) return ended();
    RETURN_IF_ERROR(guarded([&] { write_into(*txn_, op); }));
    own_.add(op);
    if (bug_ == TxnBug::kSharedWriteBuffer) {
      std::lock_guard lock(shared_.mu);
      shared_.writes[{op.table, op.key}] = {writer_, own_.find(op.table, op.key).value()};
    }
    return Status::ok();
  }

  Result<uint64_t> commit() override {
    if (!txn_->active()) return ended();
    forget_shared();
    uint64_t sequence = 0;
    Status s = guarded([&] { sequence = txn_->commit(); });
    if (!s.is_ok()) return s;
    return sequence;
  }

  Status rollback() override {
    if (!txn_->active()) return ended();
    forget_shared();
    return guarded([&] { txn_->rollback(); });
  }

 private:
  bool find_shared(const std::string& table, const std::string& key,
                   std::optional<std::string>* out) {
    std::lock_guard lock(shared_.mu);
    const auto it = shared_.writes.find({table, key});
    if (it == shared_.writes.end() || it->second.first == writer_) return false;
    *out = it->second.second;
    return true;
  }

  void forget_shared() {
    if (bug_ != TxnBug::kSharedWriteBuffer) return;
    std::lock_guard lock(shared_.mu);
    for (auto it = shared_.writes.begin(); it != shared_.writes.end();) {
      it = it->second.first == writer_ ? shared_.writes.erase(it) : std::next(it);
    }
  }

  dbx::Database& db_;
  const TxnBug bug_;
  SharedWriteBuffer& shared_;
  std::unique_ptr<dbx::Transaction> txn_;
  OwnWrites own_;
  uint64_t writer_ = 0;
};

// kNoConflictCheck and kCommitPerOp: reads at a snapshot plus the own
// writes, as they should be, but the commit is plain writes: one batch with
// no conflict check, or one write per operation.
class SnapshotBufferTransaction final : public TargetTransaction {
 public:
  SnapshotBufferTransaction(dbx::Database& db, TxnBug bug)
      : db_(db), bug_(bug), snapshot_(db.snapshot()) {
    assert(bug == TxnBug::kNoConflictCheck || bug == TxnBug::kCommitPerOp);
  }

  Result<std::optional<std::string>> get(const std::string& table,
                                         const std::string& key) override {
    if (done_) return ended();
    if (const auto own = own_.find(table, key)) return *own;
    std::optional<std::string> out;
    Status s = guarded([&] { out = snapshot_->get(table, key); });
    if (!s.is_ok()) return s;
    return out;
  }

  Status write(const Op& op) override {
    if (done_) return ended();
    own_.add(op);
    return Status::ok();
  }

  Result<uint64_t> commit() override {
    if (done_) return ended();
    done_ = true;
    uint64_t sequence = snapshot_->sequence();
    Status s = guarded([&] {
      dbx::WriteBatch batch;
      for (const Op& op : own_.ops()) {
        add_to_batch(op, &batch);
        if (bug_ == TxnBug::kCommitPerOp) {
          sequence = db_.write(batch);
          batch.clear();
        }
      }
      if (bug_ == TxnBug::kNoConflictCheck && !own_.ops().empty()) sequence = db_.write(batch);
    });
    snapshot_.reset();
    if (!s.is_ok()) return s;
    return sequence;
  }

  Status rollback() override {
    if (done_) return ended();
    done_ = true;
    snapshot_.reset();
    return Status::ok();
  }

 private:
  dbx::Database& db_;
  const TxnBug bug_;
  std::unique_ptr<dbx::Snapshot> snapshot_;
  OwnWrites own_;
  bool done_ = false;
};

}  // namespace

void add_to_batch(const Op& op, dbx::WriteBatch* batch) {
  if (op.kind == OpKind::kPut) {
    batch->put(op.table, op.key, op.value);
  } else {
    batch->remove(op.table, op.key);
  }
}

void write_into(dbx::Transaction& txn, const Op& op) {
  if (op.kind == OpKind::kPut) {
    txn.insert(op.table, op.key, op.value);
  } else {
    (void)txn.remove(op.table, op.key);  // Whether it existed: not asked.
  }
}

std::unique_ptr<TargetTransaction> make_dbx_transaction(dbx::Database& db, TxnBug bug,
                                                        SharedWriteBuffer& shared) {
  if (bug == TxnBug::kNoConflictCheck || bug == TxnBug::kCommitPerOp) {
    return std::make_unique<SnapshotBufferTransaction>(db, bug);
  }
  return std::make_unique<EngineTransaction>(db, bug, shared);
}

}  // namespace targets::detail
