// Method: injected I/O errors. Before each operation its libfiu point
// ("faultfs/<op>") is consulted; when it fires, the operation does not reach
// the wrapped file system and returns EIO or ENOSPC (the failnum picks), or,
// for append and write_at, stores a prefix of the data and reports
// kShortWrite. An injected sync failure is handed to the file below when it
// can model a writeback failure (WritebackFaultTarget: SimFs drops the
// un-synced data, the Recorder logs it); over a real file system the error
// is returned and the data stays as the kernel holds it. close() closes the
// wrapped file before reporting the injected error, as close(2) does.
#include <fiu.h>

#include <cassert>
#include <cerrno>

#include "faultfs/fault_injection.h"
#include "faultfs/status_macros.h"
#include "faultfs/writeback_fault.h"

namespace faultfs {
namespace {

Status injected_error(int kind, FaultOp op, const std::string& path) {
  const std::string what = std::string(fault_point_name(op)) + " injected on " + path;
  if (kind == static_cast<int>(FaultKind::kNoSpace)) {
    return Status(ErrorCode::kNoSpace, what + ": ENOSPC", ENOSPC);
  }
  return Status(ErrorCode::kIoError, what + ": EIO", EIO);
}

class FaultInjectionFile final : public File, public WritebackFaultTarget {
 public:
  FaultInjectionFile(FaultInjectionFs& fs, std::unique_ptr<File> inner)
      : fs_(fs), inner_(std::move(inner)) {
    assert(inner_);
  }

  Result<size_t> read_at(uint64_t offset, std::span<char> buf) override {
    if (int kind = fs_.check_point(FaultOp::kReadAt)) {
      return injected_error(kind, FaultOp::kReadAt, path());
    }
    return inner_->read_at(offset, buf);
  }

  Status append(std::string_view data) override {
    if (int kind = fs_.check_point(FaultOp::kAppend)) {
      if (kind != static_cast<int>(FaultKind::kShortWrite)) {
        return injected_error(kind, FaultOp::kAppend, path());
      }
      RETURN_IF_ERROR(inner_->append(data.substr(0, short_bytes(data.size()))));
      return short_write(FaultOp::kAppend);
    }
    return inner_->append(data);
  }

  Status write_at(uint64_t offset, std::string_view data) override {
    if (int kind = fs_.check_point(FaultOp::kWriteAt)) {
      if (kind != static_cast<int>(FaultKind::kShortWrite)) {
        return injected_error(kind, FaultOp::kWriteAt, path());
      }
      RETURN_IF_ERROR(inner_->write_at(offset, data.substr(0, short_bytes(data.size()))));
      return short_write(FaultOp::kWriteAt);
    }
    return inner_->write_at(offset, data);
  }

  Status sync() override {
    if (int kind = fs_.check_point(FaultOp::kSync)) {
      return fail_sync(injected_error(kind, FaultOp::kSync, path()));
    }
    return inner_->sync();
  }

  Status fail_sync(Status error) override {
    if (auto* writeback = dynamic_cast<WritebackFaultTarget*>(inner_.get())) {
      return writeback->fail_sync(std::move(error));
    }
    return error;
  }

  Status truncate(uint64_t size) override {
    if (int kind = fs_.check_point(FaultOp::kTruncate)) {
      return injected_error(kind, FaultOp::kTruncate, path());
    }
    return inner_->truncate(size);
  }

  Result<uint64_t> size() override {
    if (int kind = fs_.check_point(FaultOp::kSize)) {
      return injected_error(kind, FaultOp::kSize, path());
    }
    return inner_->size();
  }

  Status close() override {
    Status closed = inner_->close();
    if (int kind = fs_.check_point(FaultOp::kClose)) {
      closed.ignore_error();  // The injected error is the one to report.
      return injected_error(kind, FaultOp::kClose, path());
    }
    return closed;
  }

  const std::string& path() const override { return inner_->path(); }

