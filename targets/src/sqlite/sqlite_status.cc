#include "sqlite/sqlite_status.h"

#include "faultfs/assert.h"
#include "sqlite/fault_vfs.h"

namespace targets::sqlite {

using faultfs::ErrorCode;

ErrorCode error_code_for(int rc) {
  DBX_ASSERT(rc != SQLITE_OK && rc != SQLITE_ROW && rc != SQLITE_DONE);
  switch (rc & 0xFF) {  // The primary code; extended codes refine it.
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return ErrorCode::kCorruption;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return ErrorCode::kBusy;
    case SQLITE_FULL:
      return ErrorCode::kNoSpace;
    case SQLITE_PERM:
    case SQLITE_AUTH:
      return ErrorCode::kPermissionDenied;
    case SQLITE_READONLY:
      return ErrorCode::kReadOnly;
    case SQLITE_MISUSE:
    case SQLITE_RANGE:
    case SQLITE_CONSTRAINT:
    case SQLITE_TOOBIG:
    case SQLITE_MISMATCH:
      return ErrorCode::kInvalidArgument;
    default:
      return ErrorCode::kIoError;
  }
}

faultfs::Status sqlite_error(int rc, sqlite3* db, const std::string& what) {
  std::string message = what + ": " + sqlite3_errstr(rc);
  if (db != nullptr && sqlite3_errcode(db) == rc) {
    message += std::string(" (") + sqlite3_errmsg(db) + ")";
  }
  const std::string fs_error = last_vfs_error();
  if (!fs_error.empty()) message += "; file system: " + fs_error;
  return faultfs::Status(error_code_for(rc), message);
}

}  // namespace targets::sqlite
