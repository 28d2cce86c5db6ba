// The LevelDB adapter: Debian's libleveldb with its default options; only the
// durability (WriteOptions::sync) is matched.
#include <leveldb/db.h>
#include <leveldb/iterator.h>
#include <leveldb/options.h>
#include <leveldb/write_batch.h>

#include <cassert>

#include "kv_engine.h"
#include "leveldb_status.h"

namespace bench {
namespace {

class LeveldbEngine final : public KvEngine {
 public:
  std::string_view name() const override { return "leveldb"; }

  faultfs::Status open(const std::string& dir, const EngineOptions& options) override {
    assert(db_ == nullptr);
    if (options.durability == Durability::kNone) {
      return faultfs::Status(faultfs::ErrorCode::kInvalidArgument, "leveldb: no kNone level");
    }
    leveldb::Options level_options;
    level_options.create_if_missing = true;
    // One memtable holds the whole recovery run, so nothing leaves the log.
    if (options.keep_all_in_wal) level_options.write_buffer_size = size_t{1} << 30;
    write_options_.sync = options.durability == Durability::kFull;
    leveldb::DB* db = nullptr;
    const leveldb::Status s = leveldb::DB::Open(level_options, dir, &db);
    if (!s.ok()) return leveldb_status(s, "open");
    db_.reset(db);
    return faultfs::Status::ok();
  }

  faultfs::Status put(std::string_view key, std::string_view value) override {
    return leveldb_status(db_->Put(write_options_, leveldb_slice(key), leveldb_slice(value)),
                          "put");
  }

  faultfs::Status put_batch(std::span<const Row> rows) override {
    leveldb::WriteBatch batch;
    for (const Row& row : rows) batch.Put(row.first, row.second);
    return leveldb_status(db_->Write(write_options_, &batch), "write");
  }

  faultfs::Result<bool> get(std::string_view key, std::string* value) override {
    assert(value != nullptr);
    const leveldb::Status s = db_->Get(leveldb::ReadOptions(), leveldb_slice(key), value);
    if (s.IsNotFound()) return false;
    if (!s.ok()) return leveldb_status(s, "get");
    return true;
  }

  faultfs::Result<ScanTotals> scan() override {
    ScanTotals totals;
    std::unique_ptr<leveldb::Iterator> it(db_->NewIterator(leveldb::ReadOptions()));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      ++totals.rows;
      totals.bytes += it->key().size() + it->value().size();
    }
    if (faultfs::Status st = leveldb_status(it->status(), "scan"); !st.is_ok()) return st;
    return totals;
  }

  faultfs::Result<ScanTotals> seek_and_next(std::string_view key, uint64_t count,
                                            std::vector<std::string>* keys) override {
    ScanTotals totals;
    std::unique_ptr<leveldb::Iterator> it(db_->NewIterator(leveldb::ReadOptions()));
    for (it->Seek(leveldb_slice(key)); totals.rows < count && it->Valid(); it->Next()) {
      ++totals.rows;
      totals.bytes += it->key().size() + it->value().size();
      if (keys != nullptr) keys->push_back(it->key().ToString());
    }
    if (faultfs::Status st = leveldb_status(it->status(), "seek"); !st.is_ok()) return st;
    return totals;
  }

  faultfs::Status flush() override {
    // LevelDB's only public way to empty the memtable is a compaction.
    db_->CompactRange(nullptr, nullptr);
    return faultfs::Status::ok();
  }

  faultfs::Status close() override {
    db_.reset();  // LevelDB's close cannot fail: its destructor waits for compactions.
    return faultfs::Status::ok();
  }

  bool is_log_file(std::string_view file_name) const override {
    return file_name.ends_with(".log");
  }

 private:
  std::unique_ptr<leveldb::DB> db_;
  leveldb::WriteOptions write_options_;
};

}  // namespace

std::unique_ptr<KvEngine> make_leveldb_engine() { return std::make_unique<LeveldbEngine>(); }

}  // namespace bench