 private:
  // Bytes a short write stores: the failinfo count if it is shorter, else half.
  static size_t short_bytes(size_t size) {
    const auto info = reinterpret_cast<uintptr_t>(fiu_failinfo());
    if (info > 0 && info < size) return static_cast<size_t>(info);
    return size / 2;
  }

  Status short_write(FaultOp op) const {
    return Status(ErrorCode::kShortWrite,
                  std::string(fault_point_name(op)) + " injected short write on " + path(), 0);
  }

  FaultInjectionFs& fs_;
  std::unique_ptr<File> inner_;
};

}  // namespace

FaultInjectionFs::FaultInjectionFs(FileSystem& inner) : FileSystemWrapper(inner) {
  Status init = fiu_initialize();
  // fiu_init cannot fail in practice (it only allocates a few bytes); if it
  // did, every point would stay silent, which a test counting injections sees.
  assert(init.is_ok());
  init.ignore_error();
}

int FaultInjectionFs::check_point(FaultOp op) {
  const int kind = fiu_fail(fault_point_name(op));
  if (kind != 0) injected_[static_cast<size_t>(op)].fetch_add(1, std::memory_order_relaxed);
  return kind;
}

uint64_t FaultInjectionFs::injected(FaultOp op) const {
  return injected_[static_cast<size_t>(op)].load(std::memory_order_relaxed);
}

uint64_t FaultInjectionFs::injected_total() const {
  uint64_t total = 0;
  for (const auto& count : injected_) total += count.load(std::memory_order_relaxed);
  return total;
}

void FaultInjectionFs::reset_injected() {
  for (auto& count : injected_) count.store(0, std::memory_order_relaxed);
}

Result<std::unique_ptr<File>> FaultInjectionFs::open(const std::string& path, OpenMode mode) {
  if (int kind = check_point(FaultOp::kOpen)) return injected_error(kind, FaultOp::kOpen, path);
  ASSIGN_OR_RETURN(auto file, target().open(path, mode));
  return std::unique_ptr<File>(std::make_unique<FaultInjectionFile>(*this, std::move(file)));
}

Status FaultInjectionFs::rename(const std::string& from, const std::string& to) {
  if (int kind = check_point(FaultOp::kRename)) return injected_error(kind, FaultOp::kRename, from);
  return target().rename(from, to);
}

Status FaultInjectionFs::remove(const std::string& path) {
  if (int kind = check_point(FaultOp::kRemove)) return injected_error(kind, FaultOp::kRemove, path);
  return target().remove(path);
}

Status FaultInjectionFs::mkdir(const std::string& path) {
  if (int kind = check_point(FaultOp::kMkdir)) return injected_error(kind, FaultOp::kMkdir, path);
  return target().mkdir(path);
}

Status FaultInjectionFs::rmdir(const std::string& path) {
  if (int kind = check_point(FaultOp::kRmdir)) return injected_error(kind, FaultOp::kRmdir, path);
  return target().rmdir(path);
}

Result<std::vector<std::string>> FaultInjectionFs::list(const std::string& path) {
  if (int kind = check_point(FaultOp::kList)) return injected_error(kind, FaultOp::kList, path);
  return target().list(path);
}

Status FaultInjectionFs::sync_dir(const std::string& path) {
  if (int kind = check_point(FaultOp::kSyncDir)) {
    return injected_error(kind, FaultOp::kSyncDir, path);
  }
  return target().sync_dir(path);
}

Result<std::unique_ptr<FileLock>> FaultInjectionFs::lock(const std::string& path) {
  if (int kind = check_point(FaultOp::kLock)) return injected_error(kind, FaultOp::kLock, path);
  return target().lock(path);
}

Result<uint64_t> FaultInjectionFs::file_size(const std::string& path) {
  if (int kind = check_point(FaultOp::kFileSize)) {
    return injected_error(kind, FaultOp::kFileSize, path);
  }
  return target().file_size(path);
}

Result<bool> FaultInjectionFs::exists(const std::string& path) {
  if (int kind = check_point(FaultOp::kExists)) return injected_error(kind, FaultOp::kExists, path);
  return target().exists(path);
}

}  // namespace faultfs
