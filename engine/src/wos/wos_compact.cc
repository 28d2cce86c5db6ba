// WosStore::compact_with: the live entries rewritten into db.tmp, each table in
// key order, then the durable switch; see "Compaction" in
// engine/doc/wos_format.md for its crash case analysis.
//
// Error phases as in wos_apply.cc: until install_compacted() syncs, only
// db.tmp has changed; from there on an error sets failed_.
#include <algorithm>
#include <cassert>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

#include "faultfs/status_macros.h"
#include "kill_points.h"
#include "wos/wos_entry_writer.h"
#include "wos/wos_store.h"

namespace dbx::wos {
namespace {

// The tables a compaction writes, in name order: those of the index and of
// the delta (a delta's table may be new, or hold only deletes).
std::vector<std::string> tables_of(const WosIndex& index, const Delta& delta) {
  const std::vector<std::string> live = index.table_names();
  const std::vector<std::string> changed = delta.table_names();
  std::vector<std::string> tables;
  tables.reserve(live.size() + changed.size());
  std::set_union(live.begin(), live.end(), changed.begin(), changed.end(),
                 std::back_inserter(tables));
  assert(std::is_sorted(tables.begin(), tables.end()));
  return tables;
}

}  // namespace

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
  prepared->moved_.reserve(index_.live_entries());
  prepared->updates_.reserve(delta.entries());
  prepared->tables_ = tables_of(index_, delta);
  for (const std::string& table : prepared->tables_) {
    status = write_merged_table(delta, table, &writer, prepared);
    if (!status.is_ok()) return give_up(status);
  }
  status = writer.finish();
  if (!status.is_ok()) return give_up(status);
  const std::vector<IndexUpdate>& updates = prepared->updates_;
  const auto puts = static_cast<uint64_t>(
      std::count_if(updates.begin(), updates.end(), [](const IndexUpdate& u) { return u.slot; }));
  // Every table went out as one sorted run (asserted by the tracker).
  assert(prepared->key_order_.whole());
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

// One table's puts of the delta, in key order, and how many went out.
struct WosStore::DeltaPuts {
  std::vector<std::pair<std::string_view, std::string_view>> rows;  // Views into the delta.
  size_t written = 0;
};

// A table's live entries the delta leaves alone move over in key order,
// merged with the delta's puts, so that a compacted db holds each table as
// one sorted run: a later range read of it is a few large sequential reads,
// not a read per row. The old entries are read in batches, each in file
// order with neighbours merged; once a db is mostly one sorted run those
// reads are sequential too. Every change of the delta, a delete too, becomes
// an index update for publish().
faultfs::Status WosStore::write_merged_table(const Delta& delta, const std::string& table,
                                             EntryWriter* writer, Prepared* prepared) {
  DeltaPuts puts;
  delta.for_each_in_range(table, "", std::nullopt, [&](std::string_view key, Delta::Entry value) {
    if (value.has_value()) {
      puts.rows.emplace_back(key, *value);
    } else {
      prepared->updates_.push_back(IndexUpdate{table, key, std::nullopt});
    }
  });
  std::string begin;
  for (;;) {
    // The index is not modified until publish(): the key views hold.
    const std::vector<WosIndex::RangeItem> items =
        index_.range(table, begin, std::nullopt, kCompactionBatchKeys);
    assert(items.size() <= kCompactionBatchKeys);
    for (size_t first = 0, last = 0; first < items.size(); first = last) {
      last = batch_end(table, items, first);
      const std::span<const WosIndex::RangeItem> batch(items.data() + first, last - first);
      RETURN_IF_ERROR(copy_in_key_order(delta, table, batch, &puts, writer, prepared));
    }
    if (items.size() < kCompactionBatchKeys) break;
    begin = std::string(items.back().key) + '\0';  // The smallest key after the batch.
  }
  RETURN_IF_ERROR(write_delta_puts(table, &puts, std::nullopt, writer, prepared));
  assert(puts.written == puts.rows.size());
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
                                            DeltaPuts* puts, EntryWriter* writer,
                                            Prepared* prepared) {
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
    // No delta key equals an untouched one: the delta's puts that sort
    // before this key go first.
    RETURN_IF_ERROR(write_delta_puts(table, puts, untouched[i].key, writer, prepared));
    Slot* slot = index_.find_mutable(table, untouched[i].key);
    assert(slot != nullptr && slot->offset == untouched[i].slot.offset);
    prepared->moved_.emplace_back(slot, writer->offset());
    prepared->key_order_.add(table, untouched[i].key, writer->offset());
    RETURN_IF_ERROR(codec().sealed()
                        ? writer->add_entry(kEntryTypePut, table, untouched[i].key, payload[i])
                        : writer->add_raw(payload[i]));
  }
  return faultfs::Status::ok();
}

faultfs::Status WosStore::write_delta_puts(std::string_view table, DeltaPuts* puts,
                                           std::optional<std::string_view> bound,
                                           EntryWriter* writer, Prepared* prepared) {
  assert(puts->written <= puts->rows.size());
  for (; puts->written < puts->rows.size(); puts->written += 1) {
    const auto& [key, value] = puts->rows[puts->written];
    if (bound.has_value() && key >= *bound) break;
    prepared->updates_.push_back(
        IndexUpdate{table, key, Slot{writer->offset(), static_cast<uint32_t>(value.size())}});
    prepared->key_order_.add(table, key, writer->offset());
    RETURN_IF_ERROR(writer->add_entry(kEntryTypePut, table, key, value));
  }
  assert(!bound.has_value() || puts->written == puts->rows.size() ||
         puts->rows[puts->written].first > *bound);
  return faultfs::Status::ok();
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
