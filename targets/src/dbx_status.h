// The DBX adapter's error mapping: the engine throws dbx::Error, the seam
// returns faultfs::Status (targets/target.h states what each code means).
#pragma once

#include <exception>
#include <string>

#include "dbx/error.h"
#include "faultfs/status.h"

namespace targets::detail {

inline faultfs::Status from_dbx_error(const dbx::Error& e) {
  using faultfs::ErrorCode;
  using faultfs::Status;
  switch (e.code()) {
    case dbx::ErrorCode::kIoError:
      return Status(ErrorCode::kIoError, e.what());
    case dbx::ErrorCode::kCorruption:
      return Status(ErrorCode::kCorruption, e.what());
    case dbx::ErrorCode::kBusy:
      return Status(ErrorCode::kBusy, e.what());
    case dbx::ErrorCode::kNoSpace:
      // Maybe applied: an append cut short by ENOSPC can leave a whole record
      // in the log (the failure may come from a later sync or checkpoint), and
      // recovery replays it.
      return Status(ErrorCode::kNoSpace, e.what());
    case dbx::ErrorCode::kPermissionDenied:
      // Maybe applied, like an I/O error: raised by the OS in the middle of
      // the write path, not by a check made before anything was written.
      return Status(ErrorCode::kPermissionDenied, e.what());
    case dbx::ErrorCode::kWriteConflict:
      // A commit refused before anything was written (write_maybe_applied).
      return Status(ErrorCode::kConflict, e.what());
    case dbx::ErrorCode::kInvalidArgument:
    case dbx::ErrorCode::kReadOnly:
    case dbx::ErrorCode::kClosed:
    case dbx::ErrorCode::kInvalidKey:
      // All four refuse before anything is written (write_maybe_applied).
      return Status(ErrorCode::kInvalidArgument,
                    std::string(dbx::error_code_name(e.code())) + ": " + e.what());
  }
  return Status(ErrorCode::kIoError, e.what());
}

// Runs `fn`, turning the engine's exceptions into a Status.
template <typename Fn>
faultfs::Status guarded(Fn&& fn) {
  try {
    fn();
    return faultfs::Status::ok();
  } catch (const dbx::Error& e) {
    return from_dbx_error(e);
  } catch (const std::exception& e) {
    return faultfs::Status(faultfs::ErrorCode::kIoError,
                           std::string("unexpected exception: ") + e.what());
  }
}

}  // namespace targets::detail
