#include "fork_evidence.h"

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <iostream>
#include <system_error>

#include "faultfs/status_macros.h"
#include "faultfs/trace.h"
#include "torture/fork_runner.h"

namespace torture {

std::string fork_work_root() {
  if (const char* dir = std::getenv("DBX_TORTURE_WORKDIR"); dir != nullptr && dir[0] != '\0') {
    return dir;
  }
  std::error_code ec;
  if (std::filesystem::is_directory("/dev/shm", ec)) return "/dev/shm";
  return std::filesystem::temp_directory_path(ec).string();
}

namespace detail {

using faultfs::ErrorCode;
using faultfs::Result;
using faultfs::Status;
namespace fs = std::filesystem;

Result<std::string> make_work_dir(const std::string& tag) {
  static std::atomic<uint64_t> counter{0};
  const fs::path dir =
      fs::path(fork_work_root()) / ("dbx-torture-" + std::to_string(::getpid()) + "-" + tag + "-" +
                                    std::to_string(counter.fetch_add(1)));
  std::error_code ec;
  fs::remove_all(dir, ec);
  fs::create_directories(dir, ec);
  if (ec) return Status(ErrorCode::kIoError, "cannot create " + dir.string() + ": " + ec.message());
  return dir.string();
}

void remove_work_dir(const std::string& dir) {
  std::error_code ec;
  fs::remove_all(dir, ec);
  if (ec) std::cerr << "dbx-torture: cannot remove " << dir << ": " << ec.message() << "\n";
}

Status copy_tree(const std::string& from, const std::string& to) {
  std::error_code ec;
  fs::create_directories(to, ec);
  if (!ec)
    fs::copy(from, to, fs::copy_options::recursive | fs::copy_options::overwrite_existing, ec);
  if (ec)
    return Status(ErrorCode::kIoError, "cannot copy " + from + " to " + to + ": " + ec.message());
  return Status::ok();
}

Result<std::unique_ptr<faultfs::SimFs>> trace_state(const std::string& trace_path,
                                                    const std::string& db_path) {
  std::error_code ec;
  const auto size = fs::file_size(trace_path, ec);
  std::unique_ptr<faultfs::SimFs> state;
  if (ec || size < faultfs::kTraceHeaderBytes) {
    // Killed before its trace had a header: the child wrote nothing yet.
    state = std::make_unique<faultfs::SimFs>();
  } else {
    ASSIGN_OR_RETURN(auto trace, faultfs::read_trace(trace_path));
    ASSIGN_OR_RETURN(auto rebuilt, faultfs::rebuild_from_trace(trace, trace.records.size()));
    state = std::move(rebuilt);
  }
  // The work directory existed before the child ran, as on the real disk.
  const std::string parent = faultfs::parent_path(db_path);
  ASSIGN_OR_RETURN(auto exists, state->exists(parent));
  if (!exists) {
    RETURN_IF_ERROR(state->create_dirs_durable(parent));
  }
  return state;
}

}  // namespace detail
}  // namespace torture
