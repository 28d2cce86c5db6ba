#include "dbx/error.h"

#include "status_util.h"

namespace dbx {

const char* error_code_name(ErrorCode code) {
  switch (code) {
    case ErrorCode::kIoError:
      return "io_error";
    case ErrorCode::kCorruption:
      return "corruption";
    case ErrorCode::kInvalidArgument:
      return "invalid_argument";
    case ErrorCode::kBusy:
      return "busy";
    case ErrorCode::kReadOnly:
      return "read_only";
    case ErrorCode::kClosed:
      return "closed";
    case ErrorCode::kPermissionDenied:
      return "permission_denied";
    case ErrorCode::kNoSpace:
      return "no_space";
    case ErrorCode::kWriteConflict:
      return "write_conflict";
    case ErrorCode::kInvalidKey:
      return "invalid_key";
  }
  return "unknown";
}

Error::Error(ErrorCode code, const std::string& message)
    : std::runtime_error(std::string(error_code_name(code)) + ": " + message), code_(code) {}

ErrorCode to_error_code(faultfs::ErrorCode code) {
  switch (code) {
    case faultfs::ErrorCode::kCorruption:
      return ErrorCode::kCorruption;
    case faultfs::ErrorCode::kBusy:
      return ErrorCode::kBusy;
    case faultfs::ErrorCode::kPermissionDenied:
      return ErrorCode::kPermissionDenied;
    case faultfs::ErrorCode::kNoSpace:
      return ErrorCode::kNoSpace;
    case faultfs::ErrorCode::kReadOnly:
      return ErrorCode::kReadOnly;
    case faultfs::ErrorCode::kConflict:
      return ErrorCode::kWriteConflict;
    case faultfs::ErrorCode::kOk:  // Not an error; throw_if_error never passes it.
    case faultfs::ErrorCode::kIoError:
    case faultfs::ErrorCode::kShortWrite:
    case faultfs::ErrorCode::kNotFound:
    case faultfs::ErrorCode::kAlreadyExists:
    case faultfs::ErrorCode::kInvalidArgument:
      // Missing files, short writes and bad handles all mean the same to a
      // caller: the operation did not happen durably. (Not invalid_argument:
      // that promises nothing was written, and a failed write may have been.)
      return ErrorCode::kIoError;
  }
  return ErrorCode::kIoError;  // Unreachable for a valid enumerator.
}

void throw_if_error(const faultfs::Status& status, std::string_view context) {
  if (status.is_ok()) return;
  std::string message(context);
  if (!message.empty()) message += ": ";
  message += status.message();
  throw Error(to_error_code(status.code()), message);
}

}  // namespace dbx
