// RocksDB behind TxnEngine, in its two transaction flavours:
//   rocksdb-txn  TransactionDB: GetForUpdate takes a key lock that a
//                concurrent writer waits for (lock_timeout, then TimedOut;
//                deadlock detection on, then Busy);
//   rocksdb-occ  OptimisticTransactionDB: no locks; Commit() fails with Busy
//                (or TryAgain) when a key it read for update was written
//                after its snapshot.
// Either failure is a conflict to retry. Snapshots are DB::GetSnapshot +
// ReadOptions::snapshot on the underlying DB. Default options otherwise, as in
// rocksdb_engine.cc; durability is WriteOptions::sync.
#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/utilities/optimistic_transaction_db.h>
#include <rocksdb/utilities/transaction.h>
#include <rocksdb/utilities/transaction_db.h>
#include <rocksdb/write_batch.h>

#include <cassert>
#include <vector>

#include "rocksdb_status.h"
#include "txn_engine.h"

namespace bench {
namespace {

bool is_conflict(const rocksdb::Status& s) {
  return s.IsBusy() || s.IsTryAgain() || s.IsTimedOut();
}

// What a session needs from its engine.
struct RocksHandles {
  rocksdb::DB* db = nullptr;  // The stackable DB (either flavour).
  rocksdb::TransactionDB* pessimistic = nullptr;
  rocksdb::OptimisticTransactionDB* optimistic = nullptr;
  rocksdb::WriteOptions write_options;
  int64_t wait_ms = 1000;
};

class RocksSession final : public TxnSession {
 public:
  explicit RocksSession(const RocksHandles& h) : h_(h) {}
  ~RocksSession() override {
    if (snapshot_ != nullptr) h_.db->ReleaseSnapshot(snapshot_);
  }

  faultfs::Result<bool> read_modify_write(std::span<const std::string_view> keys,
                                          const Modify& modify) override {
    begin();
    rocksdb::ReadOptions read_options;
    read_options.snapshot = txn_->GetSnapshot();  // nullptr (latest) when pessimistic.
    values_.resize(keys.size());
    for (size_t i = 0; i < keys.size(); ++i) {
      const rocksdb::Status s =
          txn_->GetForUpdate(read_options, rocksdb_slice(keys[i]), &values_[i]);
      if (!s.ok()) return give_up(s, "get for update");
    }
    if (faultfs::Status st = modify(values_); !st.is_ok()) {
      txn_->Rollback().PermitUncheckedError();  // The modify's error is the one to report.
      return st;
    }
    for (size_t i = 0; i < keys.size(); ++i) {
      const rocksdb::Status s = txn_->Put(rocksdb_slice(keys[i]), rocksdb_slice(values_[i]));
      if (!s.ok()) return give_up(s, "put");
    }
    const rocksdb::Status s = txn_->Commit();
    if (!s.ok()) return give_up(s, "commit");
    return true;
  }

  faultfs::Status begin_snapshot() override {
    assert(snapshot_ == nullptr);
    snapshot_ = h_.db->GetSnapshot();
    return faultfs::Status::ok();
  }

  faultfs::Result<bool> snapshot_get(std::string_view key, std::string* value) override {
    assert(snapshot_ != nullptr && value != nullptr);
    rocksdb::ReadOptions read_options;
    read_options.snapshot = snapshot_;
    const rocksdb::Status s = h_.db->Get(read_options, rocksdb_slice(key), value);
    if (s.IsNotFound()) return false;
    if (!s.ok()) return rocksdb_status(s, "snapshot get");
    return true;
  }

  faultfs::Result<bool> plain_get(std::string_view key, std::string* value) override {
    assert(snapshot_ == nullptr && value != nullptr);
    const rocksdb::Status s = h_.db->Get(rocksdb::ReadOptions(), rocksdb_slice(key), value);
    if (s.IsNotFound()) return false;
    if (!s.ok()) return rocksdb_status(s, "get");
    return true;
  }

  faultfs::Status end_snapshot() override {
    assert(snapshot_ != nullptr);
    h_.db->ReleaseSnapshot(snapshot_);
    snapshot_ = nullptr;
    return faultfs::Status::ok();
  }

