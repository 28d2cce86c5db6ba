#include "read_only_fs.h"

#include "faultfs/status_macros.h"
#include "logger.h"
#include "status_util.h"

namespace dbx {
namespace {

faultfs::Status not_found(const std::string& operation, const std::string& path) {
  return faultfs::Status(faultfs::ErrorCode::kNotFound,
                         operation + " " + path + ": removed in this read-only view");
}

// A file opened read-only that refuses every write with kReadOnly (rather
// than the EBADF a write to an O_RDONLY descriptor would give).
class ReadOnlyFile final : public faultfs::FileWrapper {
 public:
  explicit ReadOnlyFile(std::unique_ptr<faultfs::File> inner) : FileWrapper(std::move(inner)) {}

  faultfs::Status append(std::string_view) override { return refuse("append"); }
  faultfs::Status write_at(uint64_t, std::string_view) override { return refuse("write"); }
  faultfs::Status sync() override { return faultfs::Status::ok(); }  // Nothing was written.
  faultfs::Status truncate(uint64_t) override { return refuse("truncate"); }
  // A mapping only reads, which this view allows.
  faultfs::Result<std::unique_ptr<faultfs::MappedBytes>> map_prefix(uint64_t length) override {
    return target().map_prefix(length);
  }

 private:
  faultfs::Status refuse(const std::string& operation) const {
    return read_only_refusal(operation, path());
  }
};

}  // namespace

faultfs::Status read_only_refusal(const std::string& operation, const std::string& path) {
  return faultfs::Status(faultfs::ErrorCode::kReadOnly,
                         operation + " " + path + ": refused, the database is open read-only");
}

bool ReadOnlyFs::hidden(const std::string& path) const {
  std::lock_guard lock(hidden_mutex_);
  return hidden_.count(path) != 0;
}

faultfs::Result<std::unique_ptr<faultfs::File>> ReadOnlyFs::open(const std::string& path,
                                                                 faultfs::OpenMode mode) {
  switch (mode) {
    case faultfs::OpenMode::kRead:
    case faultfs::OpenMode::kReadWrite:
      break;
    case faultfs::OpenMode::kCreate:
    case faultfs::OpenMode::kCreateTruncate:
      return read_only_refusal("create", path);
  }
  if (hidden(path)) return not_found("open", path);
  ASSIGN_OR_RETURN(auto file, target().open(path, faultfs::OpenMode::kRead));
  return std::unique_ptr<faultfs::File>(new ReadOnlyFile(std::move(file)));
}

faultfs::Status ReadOnlyFs::rename(const std::string& from, const std::string& to) {
  return read_only_refusal("rename " + from + " ->", to);
}

faultfs::Status ReadOnlyFs::remove(const std::string& path) {
  ASSIGN_OR_RETURN(auto present, exists(path));
  if (!present) return not_found("remove", path);
  std::lock_guard lock(hidden_mutex_);
  hidden_.insert(path);
  return faultfs::Status::ok();
}

faultfs::Status ReadOnlyFs::mkdir(const std::string& path) {
  return read_only_refusal("mkdir", path);
}

faultfs::Status ReadOnlyFs::rmdir(const std::string& path) {
  return read_only_refusal("rmdir", path);
}

faultfs::Result<std::vector<std::string>> ReadOnlyFs::list(const std::string& path) {
  ASSIGN_OR_RETURN(auto names, target().list(path));
  std::vector<std::string> visible;
  for (std::string& name : names) {
    if (!hidden(faultfs::join_path(path, name))) visible.push_back(std::move(name));
  }
  return visible;
}

faultfs::Status ReadOnlyFs::sync_dir(const std::string&) {
  return faultfs::Status::ok();  // Nothing was written through this view.
}

faultfs::Result<std::unique_ptr<faultfs::FileLock>> ReadOnlyFs::lock(const std::string& path) {
  return read_only_refusal("lock (create)", path);
}

faultfs::Result<std::unique_ptr<faultfs::FileLock>> ReadOnlyFs::lock_shared(
    const std::string& path) {
  if (hidden(path)) return not_found("lock_shared", path);
  return target().lock_shared(path);
}

faultfs::Result<uint64_t> ReadOnlyFs::file_size(const std::string& path) {
  if (hidden(path)) return not_found("stat", path);
  return target().file_size(path);
}

faultfs::Result<bool> ReadOnlyFs::exists(const std::string& path) {
  if (hidden(path)) return false;
  return target().exists(path);
}

std::unique_ptr<faultfs::FileLock> lock_for_read_only_open(faultfs::FileSystem& fs,
                                                           const std::string& lock_path) {
  auto held = fs.lock_shared(lock_path);
  if (held.is_ok()) return std::move(held).value();
  if (held.status().code() == faultfs::ErrorCode::kBusy) {
    throw_if_error(held.status(), "read-only open");
  }
  // No LOCK (never created, or not copied with a backup), one this user may
  // not open, or a file system without shared locks: no lock at all. Nothing
  // this handle does can harm a writer; it may only read a state the writer
  // changes under it, which is the caller's choice to risk.
  logger().info("read-only open without a lock: {}", held.status().message());
  return nullptr;
}

}  // namespace dbx
