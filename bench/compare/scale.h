// bench/run --scale-keys N: how DBX, RocksDB and LevelDB hold up at tens of
// millions of keys. Two processes per engine, so each peak RSS belongs to one
// phase and one engine only:
//   fill: N puts (Lazy, 16-byte keys, 100-byte values) in a random order,
//         then flush + close;
//   read: open + the first get, readrandom, a first seek timed alone, then
//         seekrandom_next100, close, then the directory's disk usage.
// Each phase ends by recording its process's peak RSS (getrusage maxrss).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "faultfs/status.h"
#include "report.h"
#include "workloads.h"

namespace bench {

inline constexpr std::string_view kScaleEngineNames[] = {"dbx", "rocksdb", "leveldb"};

struct ScaleSizes {
  uint64_t keys = 0;
  uint64_t reads = 1'000'000;
  uint64_t seeks = 100'000;
  double read_time_max_s = 10;
  double seek_time_max_s = 10;
};

// "20M" -> 20,000,000; "500K" -> 500,000; "1234" -> 1234. K and M are powers
// of ten (k, m accepted). kInvalidArgument for anything else, zero, or more
// keys than a 32-bit index holds.
[[nodiscard]] faultfs::Result<uint64_t> parse_key_count(std::string_view text);

// Phase "fill" needs a fresh `dir`; phase "read" the directory "fill" left.
// Figures: scale_fill (ops/s), scale_flush_s, scale_fill_peak_rss_bytes;
// scale_baseline_rss_bytes (before the open), scale_open_s, scale_readrandom,
// scale_first_seek_s (one seek + 100 rows, before the timed loop),
// scale_seekrandom_next100 (seeks/s), scale_read_peak_rss_bytes,
// scale_disk_bytes.
[[nodiscard]] faultfs::Result<Measurements> run_scale_phase(std::string_view phase,
                                                            std::string_view engine,
                                                            const std::string& dir,
                                                            const ScaleSizes& sizes);

// This process's peak resident set so far, in bytes.
uint64_t peak_rss_bytes();
// Bytes of disk the files under `dir` occupy (allocated blocks, as du counts).
[[nodiscard]] faultfs::Result<uint64_t> disk_bytes(const std::string& dir);

// The scale table and its two goals (scale_report.cc).
std::string scale_markdown(const Summary& summary, uint64_t keys, const std::string& machine,
                           const std::string& date, const std::string& command);

}  // namespace bench
