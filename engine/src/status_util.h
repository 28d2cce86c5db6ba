// Bridges faultfs's errors-as-values to the public dbx::Error exceptions.
#pragma once

#include <string_view>

#include "dbx/error.h"
#include "faultfs/status.h"

namespace dbx {

ErrorCode to_error_code(faultfs::ErrorCode code);

// Throws dbx::Error carrying `status`'s message (which names the file and the
// offset) prefixed with `context`. Returns only when `status` is ok.
void throw_if_error(const faultfs::Status& status, std::string_view context);

template <typename T>
T value_or_throw(faultfs::Result<T>&& result, std::string_view context) {
  throw_if_error(result.status(), context);
  return std::move(result).value();
}

}  // namespace dbx
