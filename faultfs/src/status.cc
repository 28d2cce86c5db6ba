#include "faultfs/status.h"

#include <cerrno>
#include <cstring>

namespace faultfs {

const char* error_code_name(ErrorCode code) {
  switch (code) {
    case ErrorCode::kOk:
      return "ok";
    case ErrorCode::kIoError:
      return "io_error";
    case ErrorCode::kNoSpace:
      return "no_space";
    case ErrorCode::kNotFound:
      return "not_found";
    case ErrorCode::kAlreadyExists:
      return "already_exists";
    case ErrorCode::kBusy:
      return "busy";
    case ErrorCode::kInvalidArgument:
      return "invalid_argument";
    case ErrorCode::kShortWrite:
      return "short_write";
    case ErrorCode::kCorruption:
      return "corruption";
    case ErrorCode::kPermissionDenied:
      return "permission_denied";
    case ErrorCode::kReadOnly:
      return "read_only";
    case ErrorCode::kConflict:
      return "conflict";
  }
  return "unknown";
}

std::string Status::to_string() const {
  if (is_ok()) return "ok";
  return std::string(error_code_name(code_)) + ": " + message_;
}

Status status_from_errno(int err, const std::string& operation, const std::string& path) {
  ErrorCode code = ErrorCode::kIoError;
  switch (err) {
    case ENOSPC:
    case EDQUOT:
      code = ErrorCode::kNoSpace;
      break;
    case ENOENT:
      code = ErrorCode::kNotFound;
      break;
    case EEXIST:
      code = ErrorCode::kAlreadyExists;
      break;
    // Never kBusy: that is only a lock held by someone else, which lock()
    // reports itself. A program retries on busy; retrying on these would spin.
    case EACCES:
    case EPERM:
    case EROFS:
      code = ErrorCode::kPermissionDenied;
      break;
    case EINVAL:
    case EBADF:
    case ENOTDIR:
    case EISDIR:
      code = ErrorCode::kInvalidArgument;
      break;
    default:
      break;
  }
  return Status(code, operation + " " + path + ": " + std::strerror(err), err);
}

}  // namespace faultfs
