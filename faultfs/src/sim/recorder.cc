// Method: a process-crash-proof log of real I/O. Each mutating call runs on
// the wrapped file system under one lock; if it succeeded, one record is
// appended with a single write(2) on an O_APPEND descriptor before the call
// returns, so a SIGKILL leaves every acknowledged effect in the trace and at
// most one record cut short at its end. A sync failing with kIoError or
// kNoSpace is logged too: its writeback failure drops data, and a replay must
// drop the same data.
#include "faultfs/recorder.h"

#include <fcntl.h>
#include <unistd.h>

#include <cassert>
#include <cerrno>

#include "faultfs/status_macros.h"
#include "faultfs/writeback_fault.h"

namespace faultfs {
namespace {

bool is_writeback_error(const Status& s) {
  return s.code() == ErrorCode::kIoError || s.code() == ErrorCode::kNoSpace;
}

TraceRecord path_record(TraceOp op, const std::string& path, const std::string& path2 = {}) {
  TraceRecord r;
  r.op = op;
  r.path = path;
  r.path2 = path2;
  return r;
}

class RecorderFile final : public FileWrapper, public WritebackFaultTarget {
 public:
  RecorderFile(Recorder& rec, std::unique_ptr<File> inner, uint64_t handle)
      : FileWrapper(std::move(inner)), rec_(rec), handle_(handle) {
    assert(handle_ != 0);
  }

  Status append(std::string_view data) override {
    std::lock_guard lock(rec_.mutex());
    RETURN_IF_ERROR(target().append(data));
    return rec_.append_record(handle_record(TraceOp::kAppend, handle_, 0, data));
  }

  Status write_at(uint64_t offset, std::string_view data) override {
    std::lock_guard lock(rec_.mutex());
    RETURN_IF_ERROR(target().write_at(offset, data));
    return rec_.append_record(handle_record(TraceOp::kWriteAt, handle_, offset, data));
  }

  Status sync() override {
    std::lock_guard lock(rec_.mutex());
    Status done = target().sync();
    // Only an I/O failure is a writeback failure that dropped data; a caller
    // error (closed handle) changed nothing.
    if (is_writeback_error(done)) return record_failed_sync(std::move(done));
    if (!done.is_ok()) return done;
    return rec_.append_record(handle_record(TraceOp::kSync, handle_));
  }

  Status fail_sync(Status error) override {
    std::lock_guard lock(rec_.mutex());
    if (auto* writeback = dynamic_cast<WritebackFaultTarget*>(&target())) {
      error = writeback->fail_sync(std::move(error));
    }
    if (!is_writeback_error(error)) return error;  // E.g. a closed handle: nothing dropped.
    return record_failed_sync(std::move(error));
  }

  Status truncate(uint64_t size) override {
    std::lock_guard lock(rec_.mutex());
    RETURN_IF_ERROR(target().truncate(size));
    return rec_.append_record(handle_record(TraceOp::kTruncate, handle_, size));
  }

  Status close() override {
    std::lock_guard lock(rec_.mutex());
    RETURN_IF_ERROR(target().close());
    return rec_.append_record(handle_record(TraceOp::kClose, handle_));
  }

 private:
  // Requires the recorder lock. Returns `error`, or the trace's own failure.
  Status record_failed_sync(Status error) {
    assert(!error.is_ok());
    RETURN_IF_ERROR(rec_.append_record(handle_record(TraceOp::kSyncFailed, handle_)));
    return error;
  }

  Recorder& rec_;
  const uint64_t handle_;
};

}  // namespace

Result<std::unique_ptr<Recorder>> Recorder::create(FileSystem& inner,
                                                   const std::string& trace_path) {
  const int fd =
      ::open(trace_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) return status_from_errno(errno, "open trace", trace_path);
  const std::string header = encode_trace_header();
  const ssize_t n = ::write(fd, header.data(), header.size());
  if (n != static_cast<ssize_t>(header.size())) {
    const int err = n < 0 ? errno : EIO;
    ::close(fd);
    return status_from_errno(err, "write trace header", trace_path);
  }
  return std::unique_ptr<Recorder>(new Recorder(inner, fd, trace_path));
}

Recorder::Recorder(FileSystem& inner, int fd, std::string trace_path)
    : FileSystemWrapper(inner), fd_(fd), trace_path_(std::move(trace_path)) {
  assert(fd_ >= 0);
}

Recorder::~Recorder() {
  // Every record is already in the kernel (one write each); nothing to flush.
  ::close(fd_);
}

uint64_t Recorder::records_written() const { return records_written_.load(); }

Status Recorder::append_record(TraceRecord record) {
  if (broken_) {
    return Status(ErrorCode::kIoError, "trace damaged by an earlier failed write: " + trace_path_);
  }
  record.seq = seq_ + 1;
  const std::string bytes = encode_trace_record(record);
  if (bytes.size() > kTraceRecordHeaderBytes + kTracePayloadBytesMax) {
    return Status(ErrorCode::kInvalidArgument, "trace record too large: " + trace_path_);
  }
  ssize_t n = -1;
  do {
    n = ::write(fd_, bytes.data(), bytes.size());
  } while (n < 0 && errno == EINTR);
  if (n != static_cast<ssize_t>(bytes.size())) {
    // A part may be in the file: later records would follow garbage.
    broken_ = true;
    return status_from_errno(n < 0 ? errno : EIO, "write trace record", trace_path_);
  }
  seq_ = record.seq;
  records_written_.fetch_add(1);
  return Status::ok();
}

Result<std::unique_ptr<File>> Recorder::open(const std::string& path, OpenMode mode) {
  std::lock_guard lock(mu_);
  ASSIGN_OR_RETURN(auto file, target().open(path, mode));
  const uint64_t handle = next_handle();
  TraceRecord record = handle_record(TraceOp::kOpen, handle);
  record.mode = mode;
  record.path = path;
  RETURN_IF_ERROR(append_record(std::move(record)));
  return std::unique_ptr<File>(std::make_unique<RecorderFile>(*this, std::move(file), handle));
}

Status Recorder::rename(const std::string& from, const std::string& to) {
  std::lock_guard lock(mu_);
  RETURN_IF_ERROR(target().rename(from, to));
  return append_record(path_record(TraceOp::kRename, from, to));
}

Status Recorder::remove(const std::string& path) {
  std::lock_guard lock(mu_);
  RETURN_IF_ERROR(target().remove(path));
  return append_record(path_record(TraceOp::kRemove, path));
}

Status Recorder::mkdir(const std::string& path) {
  std::lock_guard lock(mu_);
  RETURN_IF_ERROR(target().mkdir(path));
  return append_record(path_record(TraceOp::kMkdir, path));
}

Status Recorder::rmdir(const std::string& path) {
  std::lock_guard lock(mu_);
  RETURN_IF_ERROR(target().rmdir(path));
  return append_record(path_record(TraceOp::kRmdir, path));
}

Status Recorder::sync_dir(const std::string& path) {
  std::lock_guard lock(mu_);
  RETURN_IF_ERROR(target().sync_dir(path));
  return append_record(path_record(TraceOp::kSyncDir, path));
}

Result<std::unique_ptr<FileLock>> Recorder::lock(const std::string& path) {
  std::lock_guard lock(mu_);
  ASSIGN_OR_RETURN(auto held, target().lock(path));
  RETURN_IF_ERROR(append_record(path_record(TraceOp::kLock, path)));
  return held;
}

}  // namespace faultfs
