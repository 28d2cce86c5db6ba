// WosStore::open: creation, the reconciliation of conf with db after a crash
// (the case analysis of engine/doc/wos_format.md, "Opening"), and the index
// load by one sequential scan.
#include <array>
#include <cassert>
#include <string>

#include "log.h"
#include "wos/wos_entry_scanner.h"
#include "wos/wos_store.h"

namespace dbx::wos {
namespace {

bool is_not_found(const faultfs::Status& status) {
  return status.code() == faultfs::ErrorCode::kNotFound;
}

}  // namespace

// A store whose conf never became durable never held a checkpoint: conf is
// published last, so its absence means creation did not finish. Creation
// writes db (header only) and makes its entry durable before conf can exist,
// so that a durable conf always names a durable db.
faultfs::Status WosStore::initialize(const StoreDir& dir) {
  faultfs::FileSystem& fs = dir.fs();
  auto db_size = fs.file_size(dir.db_path());
  if (db_size.is_ok() && *db_size > kDbHeaderBytes) {
    return corruption(dir.conf_path(), 0, "conf missing while db holds entries");
  }
  if (!db_size.is_ok() && !is_not_found(db_size.status())) return db_size.status();

  auto db = fs.open(dir.db_path(), faultfs::OpenMode::kCreateTruncate);
  if (!db.is_ok()) return db.status();
  const DbHeader header{kFirstGeneration, 0, kDbHeaderBytes};
  faultfs::Status status = (*db)->append(encode_db_header(header));
  if (status.is_ok()) status = (*db)->sync();
  if (!status.is_ok()) {
    (*db)->close().ignore_error();  // The write failed already; that error is the one to report.
    return status;
  }
  status = (*db)->close();
  if (!status.is_ok()) return status;
  status = fs.sync_dir(dir.dir());
  if (!status.is_ok()) return status;
  status = fs.sync_dir(faultfs::parent_path(dir.dir()));
  if (!status.is_ok()) return status;
  return dir.publish_conf(Conf{kFirstGeneration, kDbHeaderBytes, 0, 0, 0});
}

faultfs::Result<std::unique_ptr<WosStore>> WosStore::open(faultfs::FileSystem& fs,
                                                          const std::string& dir_path) {
  StoreDir dir(fs, dir_path);
  faultfs::Status status = dir.ensure_exists();
  if (!status.is_ok()) return status;

  auto conf = dir.read_conf();
  if (!conf.is_ok() && is_not_found(conf.status())) {
    status = initialize(dir);
    if (!status.is_ok()) return status;
    conf = dir.read_conf();
  }
  if (!conf.is_ok()) return conf.status();

  auto db = fs.open(dir.db_path(), faultfs::OpenMode::kReadWrite);
  if (!db.is_ok()) {
    if (is_not_found(db.status())) {
      return corruption(dir.conf_path(), 0, "conf present but " + dir.db_path() + " missing");
    }
    return db.status();
  }
  auto db_size = (*db)->size();
  if (!db_size.is_ok()) return db_size.status();
  auto header = dir.read_db_header(**db, dir.db_path(), *db_size);
  if (!header.is_ok()) return header.status();

  uint64_t generation = conf->generation;
  uint64_t db_length = conf->db_length;
  uint64_t sequence = conf->checkpoint_sequence;
  bool roll_forward = false;
  if (header->generation == conf->generation + 1) {
    // Case B: the compacted db was installed, its conf was not. The new db is
    // whole (synced before its rename) and its header carries the checkpoint
    // it was written for: finish the switch by publishing its conf.
    if (header->base_sequence < conf->checkpoint_sequence) {
      return corruption(dir.db_path(), 24, "compacted db older than conf's checkpoint");
    }
    generation = header->generation;
    db_length = header->base_length;
    sequence = header->base_sequence;
    roll_forward = true;
    logger().warn("wos {}: finishing an interrupted compaction (generation {} -> {})", dir.dir(),
                  conf->generation, header->generation);
  } else if (conf->generation == header->generation + 1) {
    // Case C: conf names a db that was not installed. Our switch syncs the
    // directory between the two renames, so this needs an image the protocol
    // never produces; roll forward anyway when db.tmp is that db, whole.
    auto temp = fs.open(dir.db_temp_path(), faultfs::OpenMode::kReadWrite);
    if (!temp.is_ok()) {
      return corruption(dir.conf_path(), 16, "conf generation ahead of db, and no db.tmp");
    }
    auto temp_size = (*temp)->size();
    if (!temp_size.is_ok()) return temp_size.status();
    auto temp_header = dir.read_db_header(**temp, dir.db_temp_path(), *temp_size);
    if (!temp_header.is_ok()) return temp_header.status();
    if (temp_header->generation != conf->generation) {
      return corruption(dir.conf_path(), 16, "conf generation matches neither db nor db.tmp");
    }
    status = (*temp)->close();
    if (!status.is_ok()) return status;
    status = (*db)->close();
    if (!status.is_ok()) return status;
    status = fs.rename(dir.db_temp_path(), dir.db_path());
    if (status.is_ok()) status = fs.sync_dir(dir.dir());
    if (!status.is_ok()) return status;
    logger().warn("wos {}: installed db.tmp of generation {} named by conf", dir.dir(),
                  conf->generation);
    db = fs.open(dir.db_path(), faultfs::OpenMode::kReadWrite);
    if (!db.is_ok()) return db.status();
    db_size = (*db)->size();
    if (!db_size.is_ok()) return db_size.status();
  } else if (header->generation != conf->generation) {
    return corruption(dir.conf_path(), 16,
                      "conf generation " + std::to_string(conf->generation) +
                          " does not match db generation " + std::to_string(header->generation));
  }
  if (db_length > *db_size) {
    return corruption(roll_forward ? dir.db_path() : dir.conf_path(), roll_forward ? 32 : 24,
                      "committed length " + std::to_string(db_length) + " beyond the db size " +
                          std::to_string(*db_size));
  }
  if (db_length < *db_size) {
    logger().info("wos {}: ignoring {} bytes past the committed length {} (an interrupted flush)",
                  dir.dir(), *db_size - db_length, db_length);
  }

  std::unique_ptr<WosStore> store(
      new WosStore(std::move(dir), std::move(*db), generation, db_length, sequence));
  status = store->load_index(conf->live_entries);
  if (!status.is_ok()) return status;
  const StoreDir& store_dir = store->dir_;
  if (roll_forward) {
    status = store_dir.publish_conf(Conf{generation, db_length, sequence,
                                         store->index_.live_entries(), store->index_.live_bytes()});
    if (!status.is_ok()) return status;
  } else if (store->index_.live_entries() != conf->live_entries ||
             store->index_.live_bytes() != conf->live_bytes) {
    return corruption(store_dir.conf_path(), 40, "live figures disagree with the db's entries");
  }
  // Leftovers of interrupted applies; every case above has used what it needed.
  status = store_dir.remove_if_exists(store_dir.db_temp_path());
  if (status.is_ok()) status = store_dir.remove_if_exists(store_dir.conf_temp_path());
  if (!status.is_ok()) return status;
  assert(store->db_length_ >= kDbHeaderBytes + store->index_.live_bytes());
  return store;
}

faultfs::Status WosStore::load_index(uint64_t expected_live_entries) {
  assert(index_.live_entries() == 0);
  // Entries are applied kLookaheadEntries behind the scan, each prefetched
  // when scanned: a million keys in a table far larger than the cache then
  // cost overlapping misses rather than one miss after another. Copies,
  // because the scanner's views end at its next call.
  constexpr size_t kLookaheadEntries = 16;
  struct Pending {
    bool is_put = false;
    std::string table, key;
    Slot slot;
  };
  std::array<Pending, kLookaheadEntries> ring;
  size_t pending = 0;  // ring[(next + i) % size] for i < pending, oldest first.
  size_t next = 0;
  uint64_t applied = 0;
  auto apply_oldest = [&]() -> faultfs::Status {
    assert(pending > 0);
    const Pending& entry = ring[next];
    next = (next + 1) % ring.size();
    pending -= 1;
    applied += 1;
    if (entry.is_put) {
      const bool new_table = index_.count(entry.table) == 0;
      index_.put(entry.table, entry.key, entry.slot);
      // The first table seen is usually the only one: size it for all the
      // keys conf expects, so that it never grows a doubling at a time.
      if (new_table && expected_live_entries > index_.live_entries()) {
        index_.reserve(entry.table, expected_live_entries - index_.live_entries() + 1);
      }
      return faultfs::Status::ok();
    }
    if (index_.erase(entry.table, entry.key)) return faultfs::Status::ok();
    // apply() writes a tombstone only for a live key, so a stray one means
    // the entries are not what apply() wrote.
    return corruption(dir_.db_path(), entry.slot.offset, "tombstone for a key that is not live");
  };

  EntryScanner scanner(*db_, dir_.db_path(), kDbHeaderBytes, db_length_);
  uint64_t scanned = 0;
  while (true) {
    auto item = scanner.next();
    if (!item.is_ok()) return item.status();
    if (!item->has_value()) break;
    if (pending == ring.size()) {
      faultfs::Status applied_status = apply_oldest();
      if (!applied_status.is_ok()) return applied_status;
    }
    const EntryView& entry = (*item)->entry;
    Pending& slot = ring[(next + pending) % ring.size()];
    slot.is_put = entry.type == kEntryTypePut;
    slot.table.assign(entry.table);
    slot.key.assign(entry.key);
    slot.slot = Slot{(*item)->offset, static_cast<uint32_t>(entry.value.size())};
    pending += 1;
    scanned += 1;
    index_.prefetch(slot.table, slot.key);
  }
  while (pending > 0) {
    faultfs::Status applied_status = apply_oldest();
    if (!applied_status.is_ok()) return applied_status;
  }
  assert(applied == scanned);
  index_.shrink_to_fit();
  logger().debug("wos {}: loaded {} live entries ({} bytes) from {} entries with {} reads",
                 dir_.dir(), index_.live_entries(), index_.live_bytes(), scanned,
                 scanner.read_calls());
  return faultfs::Status::ok();
}

}  // namespace dbx::wos
