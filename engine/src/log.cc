#include "log.h"

#include <spdlog/sinks/stdout_sinks.h>

#include <cstdlib>

namespace dbx {

spdlog::logger& logger() {
  static const std::shared_ptr<spdlog::logger> instance = [] {
    auto sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
    auto log = std::make_shared<spdlog::logger>("dbx", sink);
    const char* level = std::getenv("DBX_LOG_LEVEL");
    log->set_level(level != nullptr ? spdlog::level::from_str(level) : spdlog::level::info);
    return log;
  }();
  return *instance;
}

}  // namespace dbx
