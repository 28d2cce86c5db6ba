// Errors as values for the file-system seam.
//
// Every fallible call in faultfs returns a Status or a Result<T>. Both are
// [[nodiscard]]: an I/O error that nobody looked at is how storage engines
// lose acknowledged data, so dropping one must be a compile error (-Werror).
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace faultfs {

enum class ErrorCode {
  kOk = 0,
  kIoError,           // EIO and anything unclassified from the OS.
  kNoSpace,           // ENOSPC / EDQUOT.
  kNotFound,          // ENOENT.
  kAlreadyExists,     // EEXIST.
  kBusy,              // A lock held by another handle or process; nothing else.
  kInvalidArgument,   // A caller bug: bad path, bad offset, closed handle.
  kShortWrite,        // Fewer bytes reached the file than were asked for.
  kCorruption,        // Bytes read back failed a checksum or structural check.
  kPermissionDenied,  // EACCES / EPERM / EROFS: the OS refuses this access.
  kReadOnly,          // A write refused by a read-only view of the file system.
  kConflict,          // A transaction's commit refused: another writer committed
                      // a key it wrote since it began. Nothing was stored.
};

// Stable lower-case name for logs and reports ("io_error", "no_space", ...).
const char* error_code_name(ErrorCode code);

class [[nodiscard]] Status {
 public:
  // Not "= default": value-initializing (Status(), Status::ok()) would then
  // zero-fill the whole object before constructing it, on every hot-path call.
  Status() {}  // OK.
  Status(ErrorCode code, std::string message, int sys_errno = 0)
      : code_(code), message_(std::move(message)), sys_errno_(sys_errno) {
    assert(code != ErrorCode::kOk);
  }

  static Status ok() { return Status(); }

  bool is_ok() const { return code_ == ErrorCode::kOk; }
  ErrorCode code() const { return code_; }
  // Names the operation and the path, e.g. "fdatasync db/wal.log: EIO".
  const std::string& message() const { return message_; }
  int sys_errno() const { return sys_errno_; }
  std::string to_string() const;

  // Marks an error as deliberately handled where dropping it is correct (for
  // example closing a file on a path that already failed). Greppable on purpose.
  void ignore_error() const {}

 private:
  ErrorCode code_ = ErrorCode::kOk;
  std::string message_;
  int sys_errno_ = 0;
};

// A value or the error that prevented it.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}      // NOLINT: implicit by design.
  Result(Status error) : state_(std::move(error)) {  // NOLINT
    assert(!std::get<Status>(state_).is_ok());
  }

  bool is_ok() const { return std::holds_alternative<T>(state_); }
  const Status& status() const {
    static const Status kOk;
    return is_ok() ? kOk : std::get<Status>(state_);
  }
  T& value() & {
    assert(is_ok());
    return std::get<T>(state_);
  }
  const T& value() const& {
    assert(is_ok());
    return std::get<T>(state_);
  }
  T&& value() && {
    assert(is_ok());
    return std::get<T>(std::move(state_));
  }
  T* operator->() { return &value(); }
  T& operator*() & { return value(); }

 private:
  std::variant<T, Status> state_;
};

// Builds a Status from errno for a failed system call on `path`.
Status status_from_errno(int err, const std::string& operation, const std::string& path);

}  // namespace faultfs
