// CRC32C (Castagnoli): the checksum of the formats built on this seam (the
// engine's WAL records and WOS entries, the simulated file system's traces).
// It lives in faultfs, the lowest layer, so that there is one implementation.
//
// Uses the SSE4.2 crc32 instruction when the CPU has it (checked once at
// start-up), else a slicing-by-8 table. Both give identical results.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace faultfs::crc32c {

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

// The table-driven path alone, whatever the CPU: extend() uses it where the
// crc32 instruction is missing, and tests check that both paths agree.
uint32_t extend_portable(uint32_t crc, const char* data, size_t n);

}  // namespace faultfs::crc32c
