// An exec finding on disk: exec.json (what to rebuild and how it was
// judged), the trace and acknowledgement log it came from, the check's
// output and the image it judged. The trace is hard-linked when it can be
// (every finding of a run shares one trace) and copied otherwise.
#include <filesystem>
#include <fstream>
#include <sstream>

#include "exec_internal.h"
#include "faultfs/status_macros.h"
#include "json_util.h"
#include "reports/report_files.h"

namespace torture::exec {

using faultfs::ErrorCode;
using faultfs::Result;
using faultfs::Status;
using json_util::Json;
namespace fs = std::filesystem;

namespace {

constexpr const char* kFormat = "dbx-exec-finding";
constexpr uint64_t kFormatVersion = 1;
constexpr const char* kWhat = "exec.json";
constexpr size_t kExecJsonBytesMax = 1 << 20;

Status link_or_copy(const fs::path& from, const fs::path& to) {
  std::error_code ec;
  fs::create_hard_link(from, to, ec);
  if (!ec) return Status::ok();
  fs::copy_file(from, to, fs::copy_options::overwrite_existing, ec);
  if (ec) return Status(ErrorCode::kIoError, "cannot copy " + from.string() + ": " + ec.message());
  return Status::ok();
}

Status copy_tree(const fs::path& from, const fs::path& to) {
  std::error_code ec;
  fs::copy(from, to, fs::copy_options::recursive, ec);
  if (ec) return Status(ErrorCode::kIoError, "cannot copy " + from.string() + ": " + ec.message());
  return Status::ok();
}

}  // namespace

Status save_artifact(const std::string& dir, const ExecFinding& f, const Recording& recording,
                     const std::string& output, const std::string& image_dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Status(ErrorCode::kIoError, "cannot create " + dir + ": " + ec.message());
  const Json j{{"format", kFormat},
               {"format_version", kFormatVersion},
               {"check", f.check},
               {"point_records", f.point_records},
               {"choice", f.choice.serialize()},
               {"check_timeout_s", f.check_timeout_s},
               {"kind", f.kind},
               {"exit_code", f.exit_code}};
  RETURN_IF_ERROR(reports::write_file_atomically(fs::path(dir) / "exec.json", j.dump(2) + "\n"));
  RETURN_IF_ERROR(link_or_copy(recording.trace_path, fs::path(dir) / "trace"));
  RETURN_IF_ERROR(link_or_copy(recording.acks_path, fs::path(dir) / "acks.log"));
  RETURN_IF_ERROR(reports::write_file_atomically(fs::path(dir) / "output.txt", output));
  return copy_tree(image_dir, fs::path(dir) / "image");
}

Result<ExecFinding> read_finding(const std::string& artifact_dir) {
  const fs::path file = fs::path(artifact_dir) / "exec.json";
  auto text = reports::read_file(file, kExecJsonBytesMax);
  if (!text.is_ok()) return Status(ErrorCode::kNotFound, text.status().message());
  ASSIGN_OR_RETURN(auto j, json_util::parse(text.value(), kWhat));
  ASSIGN_OR_RETURN(auto format, json_util::get_string(j, "format", kWhat));
  ASSIGN_OR_RETURN(auto version, json_util::get_u64(j, "format_version", kWhat));
  if (format != kFormat || version != kFormatVersion) {
    return Status(ErrorCode::kInvalidArgument,
                  file.string() + ": not an exec finding of format version 1");
  }
  ExecFinding f;
  ASSIGN_OR_RETURN(auto check, json_util::get_string(j, "check", kWhat));
  f.check = check;
  ASSIGN_OR_RETURN(auto point, json_util::get_u64(j, "point_records", kWhat));
  f.point_records = point;
  ASSIGN_OR_RETURN(auto choice_text, json_util::get_string(j, "choice", kWhat));
  ASSIGN_OR_RETURN(auto choice, faultfs::CrashChoice::parse(choice_text));
  f.choice = choice;
  ASSIGN_OR_RETURN(auto kind, json_util::get_string(j, "kind", kWhat));
  f.kind = kind;
  const auto timeout = j.find("check_timeout_s");
  if (timeout == j.end() || !timeout->is_number() || timeout->get<double>() <= 0) {
    return json_util::corrupt(kWhat, "check_timeout_s");
  }
  f.check_timeout_s = timeout->get<double>();
  return f;
}

bool is_exec_artifact(const std::string& dir) {
  std::error_code ec;
  return fs::is_regular_file(fs::path(dir) / "exec.json", ec);
}

}  // namespace torture::exec

namespace torture {
bool is_exec_artifact(const std::string& dir) { return exec::is_exec_artifact(dir); }
}  // namespace torture
