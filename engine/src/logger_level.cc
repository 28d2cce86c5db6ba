#include "logger_level.h"

#include <algorithm>
#include <cctype>

namespace dbx {
namespace {

std::string_view trim(std::string_view text) {
  const auto blank = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
  while (!text.empty() && blank(text.front())) text.remove_prefix(1);
  while (!text.empty() && blank(text.back())) text.remove_suffix(1);
  return text;
}

}  // namespace

std::optional<spdlog::level::level_enum> parse_log_level(std::string_view name) {
  std::string lower(trim(name));
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  // spdlog::level::from_str answers off for an unknown name, which is how a
  // typo used to silence every line: only "off" itself may mean off.
  if (lower == "off") return spdlog::level::off;
  const spdlog::level::level_enum level = spdlog::level::from_str(lower);
  if (level == spdlog::level::off) return std::nullopt;
  return level;
}

std::vector<std::string> unknown_spdlog_levels(std::string_view spdlog_level_value) {
  // spdlog's syntax: comma-separated entries, each "level" (every logger) or
  // "logger_name=level".
  std::vector<std::string> unknown;
  while (!spdlog_level_value.empty()) {
    const size_t comma = spdlog_level_value.find(',');
    std::string_view entry = spdlog_level_value.substr(0, comma);
    spdlog_level_value.remove_prefix(comma == std::string_view::npos ? spdlog_level_value.size()
                                                                     : comma + 1);
    const size_t equals = entry.find('=');
    if (equals != std::string_view::npos) entry.remove_prefix(equals + 1);
    if (trim(entry).empty() && equals == std::string_view::npos) continue;  // "a,,b"
    if (!parse_log_level(entry)) unknown.emplace_back(trim(entry));
  }
  return unknown;
}

spdlog::level::level_enum effective_log_level(spdlog::level::level_enum requested) {
  if (requested == spdlog::level::off) return requested;
  return std::min(requested, spdlog::level::warn);
}

std::string unknown_level_warning(std::string_view variable, std::string_view value,
                                  spdlog::level::level_enum kept) {
  const spdlog::string_view_t kept_name = spdlog::level::to_string_view(kept);
  return std::string(variable) + ": '" + std::string(value) +
         "' is not a level (trace, debug, info, warn, error, critical, off); ignored, the level "
         "stays " +
         std::string(kept_name.data(), kept_name.size());
}

}  // namespace dbx
