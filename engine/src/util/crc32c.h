// CRC32C (Castagnoli), the checksum of every WAL record and WOS entry.
//
// Uses the SSE4.2 crc32 instruction when the CPU has it (checked once at
// start-up), else a slicing-by-8 table. Both give identical results.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace dbx::crc32c {

// Extends `crc` (a previous value() result, or 0) with `data`.
uint32_t extend(uint32_t crc, const char* data, size_t n);

inline uint32_t value(const char* data, size_t n) { return extend(0, data, n); }
inline uint32_t value(std::string_view data) { return extend(0, data.data(), data.size()); }

// Stored checksums are masked so that a CRC computed over bytes that embed
// CRCs stays well distributed (same idea as LevelDB's log format).
inline constexpr uint32_t kMaskDelta = 0xa282ead8u;
inline uint32_t mask(uint32_t crc) { return ((crc >> 15) | (crc << 17)) + kMaskDelta; }
inline uint32_t unmask(uint32_t masked) {
  const uint32_t rot = masked - kMaskDelta;
  return (rot >> 17) | (rot << 15);
}

// Whether the hardware path is in use (for logs and benchmarks).
bool hardware_accelerated();

}  // namespace dbx::crc32c
