// LevelDB behind TxnEngine: it has snapshots (DB::GetSnapshot +
// ReadOptions::snapshot) but no transactions, so read_modify_write() is
// refused and its transactional cells say n/a.
#include <leveldb/db.h>
#include <leveldb/options.h>
#include <leveldb/write_batch.h>

#include <cassert>

#include "leveldb_status.h"
#include "txn_engine.h"

namespace bench {
namespace {

class LeveldbSession final : public TxnSession {
 public:
  explicit LeveldbSession(leveldb::DB* db) : db_(db) {}
  ~LeveldbSession() override {
    if (snapshot_ != nullptr) db_->ReleaseSnapshot(snapshot_);
  }

  faultfs::Result<bool> read_modify_write(std::span<const std::string_view>,
                                          const Modify&) override {
    return faultfs::Status(faultfs::ErrorCode::kInvalidArgument, "leveldb has no transactions");
  }

  faultfs::Status begin_snapshot() override {
    assert(snapshot_ == nullptr);
    snapshot_ = db_->GetSnapshot();
    return faultfs::Status::ok();
  }

  faultfs::Result<bool> snapshot_get(std::string_view key, std::string* value) override {
    assert(snapshot_ != nullptr && value != nullptr);
    leveldb::ReadOptions read_options;
    read_options.snapshot = snapshot_;
    const leveldb::Status s = db_->Get(read_options, leveldb::Slice(key.data(), key.size()), value);
    if (s.IsNotFound()) return false;
    if (!s.ok()) return leveldb_status(s, "snapshot get");
    return true;
  }

  faultfs::Result<bool> plain_get(std::string_view key, std::string* value) override {
    assert(snapshot_ == nullptr && value != nullptr);
    const leveldb::Status s =
        db_->Get(leveldb::ReadOptions(), leveldb::Slice(key.data(), key.size()), value);
    if (s.IsNotFound()) return false;
    if (!s.ok()) return leveldb_status(s, "get");
    return true;
  }

  faultfs::Status end_snapshot() override {
    assert(snapshot_ != nullptr);
    db_->ReleaseSnapshot(snapshot_);
    snapshot_ = nullptr;
    return faultfs::Status::ok();
  }

 private:
  leveldb::DB* db_;
  const leveldb::Snapshot* snapshot_ = nullptr;
};

class LeveldbTxnEngine final : public TxnEngine {
 public:
  std::string_view name() const override { return "leveldb"; }
  bool has_transactions() const override { return false; }

  faultfs::Status open(const std::string& dir, const TxnOptions& options) override {
    assert(db_ == nullptr);
    if (options.durability == Durability::kNone) {
      return faultfs::Status(faultfs::ErrorCode::kInvalidArgument, "leveldb: no kNone level");
    }
    leveldb::Options level_options;
    level_options.create_if_missing = true;
    write_options_.sync = options.durability == Durability::kFull;
    leveldb::DB* db = nullptr;
    const leveldb::Status s = leveldb::DB::Open(level_options, dir, &db);
    if (!s.ok()) return leveldb_status(s, "open");
    db_.reset(db);
    return faultfs::Status::ok();
  }

  faultfs::Status load(std::span<const Row> rows) override {
    leveldb::WriteBatch batch;
    for (const Row& row : rows) batch.Put(row.first, row.second);
    return leveldb_status(db_->Write(write_options_, &batch), "write");
  }

  faultfs::Result<std::unique_ptr<TxnSession>> session() override {
    assert(db_ != nullptr);
    return std::unique_ptr<TxnSession>(std::make_unique<LeveldbSession>(db_.get()));
  }

  faultfs::Status close() override {
    db_.reset();  // LevelDB's close cannot fail.
    return faultfs::Status::ok();
  }

 private:
  std::unique_ptr<leveldb::DB> db_;
  leveldb::WriteOptions write_options_;
};

}  // namespace

std::unique_ptr<TxnEngine> make_leveldb_txn_engine() {
  return std::make_unique<LeveldbTxnEngine>();
}

}  // namespace bench
