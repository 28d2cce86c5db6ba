// dbx::Error: the one exception type the public API throws.
#pragma once

#include <stdexcept>
#include <string>

namespace dbx {

// What a program can act on; the README's table says what to do for each.
// Switches over this enum have no default, so that a new code is a -Wswitch
// error wherever it must be handled.
enum class ErrorCode {
  kIoError,           // The OS failed a read, write or sync.
  kCorruption,        // On-disk bytes failed a checksum or a structural check.
  kInvalidArgument,   // A caller error; nothing was written.
  kBusy,              // Another handle or process holds the database's LOCK. Only that.
  kReadOnly,          // Writes refused: the handle was opened read-only, or a
                      // write, sync or checkpoint failed earlier (until reopened).
  kClosed,            // The database was closed.
  kPermissionDenied,  // The OS refused access (EACCES, EPERM, EROFS) to a file
                      // or directory of the database. Retrying will not help.
  kNoSpace,           // The file system is full (ENOSPC, EDQUOT).
  kWriteConflict,     // A transaction's commit lost to a write made after its
                      // snapshot to a key it wrote. Nothing of it was applied.
  kInvalidKey,        // An encrypted database's key or password is not the one
                      // its key file was sealed with. Nothing was read or written.
};

// "io_error", "corruption", "invalid_argument", "busy", "read_only", "closed",
// "permission_denied", "no_space", "write_conflict", "invalid_key".
const char* error_code_name(ErrorCode code);

class Error : public std::runtime_error {
 public:
  // `message` names the file and offset where they apply.
  Error(ErrorCode code, const std::string& message);
  ErrorCode code() const noexcept { return code_; }

 private:
  ErrorCode code_;
};

}  // namespace dbx
