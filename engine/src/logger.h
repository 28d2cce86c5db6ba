// The engine's logger: spdlog, to stderr (stdout belongs to the application).
//
// Its level, from the environment, read once at the first log line:
//  1. default info;
//  2. SPDLOG_LEVEL, through spdlog's own loader (spdlog::cfg::load_env_levels,
//     which also sets the levels of the application's spdlog loggers): a
//     global level ("debug") or one for this logger ("dbx=debug");
//  3. DBX_LOG_LEVEL, which concerns this logger only and so wins.
// Names are case-insensitive. An unknown name is ignored with a warning on
// this logger, the level staying what the steps before chose. error and
// critical act as warn (effective_log_level): the engine reports dropped data
// and found damage at warn. Only "off" silences everything.
// The logger is registered with spdlog as "dbx" (unless the application has
// taken the name), so spdlog::get("dbx") and spdlog::set_level reach it.
#pragma once

#include <spdlog/spdlog.h>

namespace dbx {

spdlog::logger& logger();

}  // namespace dbx
