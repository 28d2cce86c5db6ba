// WosStore::apply: a checkpoint by appending the delta to db, or by compacting
// into db.tmp and switching over (wos_compact.cc). Both publish conf last; see "Flush" and
// "Compaction" in engine/doc/wos_format.md for why every crash image is the
// old or the new checkpoint.
//
// Error phases: before the first sync or rename nothing on disk below the
// committed length has changed and conf is untouched, so an error leaves the
// store usable (the next apply truncates the garbage). From the first sync or
// rename on, an error leaves the disk state uncertain: failed_ is set and
// further applies are refused until a reopen decides which checkpoint won.
#include <algorithm>
#include <cassert>
#include <optional>

#include "faultfs/status_macros.h"
#include "kill_points.h"
#include "logger.h"
#include "wos/wos_entry_writer.h"
#include "wos/wos_store.h"

namespace dbx::wos {
namespace {

faultfs::Status invalid(const std::string& message) {
  return faultfs::Status(faultfs::ErrorCode::kInvalidArgument, "wos: " + message);
}

}  // namespace

faultfs::Status WosStore::validate(const Delta& delta, uint64_t sequence) const {
  if (closed_) return invalid("apply on a closed store");
  if (failed_) {
    return faultfs::Status(faultfs::ErrorCode::kIoError,
                           "wos: an earlier apply failed after a sync; reopen " + dir_.dir());
  }
  if (sequence < checkpoint_sequence_ || (sequence == checkpoint_sequence_ && !delta.empty())) {
    return invalid("checkpoint sequence " + std::to_string(sequence) + " not after " +
                   std::to_string(checkpoint_sequence_));
  }
  std::optional<faultfs::Status> problem;
  delta.for_each_unordered([&](std::string_view table, std::string_view key, Delta::Entry value) {
    if (problem.has_value()) return;
    if (table.empty() || table.size() > kMaxTableNameBytes) {
      problem = invalid("table name of " + std::to_string(table.size()) + " bytes");
    } else if (key.size() > kMaxKeyBytes) {
      problem = invalid("key of " + std::to_string(key.size()));
    } else if (value.has_value() && value->size() > kMaxValueBytes) {
      problem = invalid("value of " + std::to_string(value->size()) + " bytes");
    }
  });
  if (problem.has_value()) return *problem;
  return faultfs::Status::ok();
}

WosStore::Plan WosStore::plan(const Delta& delta) const {
  Plan plan;
  plan.live_entries = index_.live_entries();
  plan.live_bytes = index_.live_bytes();
  delta.for_each_unordered([&](std::string_view table, std::string_view key, Delta::Entry value) {
    const Slot* old = index_.find(table, key);
    if (old != nullptr) {
      plan.live_entries -= 1;
      plan.live_bytes -= codec().stored_bytes(table.size(), key.size(), old->value_bytes);
    }
    if (value.has_value()) {
      const uint64_t bytes = codec().stored_bytes(table.size(), key.size(), value->size());
      plan.live_entries += 1;
      plan.live_bytes += bytes;
      plan.append_bytes += bytes;
    } else if (old != nullptr) {
      // Deleting an absent key changes nothing: no tombstone is written.
      plan.append_bytes += codec().stored_bytes(table.size(), key.size(), 0);
    }
  });
  const uint64_t file_after = db_length_ + plan.append_bytes;
  // Two reasons to rewrite, both only past compaction_min_bytes_: more than
  // half the file is garbage (the space bound), or the part out of key order
  // would outgrow the part in order (each checkpoint appended out of order
  // is one more run a range read visits; compacting when the disordered tail
  // reaches the ordered prefix doubles the prefix each time, so a random
  // fill is written about twice, while an in-order fill never compacts).
  const uint64_t ordered = key_order_.ordered_length(db_length_);
  assert(ordered >= kDbHeaderBytes && ordered <= db_length_);
  const uint64_t disordered_after = key_order_.would_stay_whole(delta) ? 0 : file_after - ordered;
  const bool mostly_garbage = file_after > 2 * plan.live_bytes;
  const bool mostly_disordered = disordered_after > ordered - kDbHeaderBytes;
  plan.compact = file_after > compaction_min_bytes_ && (mostly_garbage || mostly_disordered);
  assert(disordered_after <= file_after - kDbHeaderBytes);
  return plan;
}

faultfs::Status WosStore::apply(const Delta& delta, uint64_t sequence) {
  ASSIGN_OR_RETURN(auto prepared, prepare(delta, sequence));
  publish(std::move(prepared));
  return faultfs::Status::ok();
}

faultfs::Result<WosStore::Prepared> WosStore::prepare(const Delta& delta, uint64_t sequence) {
  RETURN_IF_ERROR(validate(delta, sequence));
  Prepared prepared;
  prepared.sequence_ = sequence;
  if (sequence == checkpoint_sequence_) {
    assert(delta.empty());
    return prepared;  // Already the checkpoint: nothing to make durable.
  }
  const Plan the_plan = plan(delta);
  prepared.changes_ = true;
  prepared.live_entries_ = the_plan.live_entries;
  prepared.live_bytes_ = the_plan.live_bytes;
  RETURN_IF_ERROR(the_plan.compact ? compact_with(delta, the_plan, &prepared)
                                   : append_delta(delta, the_plan, &prepared));
  assert(prepared.sequence_ == sequence);
  return prepared;
}

faultfs::Result<WosStore::Prepared> WosStore::prepare_rewrite() {
  if (failed_) return faultfs::Status(faultfs::ErrorCode::kIoError, "wos: an earlier apply failed");
  const Delta nothing;
  Plan the_plan;
  the_plan.live_entries = index_.live_entries();
  the_plan.live_bytes = index_.live_bytes();
  the_plan.compact = true;
  Prepared prepared;
  prepared.sequence_ = checkpoint_sequence_;
  prepared.changes_ = true;
  prepared.live_entries_ = the_plan.live_entries;
  prepared.live_bytes_ = the_plan.live_bytes;
  RETURN_IF_ERROR(compact_with(nothing, the_plan, &prepared));
  return prepared;
}

void WosStore::publish(Prepared prepared) {
  assert(!closed_);
  if (!prepared.changes_) {
    assert(prepared.sequence_ == checkpoint_sequence_);
    return;
  }
  // A rewrite (prepare_rewrite) keeps the checkpoint's sequence.
  assert(prepared.sequence_ > checkpoint_sequence_ ||
         (prepared.sequence_ == checkpoint_sequence_ && prepared.compacted_db_ != nullptr));
  for (const auto& [slot, offset] : prepared.moved_) slot->offset = offset;
  for (const IndexUpdate& update : prepared.updates_) {
    if (update.slot.has_value()) {
      index_.put(update.table, update.key, *update.slot);
    } else {
      // The append path records only deletes of live keys; compaction
      // records every delete, for which an absent key is no change.
      index_.erase(update.table, update.key);
    }
  }
  const bool new_file = prepared.compacted_db_ != nullptr;
  if (new_file) {
    // The old db is unlinked and nothing durable depends on its handle.
    db_->close().ignore_error();
    db_ = std::move(prepared.compacted_db_);
    logger().debug("wos {}: compacted to generation {} ({} live bytes)", dir_.dir(),
                   prepared.generation_, prepared.live_bytes_);
  }
  generation_ = prepared.generation_;
  db_length_ = prepared.db_length_;
  key_order_ = std::move(prepared.key_order_);
  refresh_mapping(new_file);
  checkpoint_sequence_ = prepared.sequence_;
  assert(index_.live_entries() == prepared.live_entries_);
  assert(index_.live_bytes() == prepared.live_bytes_);
  check_invariants();
}

faultfs::Status WosStore::append_delta(const Delta& delta, const Plan& plan, Prepared* prepared) {
  assert(!plan.compact);
  const uint64_t sequence = prepared->sequence_;
  const uint64_t length_after = db_length_ + plan.append_bytes;
  prepared->key_order_ = key_order_;  // Extended by the entries appended.
  // What the index learns once the checkpoint is durable, in delta order.
  std::vector<IndexUpdate>& updates = prepared->updates_;
  updates.reserve(delta.entries());
  if (plan.append_bytes > 0) {
    ASSIGN_OR_RETURN(auto size, db_->size());
    if (size < db_length_) return corruption(dir_.db_path(), size, "db shrank below its length");
    if (size > db_length_) {
      // Garbage from an interrupted flush: beyond the committed length, so
      // dropping it touches no checkpoint.
      RETURN_IF_ERROR(db_->truncate(db_length_));
    }
    EntryWriter writer(*db_, db_length_, codec(), generation_);
    // Key order, so that a range read of fresh data is a few sequential reads.
    KeyOrder& order = prepared->key_order_;
    faultfs::Status added;
    delta.for_each([&](std::string_view table, std::string_view key, Delta::Entry value) {
      if (!added.is_ok()) return;
      if (value.has_value()) {
        updates.push_back(
            IndexUpdate{table, key, Slot{writer.offset(), static_cast<uint32_t>(value->size())}});
        order.add(table, key, writer.offset());
        added = writer.add_entry(kEntryTypePut, table, key, *value);
      } else if (index_.find(table, key) != nullptr) {
        updates.push_back(IndexUpdate{table, key, std::nullopt});
        order.add(table, key, writer.offset());
        added = writer.add_entry(kEntryTypeTombstone, table, key, "");
      }
    });
    if (!added.is_ok()) return added;
    RETURN_IF_ERROR(writer.finish());
    assert(writer.offset() == length_after);
    ASSIGN_OR_RETURN(auto written, db_->size());
    if (written != length_after) {
      return corruption(dir_.db_path(), written, "db size after append is not the planned size");
    }
    faultfs::Status synced = db_->sync();
    if (!synced.is_ok()) {
      failed_ = true;
      return synced;
    }
  }
  DBX_KILL_POINT("wos/before_conf_publish");
  faultfs::Status published =
      dir_.publish_conf(Conf{generation_, length_after, sequence, plan.live_entries,
                             plan.live_bytes, wal_state_at(sequence)});
  if (!published.is_ok()) {
    failed_ = true;
    return published;
  }
  prepared->generation_ = generation_;
  prepared->db_length_ = length_after;
  return faultfs::Status::ok();
}

void WosStore::set_compaction_min_bytes(uint64_t bytes) {
  compaction_min_bytes_ = std::max(bytes, kCompactionMinBytesFloor);
  assert(compaction_min_bytes_ >= kCompactionMinBytesFloor);
}

void WosStore::check_invariants() const {
  assert(db_length_ >= kDbHeaderBytes + index_.live_bytes());
  // The space bound every apply keeps (see plan()): compaction runs as soon
  // as the file would exceed both limits, and leaves header + live bytes.
  assert(db_length_ <= std::max<uint64_t>(2 * index_.live_bytes(), compaction_min_bytes_));
}

}  // namespace dbx::wos