 private:
  // Reuses the handle (BeginTransaction's old_txn): no allocation per transaction.
  void begin() {
    rocksdb::Transaction* txn = nullptr;
    if (h_.pessimistic != nullptr) {
      rocksdb::TransactionOptions options;
      options.lock_timeout = h_.wait_ms;
      options.deadlock_detect = true;  // Keys come sorted; this is a guard, not the plan.
      txn = h_.pessimistic->BeginTransaction(h_.write_options, options, txn_.get());
    } else {
      rocksdb::OptimisticTransactionOptions options;
      options.set_snapshot = true;  // Validate against the state the reads saw.
      txn = h_.optimistic->BeginTransaction(h_.write_options, options, txn_.get());
    }
    if (txn != txn_.get()) txn_.reset(txn);
  }

  // A conflict rolls back and asks for a retry; anything else is an error.
  faultfs::Result<bool> give_up(const rocksdb::Status& s, const char* what) {
    const rocksdb::Status rolled_back = txn_->Rollback();
    if (!is_conflict(s)) return rocksdb_status(s, what);
    if (!rolled_back.ok()) return rocksdb_status(rolled_back, "rollback after a conflict");
    return false;
  }

  RocksHandles h_;
  std::unique_ptr<rocksdb::Transaction> txn_;
  const rocksdb::Snapshot* snapshot_ = nullptr;
  std::vector<std::string> values_;
};

class RocksTxnEngine final : public TxnEngine {
 public:
  explicit RocksTxnEngine(bool optimistic) : optimistic_(optimistic) {}

  std::string_view name() const override { return optimistic_ ? "rocksdb-occ" : "rocksdb-txn"; }
  bool has_transactions() const override { return true; }

  faultfs::Status open(const std::string& dir, const TxnOptions& options) override {
    assert(owner_ == nullptr);
    if (options.durability == Durability::kNone) {
      return faultfs::Status(faultfs::ErrorCode::kInvalidArgument, "rocksdb: no kNone level");
    }
    rocksdb::Options rocks_options;
    rocks_options.create_if_missing = true;
    handles_.write_options.sync = options.durability == Durability::kFull;
    handles_.wait_ms = options.wait_ms;
    rocksdb::Status s;
    if (optimistic_) {
      s = rocksdb::OptimisticTransactionDB::Open(rocks_options, dir, &handles_.optimistic);
      handles_.db = handles_.optimistic;
    } else {
      s = rocksdb::TransactionDB::Open(rocks_options, rocksdb::TransactionDBOptions(), dir,
                                       &handles_.pessimistic);
      handles_.db = handles_.pessimistic;
    }
    if (!s.ok()) return rocksdb_status(s, "open");
    owner_.reset(handles_.db);
    return faultfs::Status::ok();
  }

  faultfs::Status load(std::span<const Row> rows) override {
    rocksdb::WriteBatch batch;
    for (const Row& row : rows) {
      if (faultfs::Status st = rocksdb_status(batch.Put(row.first, row.second), "batch");
          !st.is_ok()) {
        return st;
      }
    }
    return rocksdb_status(owner_->Write(handles_.write_options, &batch), "write");
  }

  faultfs::Result<std::unique_ptr<TxnSession>> session() override {
    assert(owner_ != nullptr);
    return std::unique_ptr<TxnSession>(std::make_unique<RocksSession>(handles_));
  }

  faultfs::Status close() override {
    if (owner_ == nullptr) return faultfs::Status::ok();
    faultfs::Status status = rocksdb_status(owner_->Close(), "close");
    owner_.reset();
    handles_ = RocksHandles{};
    return status;
  }

 private:
  bool optimistic_;
  RocksHandles handles_;
  std::unique_ptr<rocksdb::DB> owner_;
};

}  // namespace

std::unique_ptr<TxnEngine> make_rocksdb_txn_engine(bool optimistic) {
  return std::make_unique<RocksTxnEngine>(optimistic);
}

}  // namespace bench
