// Raw-byte access to one SimFs file, for tests that craft or damage a file
// directly: read what the live state holds, or install exact bytes.
#pragma once

#include <string>
#include <string_view>

#include "faultfs/sim_fs.h"

namespace dbx::testing {

// The live bytes of `path` ("" when it does not exist).
inline std::string sim_bytes(const faultfs::SimFs& fs, const std::string& path) {
  const std::string key = path.starts_with('/') ? path.substr(1) : path;
  const auto files = fs.live_files();
  auto it = files.find(key);
  return it == files.end() ? std::string() : it->second;
}

// Replaces the contents of `path` with `data`, durably: its parents are made
// durable directories, and the file is synced and its directory entry too.
[[nodiscard]] inline faultfs::Status set_sim_bytes(faultfs::SimFs& fs, const std::string& path,
                                                   std::string_view data) {
  const size_t slash = path.rfind('/');
  const std::string dir = slash == std::string::npos ? std::string() : path.substr(0, slash);
  if (!dir.empty()) {
    if (auto s = fs.create_dirs_durable(dir); !s.is_ok()) return s;
  }
  auto file = fs.open(path, faultfs::OpenMode::kCreateTruncate);
  if (!file.is_ok()) return file.status();
  if (auto s = (*file)->append(data); !s.is_ok()) return s;
  if (auto s = (*file)->sync(); !s.is_ok()) return s;
  if (auto s = (*file)->close(); !s.is_ok()) return s;
  return fs.sync_dir(dir.empty() ? std::string("/") : dir);
}

}  // namespace dbx::testing
