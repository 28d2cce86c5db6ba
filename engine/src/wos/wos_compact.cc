// WosStore::compact_with: the live entries rewritten into db.tmp, each table in
// key order, then the durable switch; see "Compaction" in
// engine/doc/wos_format.md for its crash case analysis.
//
// Error phases as in wos_apply.cc: until install_compacted() syncs, only
// db.tmp has changed; from there on an error sets failed_.
#include <algorithm>
#include <cassert>
#include <optional>

#include "faultfs/status_macros.h"
#include "kill_points.h"
#include "wos/wos_entry_writer.h"
#include "wos/wos_store.h"

namespace dbx::wos {

faultfs::Status WosStore::compact_with(const Delta& delta, const Plan& plan, Prepared* prepared) {
  assert(plan.compact);
  const uint64_t sequence = prepared->sequence_;
  const uint64_t new_generation = generation_ + 1;
  const uint64_t new_length = kDbHeaderBytes + plan.live_bytes;
  ASSIGN_OR_RETURN(auto temp,
                   dir_.fs().open(dir_.db_temp_path(), faultfs::OpenMode::kCreateTruncate));
  // On an early error the half-written db.tmp stays: it is never installed
  // without a full sync, and the next compaction or open replaces it.
  auto give_up = [&](faultfs::Status error) {
    temp->close().ignore_error();  // `error` is the failure worth reporting.
    return error;
  };

  EntryWriter writer(*temp, 0, codec(), new_generation);
  faultfs::Status status = writer.add_raw(
      encode_db_header(DbHeader{new_generation, sequence, new_length, codec().sealed()}));
  if (!status.is_ok()) return give_up(status);
  status = copy_untouched_entries(delta, &writer, &prepared->moved_);
  if (!status.is_ok()) return give_up(status);
  status = write_delta_entries(delta, &writer, &prepared->updates_);
  if (!status.is_ok()) return give_up(status);
  status = writer.finish();
  if (!status.is_ok()) return give_up(status);
  const std::vector<IndexUpdate>& updates = prepared->updates_;
  const auto puts = static_cast<uint64_t>(
      std::count_if(updates.begin(), updates.end(), [](const IndexUpdate& u) { return u.slot; }));
  if (writer.offset() != new_length || prepared->moved_.size() + puts != plan.live_entries) {
    return give_up(corruption(dir_.db_path(), db_length_,
                              "compaction found other live entries "
                              "than the index holds"));
  }

  status = install_compacted(*temp, Conf{new_generation, new_length, sequence, plan.live_entries,
                                         plan.live_bytes, wal_state_at(sequence)});
  if (!status.is_ok()) {
    failed_ = true;
    return give_up(status);
  }

  prepared->generation_ = new_generation;
  prepared->db_length_ = new_length;
  prepared->compacted_db_ = std::move(temp);
  return faultfs::Status::ok();
}

// Live entries untouched by the delta move over in key order, table by
// table, so that a compacted db holds each table as one sorted run followed
// by the delta's puts (also in key order): a later range read of it is a few
// large sequential reads, not a read per row. They are read in batches, each
// in file order with neighbours merged; once a db is mostly one sorted run
// those reads are sequential too.
faultfs::Status WosStore::copy_untouched_entries(const Delta& delta, EntryWriter* writer,
                                                 std::vector<std::pair<Slot*, uint64_t>>* moved) {
  assert(moved->empty());
  moved->reserve(index_.live_entries());
  for (const std::string& table : index_.table_names()) {
    std::string begin;
    for (;;) {
      // The index is not modified until publish(): the key views hold.
      const std::vector<WosIndex::RangeItem> items =
          index_.range(table, begin, std::nullopt, kCompactionBatchKeys);
      assert(items.size() <= kCompactionBatchKeys);
      for (size_t first = 0, last = 0; first < items.size(); first = last) {
        last = batch_end(table, items, first);
        const std::span<const WosIndex::RangeItem> batch(items.data() + first, last - first);
        RETURN_IF_ERROR(copy_in_key_order(delta, table, batch, writer, moved));
      }
      if (items.size() < kCompactionBatchKeys) break;
      begin = std::string(items.back().key) + '\0';  // The smallest key after the batch.
    }
  }
  return faultfs::Status::ok();
}

// The end of the batch starting at `first`: about kReadChunkBytes of stored
// entries, and at least one entry however large.
size_t WosStore::batch_end(std::string_view table, std::span<const WosIndex::RangeItem> items,
                           size_t first) const {
  assert(first < items.size());
  size_t last = first;
  uint64_t batch_bytes = 0;
  while (last < items.size() && (last == first || batch_bytes <= kReadChunkBytes)) {
    batch_bytes +=
        codec().stored_bytes(table.size(), items[last].key.size(), items[last].slot.value_bytes);
    last += 1;
  }
  assert(last > first && last <= items.size());
  return last;
}

faultfs::Status WosStore::copy_in_key_order(const Delta& delta, std::string_view table,
                                            std::span<const WosIndex::RangeItem> items,
                                            EntryWriter* writer,
                                            std::vector<std::pair<Slot*, uint64_t>>* moved) {
  assert(!items.empty());
  // The items the delta leaves alone, still in key order.
  std::vector<WosIndex::RangeItem> untouched;
  untouched.reserve(items.size());
  for (const WosIndex::RangeItem& item : items) {
    if (!delta.contains(table, item.key)) untouched.push_back(item);  // Else the delta decides.
  }
  // What each becomes: the verified stored bytes of a plain entry, or the
  // opened value of a sealed one (bound to its offset and generation, it is
  // sealed anew at its new place). read_in_file_order hands over every item
  // or fails.
  std::vector<std::string> payload(untouched.size());
  RETURN_IF_ERROR(read_in_file_order(table, untouched,
                                     [&](size_t i, std::string_view raw, std::string_view value) {
                                       payload[i] = std::string(codec().sealed() ? value : raw);
                                       return faultfs::Status::ok();
                                     }));
  for (size_t i = 0; i < untouched.size(); ++i) {
    Slot* slot = index_.find_mutable(table, untouched[i].key);
    assert(slot != nullptr && slot->offset == untouched[i].slot.offset);
    moved->emplace_back(slot, writer->offset());
    RETURN_IF_ERROR(codec().sealed()
                        ? writer->add_entry(kEntryTypePut, table, untouched[i].key, payload[i])
                        : writer->add_raw(payload[i]));
  }
  return faultfs::Status::ok();
}

// The delta's puts follow the moved entries; every change, a delete too,
// becomes an index update (in delta order) for publish().
faultfs::Status WosStore::write_delta_entries(const Delta& delta, EntryWriter* writer,
                                              std::vector<IndexUpdate>* updates) {
  assert(updates->empty());
  updates->reserve(delta.entries());
  faultfs::Status status = faultfs::Status::ok();
  delta.for_each([&](std::string_view table, std::string_view key, Delta::Entry value) {
    if (!status.is_ok()) return;
    if (!value.has_value()) {
      updates->push_back(IndexUpdate{table, key, std::nullopt});
      return;
    }
    updates->push_back(
        IndexUpdate{table, key, Slot{writer->offset(), static_cast<uint32_t>(value->size())}});
    status = writer->add_entry(kEntryTypePut, table, key, *value);
  });
  return status;
}

// The switch. db.tmp is whole and durable before it replaces db, and db is
// durable under its name before conf may name its generation: a durable
// conf of generation g+1 therefore always finds db of generation g+1.
faultfs::Status WosStore::install_compacted(faultfs::File& temp, const Conf& conf) {
  assert(conf.generation == generation_ + 1);
  faultfs::Status status = temp.sync();
  if (status.is_ok()) {
    DBX_KILL_POINT("wos/compaction/before_db_rename");
    status = dir_.fs().rename(dir_.db_temp_path(), dir_.db_path());
  }
  if (status.is_ok()) status = dir_.fs().sync_dir(dir_.dir());
  if (status.is_ok()) {
    DBX_KILL_POINT("wos/compaction/before_conf_publish");
    status = dir_.publish_conf(conf);
  }
  return status;
}

}  // namespace dbx::wos
