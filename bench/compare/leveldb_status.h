// What the LevelDB adapters (leveldb_engine.cc, txn_leveldb.cc) share.
#pragma once

#include <leveldb/slice.h>
#include <leveldb/status.h>

#include <string>
#include <string_view>

#include "faultfs/status.h"

namespace bench {

inline faultfs::Status leveldb_status(const leveldb::Status& s, const char* what) {
  if (s.ok()) return faultfs::Status::ok();
  const faultfs::ErrorCode code =
      s.IsCorruption() ? faultfs::ErrorCode::kCorruption : faultfs::ErrorCode::kIoError;
  return faultfs::Status(code, std::string("leveldb ") + what + ": " + s.ToString());
}

inline leveldb::Slice leveldb_slice(std::string_view s) {
  return leveldb::Slice(s.data(), s.size());
}

}  // namespace bench
