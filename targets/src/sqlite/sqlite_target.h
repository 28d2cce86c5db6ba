// SQLite as a lab target: SQLite itself, unmodified, on a faultfs
// FileSystem through FaultVfs (fault_vfs.h).
//
// Database: `dir + "/db.sqlite"` (with "-journal" or "-wal" beside it), one
// table kv(tbl, k, v, PRIMARY KEY(tbl, k)) WITHOUT ROWID holding every row
// of every table, and a one-row meta(seq) holding the last write's sequence
// number, so that numbers go on across reopens. Table names, keys and values
// are bound as BLOBs: any bytes round-trip and (tbl, k) order is memcmp's,
// the engine's scan order.
//
// apply(): BEGIN IMMEDIATE; the ops; UPDATE meta SET seq = seq + 1; COMMIT;
// returns the new seq. It returns once SQLite's COMMIT returned, so the
// durability is whatever the mode's PRAGMA synchronous gives.
// flush(): PRAGMA wal_checkpoint(TRUNCATE) in WAL mode; nothing otherwise.
// close(): sqlite3_close_v2() after finalizing every statement; an I/O
// error SQLite ignored while closing (a failed checkpoint) is reported too.
// background(): nothing (SQLite runs no threads). open()'s durability
// argument is not used: the mode fixes synchronous.
// Thread-safety: one mutex serializes the connection.
#pragma once

#include <memory>
#include <vector>

#include "targets/target.h"

namespace targets {

enum class SqliteMode {
  kWalFull,     // journal_mode=WAL, synchronous=FULL.
  kDeleteFull,  // journal_mode=DELETE (rollback journal), synchronous=FULL.
  kWalOff,      // journal_mode=WAL, synchronous=OFF (no fsync at all).
  // journal_mode=DELETE, synchronous=EXTRA: as kDeleteFull, and the commit's
  // journal unlink is made durable (a directory sync), which FULL leaves out.
  kDeleteExtra,
};

std::unique_ptr<Target> make_sqlite_target(SqliteMode mode, const TargetTuning& tuning);

// "sqlite-wal-full", "sqlite-delete-full", "sqlite-delete-extra" and
// "sqlite-wal-off" (judged as Full, which it is not: the lab must catch it),
// in that order.
std::vector<TargetInfo> sqlite_target_infos();

}  // namespace targets
