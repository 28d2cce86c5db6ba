// WosStore::load_index: the index built at open from one sequential scan of
// db's committed entries.
//
// Method: the scan stages entries into bounded batches (keys copied, since
// the scanner's views end at its next call); each batch is applied to the
// index in file order with the probe of the entry kPrefetchDistance ahead
// started early, so that a million keys in a table far larger than the
// cache cost overlapping misses rather than one after another. A db of at
// least kPipelinedLoadMinBytes is scanned (read and checksummed) on a
// second thread while this one applies (util/pipeline.h). The first table
// is sized up front for the live entries conf expects.
#include <algorithm>
#include <cassert>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "faultfs/status_macros.h"
#include "logger.h"
#include "util/byte_arena.h"
#include "util/packed_key.h"
#include "util/pipeline.h"
#include "wos/wos_entry_scanner.h"
#include "wos/wos_store.h"

namespace dbx::wos {
namespace {

constexpr size_t kLoadBatchesInFlightMax = 4;
constexpr size_t kPrefetchDistance = KeyTable<Slot>::kPrefetchAheadKeys;

// Entries of db in file order, detached from the scanner's buffer.
class LoadBatch {
 public:
  static constexpr size_t kEntriesMax = 8192;
  static constexpr size_t kTablesMax = 64;

  struct Entry {
    PackedKey key;
    Slot slot;  // Offset of the entry; for a put, its value's length.
    uint16_t table = 0;
    bool is_put = false;
  };

  bool has_room_for(std::string_view table) const {
    if (entries_.size() >= kEntriesMax) return false;
    return tables_.size() < kTablesMax || find_table(table) < tables_.size();
  }

  void add(const EntryView& entry, uint64_t offset) {
    assert(has_room_for(entry.table));
    size_t table = find_table(entry.table);
    if (table == tables_.size()) tables_.emplace_back(entry.table);
    const std::string_view key = entry.key;
    Entry staged;
    staged.key = PackedKey::make(key, PackedKey::fits_inline(key) ? key : long_keys_.store(key));
    staged.slot = Slot{offset, static_cast<uint32_t>(entry.value.size())};
    staged.table = static_cast<uint16_t>(table);
    staged.is_put = entry.type == kEntryTypePut;
    entries_.push_back(staged);
  }

  bool empty() const { return entries_.empty(); }
  const std::vector<Entry>& entries() const { return entries_; }
  const std::string& table(const Entry& entry) const { return tables_[entry.table]; }

 private:
  // tables_.size() when absent. Batches nearly always hold one table.
  size_t find_table(std::string_view table) const {
    return static_cast<size_t>(std::find(tables_.begin(), tables_.end(), table) - tables_.begin());
  }

  std::vector<std::string> tables_;
  std::vector<Entry> entries_;
  ByteArena long_keys_;
};
static_assert(LoadBatch::kTablesMax < UINT16_MAX);

using Emit = std::function<bool(LoadBatch&&)>;

// Scans [begin, end) of db into batches. Returns the scanner's error, or a
// cancellation once emit refuses a batch.
faultfs::Status scan_into_batches(faultfs::File& db, const std::string& path, uint64_t begin,
                                  uint64_t end, const EntryCodec& codec, uint64_t generation,
                                  const Emit& emit, uint64_t* read_calls) {
  EntryScanner scanner(db, path, begin, end, codec, generation);
  LoadBatch batch;
  const faultfs::Status cancelled(faultfs::ErrorCode::kIoError, "index load cancelled");
  while (true) {
    ASSIGN_OR_RETURN(auto item, scanner.next());
    if (!item.has_value()) break;
    if (!batch.has_room_for(item->entry.table)) {
      if (!emit(std::exchange(batch, LoadBatch()))) return cancelled;
    }
    batch.add(item->entry, item->offset);
  }
  if (!batch.empty() && !emit(std::move(batch))) return cancelled;
  *read_calls = scanner.read_calls();
  return faultfs::Status::ok();
}

// Applies batches to the index in order.
class IndexLoader {
 public:
  IndexLoader(WosIndex& index, uint64_t expected_live_entries, std::string path)
      : index_(index), expected_live_entries_(expected_live_entries), path_(std::move(path)) {}

  [[nodiscard]] faultfs::Status apply(const LoadBatch& batch) {
    const std::vector<LoadBatch::Entry>& entries = batch.entries();
    for (size_t i = 0; i < entries.size(); ++i) {
      if (i + kPrefetchDistance < entries.size()) {
        const LoadBatch::Entry& ahead = entries[i + kPrefetchDistance];
        index_.prefetch(batch.table(ahead), ahead.key.view());
      }
      RETURN_IF_ERROR(apply_one(batch.table(entries[i]), entries[i]));
    }
    entries_applied_ += entries.size();
    return faultfs::Status::ok();
  }

  uint64_t entries_applied() const { return entries_applied_; }
  KeyOrder& key_order() { return key_order_; }

 private:
  faultfs::Status apply_one(const std::string& table, const LoadBatch::Entry& entry) {
    const std::string_view key = entry.key.view();
    key_order_.add(table, key, entry.slot.offset);
    if (entry.is_put) {
      const bool new_table = index_.put(table, key, entry.slot);
      // The first table seen is usually the only one: size it for all the
      // keys conf expects, so that it never grows a doubling at a time.
      if (new_table && expected_live_entries_ > index_.live_entries()) {
        index_.reserve(table, expected_live_entries_ - index_.live_entries() + 1);
      }
      return faultfs::Status::ok();
    }
    if (index_.erase(table, key)) return faultfs::Status::ok();
    // apply() writes a tombstone only for a live key, so a stray one means
    // the entries are not what apply() wrote.
    return corruption(path_, entry.slot.offset, "tombstone for a key that is not live");
  }

  WosIndex& index_;
  const uint64_t expected_live_entries_;
  const std::string path_;
  uint64_t entries_applied_ = 0;
  KeyOrder key_order_;  // Of the entries applied so far, in file order.
};

}  // namespace

faultfs::Status WosStore::load_index(uint64_t expected_live_entries) {
  assert(index_.live_entries() == 0);
  const std::string& path = dir_.db_path();
  IndexLoader loader(index_, expected_live_entries, path);
  uint64_t read_calls = 0;
  auto scan = [&](const Emit& emit) {
    return scan_into_batches(*db_, path, kDbHeaderBytes, db_length_, codec(), generation_, emit,
                             &read_calls);
  };
  const PipelineRun run =
      run_pipeline<LoadBatch>(kLoadBatchesInFlightMax, db_length_ >= kPipelinedLoadMinBytes, scan,
                              [&loader](LoadBatch&& batch) { return loader.apply(batch); });
  if (!run.status.is_ok()) return run.status;
  index_.shrink_to_fit();
  key_order_ = std::move(loader.key_order());
  logger().debug(
      "wos {}: loaded {} live entries ({} bytes) from {} entries with {} reads{}; {} of "
      "{} bytes in key order",
      dir_.dir(), index_.live_entries(), index_.live_bytes(), loader.entries_applied(), read_calls,
      run.on_second_thread ? ", pipelined" : "", key_order_.ordered_length(db_length_), db_length_);
  return faultfs::Status::ok();
}

}  // namespace dbx::wos
