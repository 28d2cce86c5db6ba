// The DBX adapter: one table, the public API only (engine/include/dbx), so the
// figures are what an application embedding DBX would see. "dbx-encrypted" is
// the same adapter with encryption at rest (engine/doc/encryption.md): the
// default AEAD, XChaCha20-Poly1305, under a raw 32-byte key, so no key
// derivation (Argon2id, ~0.7 s) lands inside a timed open.
#include <cassert>
#include <numeric>
#include <optional>

#include "dbx/dbx.h"
#include "dbx_status.h"
#include "kv_engine.h"
#include "targets/dbx_durability.h"

namespace bench {
namespace {

// A fixed key: the bench measures the cost of sealing, not key secrecy.
dbx::EncryptionConfig bench_encryption() {
  dbx::EncryptionConfig::Key key;
  std::iota(key.begin(), key.end(), uint8_t{1});
  return dbx::EncryptionConfig(key, dbx::Algorithm::kXChaCha20Poly1305);
}

class DbxEngine final : public KvEngine {
 public:
  explicit DbxEngine(bool encrypted) : encrypted_(encrypted) {}

  std::string_view name() const override { return encrypted_ ? kDbxEncryptedName : "dbx"; }

  faultfs::Status open(const std::string& dir, const EngineOptions& options) override {
    assert(db_ == nullptr);
    dbx::Options dbx_options;
    dbx_options.durability = targets::to_dbx_durability(options.durability);
    if (options.keep_all_in_wal) {
      // A recovery run writes ~150 MB; the default 64 MiB threshold would
      // checkpoint part of it into the WOS and leave less to replay.
      dbx_options.delta_flush_threshold_bytes = uint64_t{8} << 30;
    }
    if (encrypted_) dbx_options.encryption = bench_encryption();
    try {
      db_ = dbx::Database::open(dir, dbx_options);
    } catch (const dbx::Error& e) {
      return dbx_status(e);
    }
    // An encrypted run that silently opened a plain database would report
    // plain figures as encrypted ones.
    assert(db_->is_encrypted() == encrypted_);
    return faultfs::Status::ok();
  }

  faultfs::Status put(std::string_view key, std::string_view value) override {
    assert(db_ != nullptr);
    try {
      db_->insert(kDbxTable, key, value);
    } catch (const dbx::Error& e) {
      return dbx_status(e);
    }
    return faultfs::Status::ok();
  }

  faultfs::Status put_batch(std::span<const Row> rows) override {
    assert(db_ != nullptr);
    const std::vector<Row> copy(rows.begin(), rows.end());
    try {
      db_->insert_batch(kDbxTable, copy);
    } catch (const dbx::Error& e) {
      return dbx_status(e);
    }
    return faultfs::Status::ok();
  }

  faultfs::Result<bool> get(std::string_view key, std::string* value) override {
    assert(db_ != nullptr);
    assert(value != nullptr);
    try {
      std::optional<std::string> found = db_->get(kDbxTable, key);
      if (!found) return false;
      *value = std::move(*found);
    } catch (const dbx::Error& e) {
      return dbx_status(e);
    }
    return true;
  }

  faultfs::Result<ScanTotals> scan() override {
    assert(db_ != nullptr);
    ScanTotals totals;
    try {
      // Database::scan materializes the whole table; the table's figure has
      // always been measured that way (seek_and_next uses the iterator).
      for (const auto& [key, value] : db_->scan(kDbxTable)) {
        ++totals.rows;
        totals.bytes += key.size() + value.size();
      }
    } catch (const dbx::Error& e) {
      return dbx_status(e);
    }
    return totals;
  }

  faultfs::Result<ScanTotals> seek_and_next(std::string_view key, uint64_t count,
                                            std::vector<std::string>* keys) override {
    assert(db_ != nullptr);
    ScanTotals totals;
    try {
      // A snapshot per seek, as a fresh RocksDB/LevelDB iterator pins the
      // state it was created at.
      const std::unique_ptr<dbx::Snapshot> snapshot = db_->snapshot();
      const std::unique_ptr<dbx::Iterator> it = snapshot->iterator(kDbxTable);
      for (it->seek(key); totals.rows < count && it->valid(); it->next()) {
        ++totals.rows;
        totals.bytes += it->key().size() + it->value().size();
        if (keys != nullptr) keys->emplace_back(it->key());
      }
    } catch (const dbx::Error& e) {
      return dbx_status(e);
    }
    return totals;
  }

  faultfs::Status flush() override {
    assert(db_ != nullptr);
    try {
      db_->flush();
    } catch (const dbx::Error& e) {
      return dbx_status(e);
    }
    return faultfs::Status::ok();
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

  bool is_log_file(std::string_view file_name) const override { return file_name == "wal.log"; }

 private:
  const bool encrypted_;
  std::unique_ptr<dbx::Database> db_;
};

}  // namespace

std::unique_ptr<KvEngine> make_dbx_engine() { return std::make_unique<DbxEngine>(false); }
std::unique_ptr<KvEngine> make_dbx_encrypted_engine() { return std::make_unique<DbxEngine>(true); }

}  // namespace bench
