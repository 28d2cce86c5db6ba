// What the RocksDB adapters (rocksdb_engine.cc, txn_rocksdb.cc) share.
#pragma once

#include <rocksdb/slice.h>
#include <rocksdb/status.h>

#include <string>
#include <string_view>

#include "faultfs/status.h"

namespace bench {

inline faultfs::Status rocksdb_status(const rocksdb::Status& s, const char* what) {
  if (s.ok()) return faultfs::Status::ok();
  const faultfs::ErrorCode code =
      s.IsCorruption() ? faultfs::ErrorCode::kCorruption : faultfs::ErrorCode::kIoError;
  return faultfs::Status(code, std::string("rocksdb ") + what + ": " + s.ToString());
}

inline rocksdb::Slice rocksdb_slice(std::string_view s) {
  return rocksdb::Slice(s.data(), s.size());
}

}  // namespace bench
