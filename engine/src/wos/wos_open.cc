// WosStore::open: creation, the reconciliation of conf with db after a crash
// (the case analysis of engine/doc/wos_format.md, "Opening"). The index load
// is in wos_load.cc.
#include <cassert>

#include "faultfs/status_macros.h"
#include "logger.h"
#include "wos/wos_store.h"

namespace dbx::wos {
namespace {

bool is_not_found(const faultfs::Status& status) {
  return status.code() == faultfs::ErrorCode::kNotFound;
}

// The checkpoint open resumes from once conf and db are reconciled: the db
// file to keep, its size, and the figures the store starts with.
struct Resume {
  std::unique_ptr<faultfs::File> db;
  uint64_t db_size = 0;
  uint64_t generation = 0;
  uint64_t db_length = 0;
  uint64_t sequence = 0;
  // Case B: db is a compaction conf does not name yet; open publishes its
  // conf once the index is loaded.
  bool roll_forward = false;
};

// A readable conf always names a durable db (initialize() and every switch
// make db durable before conf), so a missing db is corruption, not a new store.
faultfs::Result<std::unique_ptr<faultfs::File>> open_db(const StoreDir& dir) {
  auto db = dir.fs().open(dir.db_path(), faultfs::OpenMode::kReadWrite);
  if (!db.is_ok() && is_not_found(db.status())) {
    return corruption(dir.conf_path(), 0, "conf present but " + dir.db_path() + " missing");
  }
  return db;
}

// Case C: conf names a db that was not installed. Our switch syncs the
// directory between the two renames, so this needs an image the protocol
// never produces; roll forward anyway when db.tmp is that db, whole. On
// success `resume` holds the installed db and its size.
faultfs::Status install_temp_db(const StoreDir& dir, const Conf& conf, Resume* resume) {
  assert(resume->db != nullptr);
  faultfs::FileSystem& fs = dir.fs();
  auto temp = fs.open(dir.db_temp_path(), faultfs::OpenMode::kReadWrite);
  if (!temp.is_ok()) {
    return corruption(dir.conf_path(), kConfGenerationOffset,
                      "conf generation ahead of db, and no db.tmp");
  }
  ASSIGN_OR_RETURN(auto temp_size, (*temp)->size());
  ASSIGN_OR_RETURN(auto temp_header, dir.read_db_header(**temp, dir.db_temp_path(), temp_size));
  if (temp_header.generation != conf.generation) {
    return corruption(dir.conf_path(), kConfGenerationOffset,
                      "conf generation matches neither db nor db.tmp");
  }
  RETURN_IF_ERROR((*temp)->close());
  RETURN_IF_ERROR(resume->db->close());
  RETURN_IF_ERROR(fs.rename(dir.db_temp_path(), dir.db_path()));
  RETURN_IF_ERROR(fs.sync_dir(dir.dir()));
  logger().warn("wos {}: installed db.tmp of generation {} named by conf", dir.dir(),
                conf.generation);
  ASSIGN_OR_RETURN(auto db, fs.open(dir.db_path(), faultfs::OpenMode::kReadWrite));
  ASSIGN_OR_RETURN(auto db_size, db->size());
  resume->db = std::move(db);
  resume->db_size = db_size;
  return faultfs::Status::ok();
}

// The case analysis of a crash between the steps of a compaction switch:
// conf and db's header agree (case A), db is one generation ahead (B), or
// conf is (C). Anything else is corruption. Ends by bounding the committed
// length by the size of the db it settled on.
faultfs::Result<Resume> reconcile(const StoreDir& dir, const Conf& conf,
                                  std::unique_ptr<faultfs::File> db) {
  ASSIGN_OR_RETURN(auto db_size, db->size());
  ASSIGN_OR_RETURN(auto header, dir.read_db_header(*db, dir.db_path(), db_size));

  Resume resume{std::move(db), db_size, conf.generation, conf.db_length, conf.checkpoint_sequence,
                false};
  if (header.generation == conf.generation + 1) {
    // Case B: the compacted db was installed, its conf was not. The new db is
    // whole (synced before its rename) and its header carries the checkpoint
    // it was written for: finish the switch by publishing its conf.
    if (header.base_sequence < conf.checkpoint_sequence) {
      return corruption(dir.db_path(), kDbHeaderBaseSequenceOffset,
                        "compacted db older than conf's checkpoint");
    }
    resume.generation = header.generation;
    resume.db_length = header.base_length;
    resume.sequence = header.base_sequence;
    resume.roll_forward = true;
    logger().warn("wos {}: finishing an interrupted compaction (generation {} -> {})", dir.dir(),
                  conf.generation, header.generation);
  } else if (conf.generation == header.generation + 1) {
    RETURN_IF_ERROR(install_temp_db(dir, conf, &resume));
  } else if (header.generation != conf.generation) {
    return corruption(dir.conf_path(), kConfGenerationOffset,
                      "conf generation " + std::to_string(conf.generation) +
                          " does not match db generation " + std::to_string(header.generation));
  }
  if (resume.db_length > resume.db_size) {
    // The length came from db's header when rolling forward, else from conf.
    return corruption(resume.roll_forward ? dir.db_path() : dir.conf_path(),
                      resume.roll_forward ? kDbHeaderBaseLengthOffset : kConfDbLengthOffset,
                      "committed length " + std::to_string(resume.db_length) +
                          " beyond the db size " + std::to_string(resume.db_size));
  }
  if (resume.db_length < resume.db_size) {
    logger().info("wos {}: ignoring {} bytes past the committed length {} (an interrupted flush)",
                  dir.dir(), resume.db_size - resume.db_length, resume.db_length);
  }
  return resume;
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

  ASSIGN_OR_RETURN(auto db, fs.open(dir.db_path(), faultfs::OpenMode::kCreateTruncate));
  const DbHeader header{kFirstGeneration, 0, kDbHeaderBytes, dir.codec().sealed()};
  faultfs::Status status = db->append(encode_db_header(header));
  if (status.is_ok()) status = db->sync();
  if (!status.is_ok()) {
    db->close().ignore_error();  // The write failed already; that error is the one to report.
    return status;
  }
  RETURN_IF_ERROR(db->close());
  RETURN_IF_ERROR(fs.sync_dir(dir.dir()));
  RETURN_IF_ERROR(fs.sync_dir(faultfs::parent_path(dir.dir())));
  // A new store: no log existed beside it yet (the engine records the one it
  // creates).
  return dir.publish_conf(
      Conf{kFirstGeneration, kDbHeaderBytes, 0, 0, 0, ConfWalState{true, 0, 0}});
}

faultfs::Result<std::unique_ptr<WosStore>> WosStore::open(faultfs::FileSystem& fs,
                                                          const std::string& dir_path,
                                                          const crypto::Sealer* sealer) {
  StoreDir dir(fs, dir_path, EntryCodec(sealer));
  faultfs::Status status = dir.ensure_exists();
  if (!status.is_ok()) return status;

  auto conf = dir.read_conf();
  if (!conf.is_ok() && is_not_found(conf.status())) {
    status = initialize(dir);
    if (!status.is_ok()) return status;
    conf = dir.read_conf();
  }
  if (!conf.is_ok()) return conf.status();

  ASSIGN_OR_RETURN(auto db, open_db(dir));
  ASSIGN_OR_RETURN(auto resume, reconcile(dir, *conf, std::move(db)));
  assert(resume.db != nullptr);
  assert(resume.db_length <= resume.db_size);

  std::unique_ptr<WosStore> store(new WosStore(
      std::move(dir), std::move(resume.db), resume.generation, resume.db_length, resume.sequence));
  store->conf_wal_ = conf->wal;
  store->wal_next_ = conf->wal;
  RETURN_IF_ERROR(store->finish_open(*conf, resume.roll_forward));
  assert(store->db_length_ >= kDbHeaderBytes + store->index_.live_bytes());
  return store;
}

// The store's figures are those reconcile() settled on; the index is loaded
// from the db they name and checked against (or, rolling forward, published
// as) conf.
faultfs::Status WosStore::finish_open(const Conf& conf, bool roll_forward) {
  rolled_forward_at_open_ = roll_forward;
  faultfs::Status status = load_index(conf.live_entries);
  if (!status.is_ok()) return status;
  refresh_mapping(true);
  if (roll_forward) {
    // The log is still the one the old conf was written beside (a cut only
    // follows a durable conf); the new checkpoint claims nothing above it.
    status =
        dir_.publish_conf(Conf{generation_, db_length_, checkpoint_sequence_, index_.live_entries(),
                               index_.live_bytes(), wal_state_at(checkpoint_sequence_)});
    if (!status.is_ok()) return status;
  } else if (index_.live_entries() != conf.live_entries || index_.live_bytes() != conf.live_bytes) {
    return corruption(dir_.conf_path(), kConfLiveEntriesOffset,
                      "live figures disagree with the db's entries");
  }
  // Leftovers of interrupted applies; every case above has used what it needed.
  status = dir_.remove_if_exists(dir_.db_temp_path());
  if (status.is_ok()) status = dir_.remove_if_exists(dir_.conf_temp_path());
  // What open shows must survive a power loss right after it. A checkpoint
  // whose directory sync failed leaves its conf renamed, visible but not
  // durable; a later flush with nothing new to write would then report
  // success without syncing it, and a power loss would take the checkpoint
  // back (dbx-torture, seed 11936180083976758844, w78, None mode).
  if (status.is_ok()) status = dir_.fs().sync_dir(dir_.dir());
  return status;
}

}  // namespace dbx::wos
