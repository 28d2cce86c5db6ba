// Errors as values for the report writers and readers: the seam's one Status
// and Result<T> (faultfs/status.h), so a report error and a file-system error
// are the same type and travel through the same checks.
//
// A report that silently failed to land is how a CI job turns a red campaign
// green, so every fallible call returns a [[nodiscard]] Status or Result<T>.
// Callers print the message (one line naming the file or field at fault) and
// exit; the code only says which of the two failures it was.
#pragma once

#include <cassert>
#include <string>
#include <utility>

#include "faultfs/status.h"

namespace reports {

using faultfs::Result;
using faultfs::Status;

// A report, summary or JUnit file that does not say what its format says:
// malformed JSON, a missing or out-of-range field, shards that do not merge.
[[nodiscard]] inline Status format_error(std::string message) {
  assert(!message.empty());
  return Status(faultfs::ErrorCode::kCorruption, std::move(message));
}

// A report file that could not be read or written.
[[nodiscard]] inline Status file_error(std::string message) {
  assert(!message.empty());
  return Status(faultfs::ErrorCode::kIoError, std::move(message));
}

}  // namespace reports
