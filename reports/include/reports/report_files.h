// Where reports live on disk: <report>/summary.json, <report>/index.html,
// <report>/failures/<id>/ (artifacts, written by the harness), and the JUnit
// file wherever --junit points.
//
// Every file is written to "<name>.tmp" then renamed over the target, so a
// reader (merge, CI) never sees half a report.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

#include "reports/status.h"
#include "reports/summary.h"

namespace reports {

inline constexpr const char* kSummaryFileName = "summary.json";
inline constexpr const char* kIndexFileName = "index.html";
inline constexpr const char* kFailuresDirName = "failures";

// Creates `report_dir` (and parents) if needed and writes summary.json and
// index.html for `summary`, which must pass validate() (else an error, and
// nothing is written). Errors name the path and the OS's reason.
[[nodiscard]] Status write_report_dir(const Summary& summary,
                                      const std::filesystem::path& report_dir);

// Reads <report_dir>/summary.json; errors name the file and what is wrong.
[[nodiscard]] Result<Summary> read_report_dir(const std::filesystem::path& report_dir);

// Writes render_junit_xml(summary) to `file`; its folder must exist.
[[nodiscard]] Status write_junit_file(const Summary& summary, const std::filesystem::path& file);

// Writes `content` to `file` atomically (temporary file, then rename).
[[nodiscard]] Status write_file_atomically(const std::filesystem::path& file,
                                           std::string_view content);

// Reads all of `file`, refusing files larger than `size_bytes_max`.
[[nodiscard]] Result<std::string> read_file(const std::filesystem::path& file,
                                            size_t size_bytes_max);

}  // namespace reports
