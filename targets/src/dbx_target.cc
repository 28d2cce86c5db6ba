#include "targets/dbx_target.h"

#include <cassert>
#include <exception>
#include <string>

#include "dbx/dbx.h"
#include "dbx/transaction.h"
#include "dbx_status.h"
#include "dbx_transaction.h"
#include "targets/dbx_durability.h"

namespace targets {

using faultfs::ErrorCode;
using faultfs::Result;
using faultfs::Status;

namespace {

class DbxTarget final : public Target {
 public:
  explicit DbxTarget(const DbxTargetOptions& options) : options_(options) {}

  Status open(faultfs::FileSystem& fs, const std::string& dir, Durability durability) override {
    if (db_ != nullptr) return Status(ErrorCode::kInvalidArgument, "target already open");
    dbx::Options o;
    o.durability = to_dbx_durability(durability);
    o.sync_interval = options_.sync_interval;
    o.flush_interval = options_.flush_interval;
    o.background_threads = !options_.harness_clock;
    o.wal_preallocate_bytes = options_.wal_preallocate_bytes;
    o.delta_flush_threshold_bytes = options_.delta_flush_threshold_bytes;
    o.wos_compaction_min_bytes = options_.wos_compaction_min_bytes;
    o.file_system = &fs;
    if (options_.encrypted) o.encryption = dbx::EncryptionConfig(dbx::EncryptionConfig::Key{7});
    o.lab_nonce_counter_restarts = options_.nonce_counter_restarts;
    o.recovery_mode = options_.tolerate_corrupt_tail ? dbx::RecoveryMode::kTolerateTail
                                                     : dbx::RecoveryMode::kStrict;
    return detail::guarded([&] { db_ = dbx::Database::open(dir, o); });
  }

  Result<uint64_t> apply(const Write& write) override {
    if (db_ == nullptr) return Status(ErrorCode::kInvalidArgument, "target not open");
    if (write.empty()) return Status(ErrorCode::kInvalidArgument, "empty write");
    if (options_.write_path != DbxTargetOptions::WritePath::kBatch)
      return apply_in_transactions(write);
    uint64_t sequence = 0;
    Status s = detail::guarded([&] {
      if (write.size() == 1 && write.front().kind == OpKind::kPut) {
        const Op& op = write.front();
        sequence = db_->insert(op.table, op.key, op.value);
        return;
      }
      // A lone delete goes as a batch of one, which the engine logs as the
      // same delete record and which returns its sequence number.
      dbx::WriteBatch batch;
      for (const Op& op : write) detail::add_to_batch(op, &batch);
      sequence = db_->write(batch);
    });
    if (!s.is_ok()) return s;
    return sequence;
  }

  // One transaction for the whole write (or, for the double, one per
  // operation). Each key is read before it is written: the read path over
  // the snapshot runs in every campaign step. A conflict (a concurrent
  // writer of the same key, fork mode) stored nothing, so the transaction is
  // run again, as an application retries one, at most kConflictRetriesMax
  // times (then the conflict is the write's refusal).
  static constexpr int kConflictRetriesMax = 10'000;

  Result<uint64_t> apply_in_transactions(const Write& write) {
    if (options_.write_path == DbxTargetOptions::WritePath::kTransaction) {
      return commit_retried(write.begin(), write.end());
    }
    uint64_t sequence = 0;
    for (auto op = write.begin(); op != write.end(); ++op) {
      auto committed = commit_retried(op, op + 1);
      if (!committed.is_ok()) return committed.status();
      sequence = committed.value();
    }
    return sequence;
  }

  Result<uint64_t> commit_retried(Write::const_iterator begin, Write::const_iterator end) {
    Status s = Status::ok();
    for (int attempt = 0; attempt <= kConflictRetriesMax; ++attempt) {
      uint64_t sequence = 0;
      s = detail::guarded([&] {
        std::unique_ptr<dbx::Transaction> txn = db_->begin_transaction();
        for (auto op = begin; op != end; ++op) {
          (void)txn->get(op->table, op->key);
          detail::write_into(*txn, *op);
        }
        sequence = txn->commit();
      });
      if (s.is_ok()) return sequence;
      if (s.code() != ErrorCode::kConflict) return s;
    }
    return s;
  }

  Status background(std::chrono::nanoseconds now) override {
    if (!options_.harness_clock) return Status::ok();
    if (db_ == nullptr) return Status(ErrorCode::kInvalidArgument, "target not open");
    return detail::guarded([&] { db_->run_background_work(now); });
  }

  Status flush() override {
    if (db_ == nullptr) return Status(ErrorCode::kInvalidArgument, "target not open");
    return detail::guarded([&] { db_->flush(); });
  }

  Result<State> read_all() override {
    if (db_ == nullptr) return Status(ErrorCode::kInvalidArgument, "target not open");
    State out;
    Status s = detail::guarded([&] {
      for (const std::string& table : db_->table_names()) {
        for (auto& [key, value] : db_->scan(table)) {
          out.push_back(Entry{table, std::move(key), std::move(value)});
        }
      }
    });
    if (!s.is_ok()) return s;
    return out;
  }

  Status close() override {
    if (db_ == nullptr) return Status::ok();
    Status s = detail::guarded([&] { db_->close(); });
    // The handle is released either way; a failed close is reported once.
    db_.reset();
    return s;
  }

  bool is_open() const override { return db_ != nullptr; }

  Result<std::unique_ptr<TargetTransaction>> begin_transaction() override {
    if (db_ == nullptr) return Status(ErrorCode::kInvalidArgument, "target not open");
    std::unique_ptr<TargetTransaction> txn;
    Status s = detail::guarded(
        [&] { txn = detail::make_dbx_transaction(*db_, options_.txn_bug, shared_writes_); });
    if (!s.is_ok()) return s;
    return txn;
  }

  std::vector<std::string> recovery_outcomes() const override {
    if (db_ == nullptr) return {};
    const dbx::RecoveryStats stats = db_->recovery_stats();
    std::vector<std::string> out;
    if (stats.torn_bytes_dropped > 0) out.emplace_back("torn_tail_dropped");
    if (stats.ended_in_recycled_space) out.emplace_back("recycled_tail");
    if (stats.checkpoint_covered_records > 0) out.emplace_back("checkpoint_skip");
    if (stats.compaction_rolled_forward) out.emplace_back("compaction_rolled_forward");
    if (stats.torn_bytes_dropped == 0 &&
        stats.records_skipped == stats.checkpoint_covered_records &&
        !stats.compaction_rolled_forward) {
      out.emplace_back("clean");
    }
    return out;
  }

 private:
  DbxTargetOptions options_;
  std::unique_ptr<dbx::Database> db_;
  detail::SharedWriteBuffer shared_writes_;  // The kSharedWriteBuffer double's.
};

}  // namespace

std::unique_ptr<Target> make_dbx_target(const DbxTargetOptions& options) {
  return std::make_unique<DbxTarget>(options);
}

std::unique_ptr<Target> make_dbx_target(const TargetTuning& tuning,
                                        DbxTargetOptions::WritePath path,
                                        DbxTargetOptions::TxnBug txn_bug) {
  DbxTargetOptions options;
  static_cast<TargetTuning&>(options) = tuning;
  options.write_path = path;
  options.txn_bug = txn_bug;
  return std::make_unique<DbxTarget>(options);
}

std::vector<std::string> dbx_recovery_outcome_labels() {
  return {"clean", "torn_tail_dropped", "recycled_tail", "checkpoint_skip",
          "compaction_rolled_forward"};
}

}  // namespace targets
