// DBX_KILL_POINT("name"): a place where the fork-and-kill harness may kill
// the process (the list and its contract: dbx/lab/kill_points.h).
//
// Only the lab's build of the engine (DBX_KILL_POINTS=1) has live points:
// reaching one there is a call into libfiu, which raises SIGKILL if a harness
// enabled "dbx/<name>". In the engine an application links, a point is an
// empty statement, so the product neither links nor calls libfiu.
#pragma once

#if defined(DBX_KILL_POINTS) && DBX_KILL_POINTS
#include <fiu.h>
#include <signal.h>

#define DBX_KILL_POINT(name) fiu_do_on("dbx/" name, ::raise(SIGKILL))
#else
#define DBX_KILL_POINT(name) static_cast<void>(0)
#endif
