// DBX behind TxnEngine: Database::begin_transaction (snapshot isolation, the
// first committer wins) and Database::snapshot, the public API only.
#include <cassert>
#include <optional>
#include <vector>

#include "dbx/dbx.h"
#include "dbx_status.h"
#include "targets/dbx_durability.h"
#include "txn_engine.h"

namespace bench {
namespace {

faultfs::Status missing(std::string_view key) {
  return faultfs::Status(faultfs::ErrorCode::kNotFound, "dbx: transaction read of a loaded key " +
                                                            std::string(key) + " found nothing");
}

class DbxSession final : public TxnSession {
 public:
  explicit DbxSession(dbx::Database* db) : db_(db) {}

  faultfs::Result<bool> read_modify_write(std::span<const std::string_view> keys,
                                          const Modify& modify) override {
    try {
      std::unique_ptr<dbx::Transaction> txn = db_->begin_transaction();
      values_.resize(keys.size());
      for (size_t i = 0; i < keys.size(); ++i) {
        std::optional<std::string> found = txn->get(kDbxTable, keys[i]);
        if (!found) return missing(keys[i]);  // The destructor rolls back.
        values_[i] = std::move(*found);
      }
      if (faultfs::Status st = modify(values_); !st.is_ok()) return st;
      for (size_t i = 0; i < keys.size(); ++i) txn->insert(kDbxTable, keys[i], values_[i]);
      txn->commit();
    } catch (const dbx::Error& e) {
      if (e.code() == dbx::ErrorCode::kWriteConflict) return false;
      return dbx_status(e);
    }
    return true;
  }

  faultfs::Status begin_snapshot() override {
    assert(snapshot_ == nullptr);
    try {
      snapshot_ = db_->snapshot();
    } catch (const dbx::Error& e) {
      return dbx_status(e);
    }
    return faultfs::Status::ok();
  }

  faultfs::Result<bool> snapshot_get(std::string_view key, std::string* value) override {
    assert(snapshot_ != nullptr && value != nullptr);
    try {
      std::optional<std::string> found = snapshot_->get(kDbxTable, key);
      if (!found) return false;
      *value = std::move(*found);
    } catch (const dbx::Error& e) {
      return dbx_status(e);
    }
    return true;
  }

  faultfs::Result<bool> plain_get(std::string_view key, std::string* value) override {
    assert(snapshot_ == nullptr && value != nullptr);
    try {
      std::optional<std::string> found = db_->get(kDbxTable, key);
      if (!found) return false;
      *value = std::move(*found);
    } catch (const dbx::Error& e) {
      return dbx_status(e);
    }
    return true;
  }

  faultfs::Status end_snapshot() override {
    assert(snapshot_ != nullptr);
    snapshot_.reset();  // Releases the pin; cannot fail.
    return faultfs::Status::ok();
  }

 private:
  dbx::Database* db_;
  std::unique_ptr<dbx::Snapshot> snapshot_;
  std::vector<std::string> values_;
};

class DbxTxnEngine final : public TxnEngine {
 public:
  std::string_view name() const override { return "dbx"; }
  bool has_transactions() const override { return true; }

  faultfs::Status open(const std::string& dir, const TxnOptions& options) override {
    assert(db_ == nullptr);
    dbx::Options dbx_options;
    dbx_options.durability = targets::to_dbx_durability(options.durability);
    try {
      db_ = dbx::Database::open(dir, dbx_options);
    } catch (const dbx::Error& e) {
      return dbx_status(e);
    }
    return faultfs::Status::ok();
  }

  faultfs::Status load(std::span<const Row> rows) override {
    assert(db_ != nullptr);
    const std::vector<Row> copy(rows.begin(), rows.end());
    try {
      db_->insert_batch(kDbxTable, copy);
    } catch (const dbx::Error& e) {
      return dbx_status(e);
    }
    return faultfs::Status::ok();
  }

  faultfs::Result<std::unique_ptr<TxnSession>> session() override {
    assert(db_ != nullptr);
    return std::unique_ptr<TxnSession>(std::make_unique<DbxSession>(db_.get()));
  }

  faultfs::Status close() override {
    if (db_ == nullptr) return faultfs::Status::ok();
    try {
      db_->close();
    } catch (const dbx::Error& e) {
      db_.reset();
      return dbx_status(e);
    }
    db_.reset();
    return faultfs::Status::ok();
  }

 private:
  std::unique_ptr<dbx::Database> db_;
};

}  // namespace

std::unique_ptr<TxnEngine> make_dbx_txn_engine() { return std::make_unique<DbxTxnEngine>(); }

}  // namespace bench
