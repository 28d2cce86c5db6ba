#include "logger.h"

#include <spdlog/cfg/env.h>
#include <spdlog/sinks/stdout_sinks.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "logger_level.h"

namespace dbx {
namespace {

std::shared_ptr<spdlog::logger> make_logger() {
  auto log =
      std::make_shared<spdlog::logger>("dbx", std::make_shared<spdlog::sinks::stderr_sink_mt>());
  std::vector<std::string> warnings;
  const char* spdlog_level = std::getenv("SPDLOG_LEVEL");
  if (spdlog_level != nullptr) spdlog::cfg::load_env_levels();
  try {
    // Takes the level spdlog's registry holds for "dbx" (SPDLOG_LEVEL's, or
    // the global one), then registers the logger.
    spdlog::initialize_logger(log);
  } catch (const spdlog::spdlog_ex&) {
    // The application registered a logger named "dbx" first: ours stays
    // unregistered, with the level initialize_logger set before it threw.
  }
  if (spdlog_level != nullptr) {
    for (const std::string& name : unknown_spdlog_levels(spdlog_level)) {
      warnings.push_back(unknown_level_warning("SPDLOG_LEVEL", name, log->level()));
    }
  }
  if (const char* dbx_level = std::getenv("DBX_LOG_LEVEL"); dbx_level != nullptr) {
    if (const auto parsed = parse_log_level(dbx_level)) {
      log->set_level(*parsed);
    } else {
      warnings.push_back(unknown_level_warning("DBX_LOG_LEVEL", dbx_level, log->level()));
    }
  }
  log->set_level(effective_log_level(log->level()));
  for (const std::string& warning : warnings) log->warn("{}", warning);
  return log;
}

}  // namespace

spdlog::logger& logger() {
  static const std::shared_ptr<spdlog::logger> instance = make_logger();
  return *instance;
}

}  // namespace dbx
