// SQLite result codes as faultfs Statuses, for the SQLite targets.
#pragma once

#include <sqlite3.h>

#include <string>

#include "faultfs/status.h"

namespace targets::sqlite {

// The ErrorCode for SQLite result code `rc` (not SQLITE_OK):
//   SQLITE_CORRUPT, SQLITE_NOTADB        -> kCorruption (damage detected)
//   SQLITE_BUSY, SQLITE_LOCKED           -> kBusy (a refusal: nothing stored)
//   SQLITE_FULL                          -> kNoSpace
//   SQLITE_PERM, SQLITE_AUTH             -> kPermissionDenied
//   SQLITE_READONLY                      -> kReadOnly
//   SQLITE_MISUSE, SQLITE_RANGE, SQLITE_CONSTRAINT, SQLITE_TOOBIG, SQLITE_MISMATCH
//                                        -> kInvalidArgument (refused before
//                                           anything was stored)
//   SQLITE_IOERR*, SQLITE_CANTOPEN, SQLITE_PROTOCOL, SQLITE_NOMEM, SQLITE_ERROR
//   and anything else                    -> kIoError (may have stored a part)
faultfs::ErrorCode error_code_for(int rc);

// A Status for `rc` from `what` on `db` (may be null): SQLite's message,
// and the faultfs error behind it when the VFS recorded one on this thread.
faultfs::Status sqlite_error(int rc, sqlite3* db, const std::string& what);

}  // namespace targets::sqlite
