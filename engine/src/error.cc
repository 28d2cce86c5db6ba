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
    default:
      // Missing files, short writes, ENOSPC and bad handles all mean the same to
      // a caller: the operation did not happen durably.
      return ErrorCode::kIoError;
  }
}

void throw_if_error(const faultfs::Status& status, std::string_view context) {
  if (status.is_ok()) return;
  std::string message(context);
  if (!message.empty()) message += ": ";
  message += status.message();
  throw Error(to_error_code(status.code()), message);
}

}  // namespace dbx
