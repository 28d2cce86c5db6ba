#include "reports/report_files.h"

#include <cassert>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <system_error>

#include "faultfs/status_macros.h"
#include "reports/html_report.h"
#include "reports/junit.h"
#include "reports/summary_json.h"

namespace reports {
namespace {

Status os_error(std::string_view operation, const std::filesystem::path& path,
                std::string_view reason) {
  return file_error(std::string(operation) + " " + path.string() + ": " + std::string(reason));
}

}  // namespace

Status write_file_atomically(const std::filesystem::path& file, std::string_view content) {
  assert(!file.empty());
  std::filesystem::path temporary = file;
  temporary += ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    if (!out) return os_error("cannot create", temporary, std::strerror(errno));
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    out.flush();
    if (!out) {
      const std::string reason = std::strerror(errno);
      std::error_code ignored;
      std::filesystem::remove(temporary, ignored);  // Best effort: the write error is reported.
      return os_error("cannot write", temporary, reason);
    }
  }
  std::error_code error;
  std::filesystem::rename(temporary, file, error);
  if (error) {
    std::error_code ignored;
    std::filesystem::remove(temporary, ignored);  // Best effort: the rename error is reported.
    return os_error("cannot rename into place", file, error.message());
  }
  return Status();
}

Result<std::string> read_file(const std::filesystem::path& file, size_t size_bytes_max) {
  std::error_code error;
  const auto status = std::filesystem::status(file, error);
  if (error) return os_error("cannot read", file, error.message());
  if (!std::filesystem::is_regular_file(status)) return os_error("cannot read", file, "not a file");
  const uintmax_t size = std::filesystem::file_size(file, error);
  if (error) return os_error("cannot read", file, error.message());
  if (size > size_bytes_max) {
    return os_error("cannot read", file,
                    std::to_string(size) + " bytes, more than " + std::to_string(size_bytes_max));
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) return os_error("cannot open", file, std::strerror(errno));
  std::string content(static_cast<size_t>(size), '\0');
  in.read(content.data(), static_cast<std::streamsize>(size));
  // A file that shrank under us reads short; one that grew is cut at `size`.
  if (static_cast<uintmax_t>(in.gcount()) != size) {
    return os_error("cannot read", file, "it changed while being read");
  }
  return content;
}

Status write_report_dir(const Summary& summary, const std::filesystem::path& report_dir) {
  Status valid = validate(summary);
  if (!valid.is_ok())
    return format_error("refusing to write a malformed report: " + valid.message());
  std::error_code error;
  std::filesystem::create_directories(report_dir, error);
  if (error) return os_error("cannot create report folder", report_dir, error.message());
  RETURN_IF_ERROR(write_file_atomically(report_dir / kSummaryFileName, summary_to_json(summary)));
  return write_file_atomically(report_dir / kIndexFileName, render_html_report(summary));
}

Result<Summary> read_report_dir(const std::filesystem::path& report_dir) {
  const std::filesystem::path file = report_dir / kSummaryFileName;
  ASSIGN_OR_RETURN(auto content, read_file(file, kSummaryJsonBytesMax));
  Result<Summary> summary = summary_from_json(content);
  if (!summary.is_ok()) return format_error(file.string() + ": " + summary.status().message());
  return summary;
}

Status write_junit_file(const Summary& summary, const std::filesystem::path& file) {
  Status valid = validate(summary);
  if (!valid.is_ok()) return format_error("refusing to write malformed JUnit: " + valid.message());
  return write_file_atomically(file, render_junit_xml(summary));
}

}  // namespace reports
