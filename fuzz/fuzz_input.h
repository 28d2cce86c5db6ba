// Helpers shared by the fuzz targets: carving a libFuzzer input into parts and
// placing bytes in an in-memory file system. Harnesses stay small and call
// only the public reader functions, so format changes do not break them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "faultfs/assert.h"
#include "faultfs/sim_fs.h"

namespace dbx::fuzz {

// Reads a little-endian u16 from the front of `input` and splits what follows
// at that length (clamped): two files from one input, robust to size changes
// of either format.
struct TwoParts {
  std::string_view first;
  std::string_view second;
};
inline TwoParts split_with_u16_length(std::string_view input) {
  if (input.size() < 2) return {};
  const size_t length =
      static_cast<uint8_t>(input[0]) | (static_cast<size_t>(static_cast<uint8_t>(input[1])) << 8);
  input.remove_prefix(2);
  const size_t cut = length < input.size() ? length : input.size();
  return {input.substr(0, cut), input.substr(cut)};
}

// Creates `path` in `fs` holding exactly `bytes`; its directory must exist.
// SimFs has no reason to fail here, so a failure is a harness bug.
inline void put_file(faultfs::SimFs& fs, const std::string& path, std::string_view bytes) {
  auto file = fs.open(path, faultfs::OpenMode::kCreateTruncate);
  DBX_ASSERT(file.is_ok());
  DBX_ASSERT((*file)->append(bytes).is_ok());
  DBX_ASSERT((*file)->close().is_ok());
}

inline std::string_view as_view(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

}  // namespace dbx::fuzz
