// The disk's and the CPU's own limits, measured in the same run as the
// engines: no engine can sync more often than fdatasync allows, and a WAL
// cannot checksum faster than CRC32C runs, nor an encrypted one seal faster
// than its AEAD.
#pragma once

#include <cstdint>
#include <string>

#include "faultfs/status.h"
#include "workloads.h"

namespace bench {

struct LimitSizes {
  uint64_t fdatasync_ops = 2'000;
  double fdatasync_time_max_s = 3.0;  // Stops early on a slow disk.
  uint64_t seq_write_bytes = uint64_t{256} << 20;
  uint64_t crc_bytes = uint64_t{1} << 30;
  double aead_time_s = 0.5;  // How long the AEAD probe seals 4 KiB messages.

  static LimitSizes scaled(double factor);  // factor in (0, 1].
};

// fdatasync_per_s: 4 KiB appends, each followed by fdatasync (the file grows,
// so every sync also writes metadata). fdatasync_overwrite_per_s: 4 KiB
// overwrites inside a file written and synced beforehand (data only).
// seq_write_mb_s: 1 MiB writes then one fdatasync. crc32c_gb_s: DBX's CRC32C.
// xchacha20poly1305_gb_s: libsodium's XChaCha20-Poly1305 sealing 4 KiB
// messages on one core for aead_time_s (plaintext bytes per second).
// Everything in files under `dir` (must not exist yet), removed afterwards.
[[nodiscard]] faultfs::Result<Measurements> run_limits(const std::string& dir,
                                                       const LimitSizes& sizes);

}  // namespace bench
