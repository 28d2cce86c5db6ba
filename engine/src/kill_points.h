// Named kill points for the fork-and-kill crash harness.
//
// Each is a libfiu point: when a harness enables "dbx/<name>" in a child
// process, reaching it kills the process with SIGKILL at that exact place
// (a crash between two steps no timer could hit reliably). Disabled, a point
// is one call into libfiu that finds no enabled point.
#pragma once

#include <fiu.h>
#include <signal.h>

#define DBX_KILL_POINT(name) fiu_do_on("dbx/" name, ::raise(SIGKILL))

namespace dbx::kill_points {
// The full list, for the harness and documentation.
inline constexpr const char* kAll[] = {
    "dbx/wal/before_append",
    "dbx/wal/after_append",
    "dbx/wal/before_sync",
    "dbx/wal/after_sync",
    "dbx/checkpoint/before_wos_apply",
    "dbx/checkpoint/after_wos_apply",
    "dbx/checkpoint/before_wal_cut",
    "dbx/checkpoint/after_wal_cut",
    // Inside WosStore::apply (engine/src/wos/wos_apply.cc).
    "dbx/wos/before_conf_publish",
    "dbx/wos/compaction/before_db_rename",
    "dbx/wos/compaction/before_conf_publish",
};
}  // namespace dbx::kill_points
