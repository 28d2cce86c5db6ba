// How the engine's log level is chosen from the environment (logger.h says
// which variables and in what order); pure functions, so tests need no
// process of their own.
#pragma once

#include <spdlog/common.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dbx {

// "trace", "debug", "info", "warn"/"warning", "error"/"err", "critical",
// "off", in any case and with surrounding blanks; nullopt for anything else.
std::optional<spdlog::level::level_enum> parse_log_level(std::string_view name);

// The level names in an SPDLOG_LEVEL value ("debug", "dbx=debug,off", ...)
// that parse_log_level rejects. spdlog's own loader skips them silently.
std::vector<std::string> unknown_spdlog_levels(std::string_view spdlog_level_value);

// What the engine logs at when asked for `requested`: error and critical
// become warn, because the engine logs data it dropped and damage it found
// at warn, and those must reach the log. Only an explicit off silences it.
spdlog::level::level_enum effective_log_level(spdlog::level::level_enum requested);

// The sentence that an environment variable's unknown level gets.
std::string unknown_level_warning(std::string_view variable, std::string_view value,
                                  spdlog::level::level_enum kept);

}  // namespace dbx
