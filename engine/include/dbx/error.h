// dbx::Error: the one exception type the public API throws.
#pragma once

#include <stdexcept>
#include <string>

namespace dbx {

enum class ErrorCode {
  kIoError,          // The OS failed a read, write or sync.
  kCorruption,       // On-disk bytes failed a checksum or a structural check.
  kInvalidArgument,  // A caller error; nothing was written.
  kBusy,             // Another handle or process holds the database's LOCK.
  kReadOnly,         // A sync failed earlier; writes refused until reopened.
  kClosed,           // The database was closed.
};

// "io_error", "corruption", "invalid_argument", "busy", "read_only", "closed".
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
