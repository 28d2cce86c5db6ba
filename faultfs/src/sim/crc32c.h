// CRC32C (Castagnoli) for the trace format. faultfs depends on nothing above
// it, so it carries its own small table-driven CRC instead of the engine's.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace faultfs::sim {

uint32_t crc32c_extend(uint32_t crc, const char* data, size_t n);
inline uint32_t crc32c(std::string_view data) { return crc32c_extend(0, data.data(), data.size()); }

// Stored checksums are masked so that a CRC over bytes embedding CRCs stays
// well distributed.
inline constexpr uint32_t kCrcMaskDelta = 0xa282ead8u;
inline uint32_t crc32c_mask(uint32_t crc) { return ((crc >> 15) | (crc << 17)) + kCrcMaskDelta; }
inline uint32_t crc32c_unmask(uint32_t masked) {
  const uint32_t rot = masked - kCrcMaskDelta;
  return (rot >> 17) | (rot << 15);
}

}  // namespace faultfs::sim
