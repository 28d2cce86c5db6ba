// SPDLOG_LEVEL and DBX_LOG_LEVEL: both work, an unknown level warns and keeps
// the level, and errors reach the log at every level but an explicit off.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <string>

#include "logger_level.h"
#include "support/temp_dir.h"

namespace dbx {
namespace {

using spdlog::level::level_enum;

TEST(LogLevelParse, AcceptsSpdlogNamesInAnyCase) {
  EXPECT_EQ(parse_log_level("debug"), level_enum::debug);
  EXPECT_EQ(parse_log_level(" DEBUG "), level_enum::debug);
  EXPECT_EQ(parse_log_level("Warn"), level_enum::warn);
  EXPECT_EQ(parse_log_level("warning"), level_enum::warn);
  EXPECT_EQ(parse_log_level("err"), level_enum::err);
  EXPECT_EQ(parse_log_level("off"), level_enum::off);
}

TEST(LogLevelParse, AnUnknownNameIsNotOff) {
  EXPECT_EQ(parse_log_level("bogus"), std::nullopt);
  EXPECT_EQ(parse_log_level(""), std::nullopt);
  EXPECT_EQ(parse_log_level("debgu"), std::nullopt);
}

TEST(LogLevelParse, FindsEveryUnknownLevelInAnSpdlogValue) {
  EXPECT_TRUE(unknown_spdlog_levels("debug").empty());
  EXPECT_TRUE(unknown_spdlog_levels("off,dbx=debug, other = WARN").empty());
  EXPECT_EQ(unknown_spdlog_levels("bogus"), std::vector<std::string>{"bogus"});
  EXPECT_EQ(unknown_spdlog_levels("info,dbx=loud,x="), (std::vector<std::string>{"loud", ""}));
}

TEST(LogLevelParse, ErrorAndCriticalActAsWarnOnlyOffSilences) {
  EXPECT_EQ(effective_log_level(level_enum::err), level_enum::warn);
  EXPECT_EQ(effective_log_level(level_enum::critical), level_enum::warn);
  EXPECT_EQ(effective_log_level(level_enum::debug), level_enum::debug);
  EXPECT_EQ(effective_log_level(level_enum::off), level_enum::off);
}

// What the probe writes to stderr with `environment` (NAME=value words),
// having unset both level variables first.
std::string probe_stderr(const std::string& environment, const std::string& db_dir = "") {
  const std::string command = "env -u SPDLOG_LEVEL -u DBX_LOG_LEVEL " + environment + " " +
                              DBX_LOG_PROBE_PATH + " " + db_dir + " 2>&1 >/dev/null";
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return "popen failed";
  std::string out;
  std::array<char, 4096> chunk{};
  while (size_t n = std::fread(chunk.data(), 1, chunk.size(), pipe)) out.append(chunk.data(), n);
  const int status = ::pclose(pipe);
  if (status != 0) out += "\nprobe exit status " + std::to_string(status);
  return out;
}

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(LogLevelEnv, DefaultIsInfo) {
  const std::string err = probe_stderr("");
  EXPECT_FALSE(has(err, "probe debug line")) << err;
  EXPECT_TRUE(has(err, "probe info line")) << err;
  EXPECT_TRUE(has(err, "probe error line")) << err;
}

TEST(LogLevelEnv, SpdlogLevelDebugShowsTheEnginesDebugLines) {
  testing::TempDir dir;
  const std::string err = probe_stderr("SPDLOG_LEVEL=debug", dir.db());
  EXPECT_TRUE(has(err, "probe debug line")) << err;
  EXPECT_FALSE(has(err, "probe trace line")) << err;
  EXPECT_TRUE(has(err, "open took")) << "the engine's own debug line at open:\n" << err;
}

TEST(LogLevelEnv, SpdlogLevelForTheDbxLoggerAlone) {
  EXPECT_TRUE(has(probe_stderr("SPDLOG_LEVEL=off,dbx=debug"), "probe debug line"));
  const std::string err = probe_stderr("SPDLOG_LEVEL=other=trace,warn");
  EXPECT_FALSE(has(err, "probe info line")) << err;
  EXPECT_TRUE(has(err, "probe warn line")) << err;
}

TEST(LogLevelEnv, SpdlogLevelBogusWarnsAndStillLogsErrors) {
  const std::string err = probe_stderr("SPDLOG_LEVEL=bogus");
  EXPECT_TRUE(has(err, "SPDLOG_LEVEL: 'bogus' is not a level")) << err;
  EXPECT_TRUE(has(err, "probe info line")) << "the default level is kept:\n" << err;
  EXPECT_TRUE(has(err, "probe error line")) << err;
  EXPECT_FALSE(has(err, "probe debug line")) << err;
}

TEST(LogLevelEnv, DbxLogLevelIsCaseInsensitiveAndWinsOverSpdlogLevel) {
  EXPECT_TRUE(has(probe_stderr("DBX_LOG_LEVEL=DEBUG"), "probe debug line"));
  const std::string err = probe_stderr("SPDLOG_LEVEL=debug DBX_LOG_LEVEL=warn");
  EXPECT_FALSE(has(err, "probe debug line")) << err;
  EXPECT_FALSE(has(err, "probe info line")) << err;
  EXPECT_TRUE(has(err, "probe warn line")) << err;
}

TEST(LogLevelEnv, DbxLogLevelTypoWarnsAndKeepsTheLevel) {
  const std::string err = probe_stderr("DBX_LOG_LEVEL=debgu");
  EXPECT_TRUE(has(err, "DBX_LOG_LEVEL: 'debgu' is not a level")) << err;
  EXPECT_TRUE(has(err, "probe info line")) << err;
  EXPECT_TRUE(has(err, "probe error line")) << err;
}

TEST(LogLevelEnv, ErrorLevelStillShowsWarnings) {
  const std::string err = probe_stderr("DBX_LOG_LEVEL=error");
  EXPECT_FALSE(has(err, "probe info line")) << err;
  EXPECT_TRUE(has(err, "probe warn line")) << err;
  EXPECT_TRUE(has(err, "probe critical line")) << err;
}

TEST(LogLevelEnv, OnlyAnExplicitOffSilences) {
  EXPECT_EQ(probe_stderr("DBX_LOG_LEVEL=off"), "");
  EXPECT_EQ(probe_stderr("SPDLOG_LEVEL=off"), "");
}

}  // namespace
}  // namespace dbx
