#include "torture/image_dump.h"

#include <filesystem>
#include <fstream>
#include <optional>
#include <vector>

#include "faultfs/status_macros.h"
#include "replay_internal.h"
#include "targets/target.h"
#include "torture/options.h"
#include "torture/sim_runner.h"

namespace torture {

using faultfs::ErrorCode;
using faultfs::Result;
using faultfs::Status;
namespace fs = std::filesystem;

namespace {

constexpr size_t kCopyChunkBytes = 1 << 20;

struct DumpBudget {
  uint64_t files = 0;
  uint64_t bytes = 0;
};

Status copy_file_out(faultfs::FileSystem& from, const std::string& path, const fs::path& to,
                     DumpBudget* budget) {
  ASSIGN_OR_RETURN(auto file, from.open(path, faultfs::OpenMode::kRead));
  ASSIGN_OR_RETURN(auto size, file->size());
  budget->bytes += size;
  if (budget->bytes > kDumpBytesMax) return Status(ErrorCode::kInvalidArgument, "image too big");
  std::ofstream out(to, std::ios::binary | std::ios::trunc);
  std::vector<char> chunk(kCopyChunkBytes);
  for (uint64_t offset = 0; offset < size;) {
    ASSIGN_OR_RETURN(auto n, file->read_at(offset, chunk));
    if (n == 0) return Status(ErrorCode::kIoError, "short read of " + path);
    out.write(chunk.data(), static_cast<std::streamsize>(n));
    offset += n;
  }
  out.close();
  if (!out) return Status(ErrorCode::kIoError, "cannot write " + to.string());
  return file->close();
}

// `names` lists `dir`. A directory is what lists; anything else that exists
// is a file (the seam has no stat), so each entry is listed once, here.
Status copy_tree_out(faultfs::FileSystem& from, const std::string& dir,
                     const std::vector<std::string>& names, const fs::path& to,
                     DumpBudget* budget) {
  std::error_code ec;
  fs::create_directories(to, ec);
  if (ec) return Status(ErrorCode::kIoError, "cannot create " + to.string() + ": " + ec.message());
  for (const std::string& name : names) {
    if (++budget->files > kDumpFilesMax) {
      return Status(ErrorCode::kInvalidArgument, "image has too many files");
    }
    const std::string path = dir + "/" + name;
    auto listed = from.list(path);
    if (listed.is_ok()) {
      RETURN_IF_ERROR(copy_tree_out(from, path, listed.value(), to / name, budget));
    } else {
      RETURN_IF_ERROR(copy_file_out(from, path, to / name, budget));
    }
  }
  return Status::ok();
}

// The sim-mode image: the artifact's workload run up to its crash state,
// which is written out just before its recovery would open it.
Status dump_sim_image(const Artifact& artifact, const std::string& out_dir) {
  const targets::TargetInfo* target = targets::find_target(artifact.target);
  if (target == nullptr) {
    return Status(ErrorCode::kInvalidArgument, "unknown target '" + artifact.target + "'");
  }
  std::optional<Status> written;
  SimControl control;
  control.only = &artifact.crash;
  control.inspect_image = [&](faultfs::FileSystem& image, const std::string& db_dir) {
    if (!written) written = write_tree(image, db_dir, out_dir);
  };
  ASSIGN_OR_RETURN(auto result, run_sim(*target, artifact.workload,
                                        settings_for(artifact, artifact.crash.policy), control));
  if (!written) {
    return Status(ErrorCode::kInvalidArgument, "the recorded crash state (" +
                                                   describe_crash(artifact.crash) +
                                                   ") was never reached, or has no image");
  }
  return *written;
}

}  // namespace

Status write_tree(faultfs::FileSystem& fs_in, const std::string& dir, const std::string& out_dir) {
  std::error_code ec;
  if (fs::exists(out_dir, ec) && !fs::is_empty(out_dir, ec)) {
    return Status(ErrorCode::kInvalidArgument, out_dir + " exists and is not empty");
  }
  ASSIGN_OR_RETURN(auto exists, fs_in.exists(dir));
  DumpBudget budget;
  if (!exists) {
    // The crash lost the directory itself: the image is an empty one.
    fs::create_directories(out_dir, ec);
    if (ec) return Status(ErrorCode::kIoError, "cannot create " + out_dir);
    return Status::ok();
  }
  ASSIGN_OR_RETURN(auto names, fs_in.list(dir));
  return copy_tree_out(fs_in, dir, names, out_dir, &budget);
}

Status dump_image(const Artifact& artifact, const std::string& artifact_dir,
                  const std::string& out_dir) {
  if (is_target_failure(artifact.kind) || artifact.crash.policy == kPolicyWorkload) {
    return Status(ErrorCode::kInvalidArgument,
                  "this finding (" + artifact.kind + ") has no crash image to dump");
  }
  if (artifact.mode == kModeFork) return dump_fork_image(artifact, artifact_dir, out_dir);
  return dump_sim_image(artifact, out_dir);
}

}  // namespace torture
