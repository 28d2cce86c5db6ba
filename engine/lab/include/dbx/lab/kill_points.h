// The engine's named kill points, for the fork-and-kill crash harness.
//
// Each name is a libfiu point. In the lab's build of the engine
// (dbx_engine_lab, compiled with DBX_KILL_POINTS=1), a harness that enables
// a point in a child process kills that process with SIGKILL the moment it
// reaches the point: a crash between two steps no timer could hit reliably.
// The engine an application links (dbx::engine) compiles every point to
// nothing, so it neither links nor calls libfiu. This header is the lab's
// and is never installed.
#pragma once

namespace dbx::lab {

// Every point, in the order of the write, checkpoint and compaction paths.
inline constexpr const char* kKillPoints[] = {
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

}  // namespace dbx::lab
