// WosStore's read side: point reads, range reads and the no-I/O figures.
// open() lives in wos_open.cc, apply() in wos_apply.cc.
#include "wos/wos_store.h"

#include <algorithm>
#include <cassert>
#include <span>

#include "faultfs/status_macros.h"
#include "logger.h"

namespace dbx::wos {
namespace {

// Range reads merge entries whose gap is at most this many bytes into one
// read: reading a little garbage is cheaper than another system call.
constexpr uint64_t kRangeGapBytesMax = 4096;

}  // namespace

WosStore::WosStore(StoreDir dir, std::unique_ptr<faultfs::File> db, uint64_t generation,
                   uint64_t db_length, uint64_t checkpoint_sequence)
    : dir_(std::move(dir)),
      db_(std::move(db)),
      generation_(generation),
      db_length_(db_length),
      checkpoint_sequence_(checkpoint_sequence) {
  assert(db_ != nullptr);
  assert(generation_ >= kFirstGeneration);
  assert(db_length_ >= kDbHeaderBytes);
  index_.set_seal_bytes(dir_.codec().seal_bytes());
}

WosStore::~WosStore() {
  if (!closed_ && db_ != nullptr) {
    // Every checkpoint is durable before apply() returns, so nothing depends
    // on this close: its error can only concern a read-only handle.
    db_->close().ignore_error();
  }
}

faultfs::Result<std::string_view> WosStore::value_from(std::string_view bytes,
                                                       uint64_t bytes_offset,
                                                       std::string_view table, std::string_view key,
                                                       const Slot& slot, std::string* plain) const {
  assert(slot.offset >= bytes_offset);
  const uint64_t size = codec().stored_bytes(table.size(), key.size(), slot.value_bytes);
  const uint64_t start = slot.offset - bytes_offset;
  if (start + size > bytes.size()) {
    return corruption(dir_.db_path(), slot.offset, "short read of an entry");
  }
  ASSIGN_OR_RETURN(auto entry, codec().decode(bytes.substr(start, size), dir_.db_path(),
                                              generation_, slot.offset, plain));
  // A valid checksum over the wrong entry would be a misdirected read or an
  // index bug; either way these bytes are not the value asked for.
  if (entry.type != kEntryTypePut || entry.table != table || entry.key != key) {
    return corruption(dir_.db_path(), slot.offset, "entry does not match the index");
  }
  assert(entry.value.size() == slot.value_bytes);
  return entry.value;
}

faultfs::Result<std::optional<std::string>> WosStore::get(std::string_view table,
                                                          std::string_view key) const {
  assert(!closed_);
  const Slot* slot = index_.find(table, key);
  if (slot == nullptr) return std::optional<std::string>();
  const uint64_t size = codec().stored_bytes(table.size(), key.size(), slot->value_bytes);
  assert(size <= kStoredEntryBytesMax);
  assert(slot->offset + size <= db_length_);
  std::string buffer;
  ASSIGN_OR_RETURN(auto bytes, read_bytes(slot->offset, size, &buffer));
  std::string plain;
  ASSIGN_OR_RETURN(auto value, value_from(bytes, slot->offset, table, key, *slot, &plain));
  // An empty buffer means the bytes are the mapping's: copy the value out.
  if (codec().sealed() || buffer.empty()) return std::optional<std::string>(std::string(value));
  // The value is the entry's tail: drop the head in place instead of copying.
  buffer.erase(0, buffer.size() - value.size());
  return std::optional<std::string>(std::move(buffer));
}

bool WosStore::contains(std::string_view table, std::string_view key) const {
  return index_.find(table, key) != nullptr;
}

faultfs::Result<std::vector<std::pair<std::string, std::string>>> WosStore::range(
    std::string_view table, std::string_view begin, std::optional<std::string_view> end,
    size_t limit) const {
  assert(!closed_);
  const std::vector<WosIndex::RangeItem> items = index_.range(table, begin, end, limit);
  std::vector<std::pair<std::string, std::string>> rows(items.size());
  RETURN_IF_ERROR(read_in_file_order(
      table, items, [&](size_t i, std::string_view /*raw*/, std::string_view value) {
        rows[i] = {std::string(items[i].key), std::string(value)};
        return faultfs::Status::ok();
      }));
  return rows;
}

faultfs::Status WosStore::read_in_file_order(std::string_view table,
                                             std::span<const WosIndex::RangeItem> items,
                                             const EntryConsumer& take) const {
  // Read in file order, merging neighbours into reads of at most
  // kReadChunkBytes (or one entry when it is larger): a compacted table is
  // one sorted run, so a range costs about one call per chunk, not one per
  // row. (offset, item) pairs: the sort compares numbers held in place
  // rather than chasing an index into `items` for each comparison.
  std::vector<std::pair<uint64_t, size_t>> by_offset(items.size());
  for (size_t i = 0; i < items.size(); ++i) by_offset[i] = {items[i].slot.offset, i};
  std::sort(by_offset.begin(), by_offset.end());
  auto size_of = [&](size_t i) {
    return codec().stored_bytes(table.size(), items[i].key.size(), items[i].slot.value_bytes);
  };
  std::string buffer;
  std::string plain;
  size_t first = 0;
  while (first < by_offset.size()) {
    const uint64_t group_begin = by_offset[first].first;
    uint64_t group_end = group_begin + size_of(by_offset[first].second);
    size_t last = first + 1;
    while (last < by_offset.size()) {
      const uint64_t offset = by_offset[last].first;
      const uint64_t next_end = offset + size_of(by_offset[last].second);
      assert(offset >= group_end);  // Live entries never overlap.
      if (offset - group_end > kRangeGapBytesMax) break;
      if (next_end - group_begin > kReadChunkBytes) break;
      group_end = next_end;
      last += 1;
    }
    assert(group_end <= db_length_);
    ASSIGN_OR_RETURN(auto bytes, read_bytes(group_begin, group_end - group_begin, &buffer));
    for (size_t i = first; i < last; ++i) {
      const size_t item_index = by_offset[i].second;
      const WosIndex::RangeItem& item = items[item_index];
      ASSIGN_OR_RETURN(auto value,
                       value_from(bytes, group_begin, table, item.key, item.slot, &plain));
      // value_from checked that the entry lies within `bytes`.
      const std::string_view raw =
          bytes.substr(item.slot.offset - group_begin, size_of(item_index));
      RETURN_IF_ERROR(take(item_index, raw, value));
    }
    first = last;
  }
  return faultfs::Status::ok();
}

faultfs::Result<std::string_view> WosStore::read_bytes(uint64_t offset, uint64_t size,
                                                       std::string* buffer) const {
  assert(offset + size <= db_length_);
  if (mapped_ != nullptr && offset + size <= mapped_->bytes().size()) {
    return mapped_->bytes().substr(offset, size);
  }
  buffer->resize(size);
  ASSIGN_OR_RETURN(auto n, db_->read_at(offset, std::span<char>(buffer->data(), buffer->size())));
  assert(n <= size);
  return std::string_view(buffer->data(), n);  // Short only past the file's end.
}

void WosStore::refresh_mapping(bool new_file) {
  const uint64_t mapped = new_file || mapped_ == nullptr ? 0 : mapped_->bytes().size();
  if (db_length_ < 2 * mapped) return;  // Doubling bounds the remaps to log2(size).
  auto mapping = db_->map_prefix(db_length_);
  if (!mapping.is_ok()) {
    // Not an error of the read or the checkpoint: reads go on with read_at.
    // Said once at warn level, since every later publish retries.
    const auto level = mapping_warned_ ? spdlog::level::debug : spdlog::level::warn;
    logger().log(level, "wos {}: reading db without a mapping: {}", dir_.dir(),
                 mapping.status().message());
    mapping_warned_ = true;
    mapped_.reset();
    return;
  }
  mapped_ = std::move(*mapping);  // nullptr where the file system does not map.
  assert(mapped_ == nullptr || mapped_->bytes().size() == db_length_);
}

uint64_t WosStore::count(std::string_view table) const { return index_.count(table); }

std::vector<std::string> WosStore::table_names() const { return index_.table_names(); }

void WosStore::set_wal_epoch(uint32_t epoch) {
  wal_next_.known = true;
  wal_next_.epoch = epoch;
}

ConfWalState WosStore::wal_state_at(uint64_t sequence) const {
  ConfWalState state = wal_next_;
  state.synced_sequence = state.known ? sequence : 0;
  return state;
}

faultfs::Status WosStore::publish_wal_state(uint32_t epoch, uint64_t synced_sequence) {
  if (closed_) return faultfs::Status(faultfs::ErrorCode::kInvalidArgument, "wos: closed");
  if (failed_) {
    return faultfs::Status(faultfs::ErrorCode::kIoError,
                           "wos " + dir_.dir() + ": an earlier apply failed; reopen to recover");
  }
  const ConfWalState state{true, epoch, synced_sequence};
  // Either conf is a valid checkpoint of the same figures: a crash before the
  // rename is durable only loses the new WAL facts, which claim more.
  faultfs::Status status =
      dir_.publish_conf(Conf{generation_, db_length_, checkpoint_sequence_, index_.live_entries(),
                             index_.live_bytes(), state});
  if (!status.is_ok()) return status;
  conf_wal_ = state;
  set_wal_epoch(epoch);
  return faultfs::Status::ok();
}

faultfs::Status WosStore::close() {
  if (closed_) return faultfs::Status::ok();
  closed_ = true;
  return db_->close();
}

}  // namespace dbx::wos
