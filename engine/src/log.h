// The engine's logger: spdlog, to stderr (stdout belongs to the application).
// DBX_LOG_LEVEL (trace|debug|info|warn|error|off) sets the level; default info.
#pragma once

#include <spdlog/spdlog.h>

namespace dbx {

spdlog::logger& logger();

}  // namespace dbx
