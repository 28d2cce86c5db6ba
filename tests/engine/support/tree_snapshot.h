// What a directory tree looks like to a test that must prove nothing was
// written: every entry's path, type, size, mode and modification time.
#pragma once

#include <sys/stat.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <tuple>

namespace dbx::testing {

struct EntryFacts {
  uint64_t size = 0;
  uint32_t mode = 0;
  int64_t mtime_ns = 0;
  bool operator==(const EntryFacts& o) const {
    return std::tie(size, mode, mtime_ns) == std::tie(o.size, o.mode, o.mtime_ns);
  }
};

using TreeSnapshot = std::map<std::string, EntryFacts>;

inline TreeSnapshot snapshot_tree(const std::string& root) {
  TreeSnapshot snapshot;
  auto add = [&](const std::string& path) {
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) return;
    snapshot[path] = EntryFacts{static_cast<uint64_t>(st.st_size), st.st_mode,
                                int64_t{st.st_mtim.tv_sec} * 1'000'000'000 + st.st_mtim.tv_nsec};
  };
  add(root);
  for (const auto& e : std::filesystem::recursive_directory_iterator(root)) add(e.path());
  return snapshot;
}

}  // namespace dbx::testing
