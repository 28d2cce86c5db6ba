// The RocksDB adapter: Debian's librocksdb with its default options, as an
// application would start; only the durability (WriteOptions::sync) is matched.
#include <rocksdb/db.h>
#include <rocksdb/iterator.h>
#include <rocksdb/options.h>
#include <rocksdb/write_batch.h>

#include <cassert>

#include "kv_engine.h"
#include "rocksdb_status.h"

namespace bench {
namespace {

class RocksdbEngine final : public KvEngine {
 public:
  std::string_view name() const override { return "rocksdb"; }

  faultfs::Status open(const std::string& dir, const EngineOptions& options) override {
    assert(db_ == nullptr);
    if (options.durability == Durability::kNone) {
      return faultfs::Status(faultfs::ErrorCode::kInvalidArgument, "rocksdb: no kNone level");
    }
    rocksdb::Options rocks_options;
    rocks_options.create_if_missing = true;
    if (options.keep_all_in_wal) {
      // One memtable holds the whole recovery run, so nothing leaves the WAL.
      rocks_options.write_buffer_size = size_t{1} << 30;
      rocks_options.max_total_wal_size = uint64_t{4} << 30;
    }
    write_options_.sync = options.durability == Durability::kFull;
    rocksdb::DB* db = nullptr;
    const rocksdb::Status s = rocksdb::DB::Open(rocks_options, dir, &db);
    if (!s.ok()) return rocksdb_status(s, "open");
    db_.reset(db);
    return faultfs::Status::ok();
  }

  faultfs::Status put(std::string_view key, std::string_view value) override {
    return rocksdb_status(db_->Put(write_options_, rocksdb_slice(key), rocksdb_slice(value)),
                          "put");
  }

  faultfs::Status put_batch(std::span<const Row> rows) override {
    rocksdb::WriteBatch batch;
    for (const Row& row : rows) {
      if (faultfs::Status st = rocksdb_status(batch.Put(row.first, row.second), "batch");
          !st.is_ok()) {
        return st;
      }
    }
    return rocksdb_status(db_->Write(write_options_, &batch), "write");
  }

  faultfs::Result<bool> get(std::string_view key, std::string* value) override {
    assert(value != nullptr);
    const rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), rocksdb_slice(key), value);
    if (s.IsNotFound()) return false;
    if (!s.ok()) return rocksdb_status(s, "get");
    return true;
  }

  faultfs::Result<ScanTotals> scan() override {
    ScanTotals totals;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      ++totals.rows;
      totals.bytes += it->key().size() + it->value().size();
    }
    if (faultfs::Status st = rocksdb_status(it->status(), "scan"); !st.is_ok()) return st;
    return totals;
  }

  faultfs::Result<ScanTotals> seek_and_next(std::string_view key, uint64_t count,
                                            std::vector<std::string>* keys) override {
    ScanTotals totals;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
    for (it->Seek(rocksdb_slice(key)); totals.rows < count && it->Valid(); it->Next()) {
      ++totals.rows;
      totals.bytes += it->key().size() + it->value().size();
      if (keys != nullptr) keys->push_back(it->key().ToString());
    }
    if (faultfs::Status st = rocksdb_status(it->status(), "seek"); !st.is_ok()) return st;
    return totals;
  }

  faultfs::Status flush() override {
    // A full compaction, as for LevelDB (which offers nothing narrower): reads
    // then meet the engine's settled shape.
    if (faultfs::Status st = rocksdb_status(db_->Flush(rocksdb::FlushOptions()), "flush");
        !st.is_ok()) {
      return st;
    }
    return rocksdb_status(db_->CompactRange(rocksdb::CompactRangeOptions(), nullptr, nullptr),
                          "compact");
  }

  faultfs::Status close() override {
    if (db_ == nullptr) return faultfs::Status::ok();
    faultfs::Status status = rocksdb_status(db_->Close(), "close");
    db_.reset();
    return status;
  }

  bool is_log_file(std::string_view file_name) const override {
    return file_name.ends_with(".log");
  }

 private:
  std::unique_ptr<rocksdb::DB> db_;
  rocksdb::WriteOptions write_options_;
};

}  // namespace

std::unique_ptr<KvEngine> make_rocksdb_engine() { return std::make_unique<RocksdbEngine>(); }

}  // namespace bench
