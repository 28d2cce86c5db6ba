// What the DBX adapters (dbx_engine.cc, txn_dbx.cc) share: the table they
// use and the mapping of the engine's errors.
#pragma once

#include <string>
#include <string_view>

#include "dbx/error.h"
#include "faultfs/status.h"

namespace bench {

inline constexpr std::string_view kDbxTable = "kv";

inline faultfs::Status dbx_status(const dbx::Error& e) {
  const faultfs::ErrorCode code = e.code() == dbx::ErrorCode::kCorruption
                                      ? faultfs::ErrorCode::kCorruption
                                      : faultfs::ErrorCode::kIoError;
  return faultfs::Status(code, std::string("dbx: ") + e.what());
}

}  // namespace bench
