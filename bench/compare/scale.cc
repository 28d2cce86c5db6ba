#include "scale.h"

#include <sys/resource.h>
#include <sys/stat.h>

#include <algorithm>
#include <cassert>
#include <charconv>
#include <filesystem>
#include <limits>
#include <memory>

#include "kv_engine.h"
#include "read_loops.h"
#include "stopwatch.h"
#include "workload_data.h"

namespace bench {
namespace {

constexpr uint64_t kFillSeed = 11;
constexpr uint64_t kReadSeed = 12;
constexpr uint64_t kSeekSeed = 13;

faultfs::Result<std::unique_ptr<KvEngine>> open_lazy(std::string_view name,
                                                     const std::string& dir) {
  return open_engine(name, dir, EngineOptions{Durability::kLazy, false});
}

faultfs::Result<Measurements> fill_phase(std::string_view engine_name, const std::string& dir,
                                         const ScaleSizes& sizes) {
  if (faultfs::Status st = precondition_fresh_dir(dir); !st.is_ok()) return st;
  const std::string name(engine_name);
  const ValueSource values;
  const IndexPermutation order(sizes.keys, kFillSeed);
  auto engine = open_lazy(engine_name, dir);
  if (!engine.is_ok()) return engine.status();
  Measurements out;
  const Stopwatch fill_watch;
  for (uint64_t i = 0; i < sizes.keys; ++i) {
    const uint64_t index = order.at(i);
    if (faultfs::Status st = (*engine)->put(Key(index).view(), values.value(index)); !st.is_ok()) {
      return st;
    }
  }
  out.push_back({name, "scale_fill", per_second(sizes.keys, fill_watch.elapsed_s())});
  const Stopwatch flush_watch;
  if (faultfs::Status st = (*engine)->flush(); !st.is_ok()) return st;
  if (faultfs::Status st = (*engine)->close(); !st.is_ok()) return st;
  out.push_back({name, "scale_flush_s", flush_watch.elapsed_s()});
  out.push_back({name, "scale_fill_peak_rss_bytes", static_cast<double>(peak_rss_bytes())});
  return out;
}

faultfs::Result<uint64_t> readrandom(KvEngine& engine, const ValueSource& values,
                                     const ScaleSizes& sizes) {
  const std::vector<uint32_t> picks = random_indexes(sizes.reads, sizes.keys, kReadSeed);
  const Deadline deadline(sizes.read_time_max_s);
  std::string scratch;
  uint64_t done = 0;
  for (const uint32_t pick : picks) {
    if (faultfs::Status st = check_get(engine, values, pick, &scratch); !st.is_ok()) return st;
    ++done;
    if (deadline.expired(done)) break;
  }
  return done;
}

faultfs::Result<Measurements> read_phase(std::string_view engine_name, const std::string& dir,
                                         const ScaleSizes& sizes) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    return faultfs::Status(faultfs::ErrorCode::kNotFound, dir + ": no filled database to read");
  }
  const std::string name(engine_name);
  const ValueSource values;
  // The process before any engine memory: libraries, the harness's buffers.
  Measurements out{{name, "scale_baseline_rss_bytes", static_cast<double>(peak_rss_bytes())}};
  std::string scratch;
  const Stopwatch open_watch;
  auto engine = open_lazy(engine_name, dir);
  if (!engine.is_ok()) return engine.status();
  // As open_s: SQLite-style lazy opens must not look free, so the first get counts.
  if (faultfs::Status st = check_get(**engine, values, 0, &scratch); !st.is_ok()) return st;
  out.push_back({name, "scale_open_s", open_watch.elapsed_s()});

  const Stopwatch read_watch;
  auto reads = readrandom(**engine, values, sizes);
  if (!reads.is_ok()) return reads.status();
  out.push_back({name, "scale_readrandom", per_second(*reads, read_watch.elapsed_s())});

  // The first range read alone: an engine may build something for it (DBX
  // materializes its key order), a one-time cost the loop's rate would hide.
  const Stopwatch first_seek_watch;
  auto first = (*engine)->seek_and_next(Key(0).view(), kSeekNextRows, nullptr);
  if (!first.is_ok()) return first.status();
  if (first->rows != std::min(kSeekNextRows, sizes.keys)) {
    return faultfs::Status(faultfs::ErrorCode::kCorruption, name + ": first seek rows");
  }
  out.push_back({name, "scale_first_seek_s", first_seek_watch.elapsed_s()});
  const Stopwatch seek_watch;
  auto seeks = seekrandom_next(**engine, sizes.keys, WrittenKeys::dense(sizes.keys), sizes.seeks,
                               kSeekSeed, Deadline(sizes.seek_time_max_s));
  if (!seeks.is_ok()) return seeks.status();
  out.push_back({name, "scale_seekrandom_next100", per_second(*seeks, seek_watch.elapsed_s())});
  if (faultfs::Status st = (*engine)->close(); !st.is_ok()) return st;
  out.push_back({name, "scale_read_peak_rss_bytes", static_cast<double>(peak_rss_bytes())});
  auto disk = disk_bytes(dir);
  if (!disk.is_ok()) return disk.status();
  out.push_back({name, "scale_disk_bytes", static_cast<double>(*disk)});
  return out;
}

}  // namespace

faultfs::Result<uint64_t> parse_key_count(std::string_view text) {
  uint64_t multiplier = 1;
  if (!text.empty() && (text.back() == 'K' || text.back() == 'k')) multiplier = 1'000;
  if (!text.empty() && (text.back() == 'M' || text.back() == 'm')) multiplier = 1'000'000;
  if (multiplier != 1) text.remove_suffix(1);
  uint64_t count = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), count);
  const bool parsed = ec == std::errc() && end == text.data() + text.size() && !text.empty();
  if (!parsed || count == 0 || count > std::numeric_limits<uint32_t>::max() / multiplier) {
    return faultfs::Status(faultfs::ErrorCode::kInvalidArgument,
                           "key count '" + std::string(text) +
                               "': want a positive number with an optional K or M suffix, at "
                               "most 4294M");
  }
  return count * multiplier;
}

faultfs::Result<Measurements> run_scale_phase(std::string_view phase, std::string_view engine,
                                              const std::string& dir, const ScaleSizes& sizes) {
  if (sizes.keys == 0 || sizes.keys > std::numeric_limits<uint32_t>::max()) {
    return faultfs::Status(faultfs::ErrorCode::kInvalidArgument, "scale: bad key count");
  }
  if (phase == "fill") return fill_phase(engine, dir, sizes);
  if (phase == "read") return read_phase(engine, dir, sizes);
  return faultfs::Status(faultfs::ErrorCode::kInvalidArgument,
                         "unknown scale phase '" + std::string(phase) + "'");
}

uint64_t peak_rss_bytes() {
  struct rusage usage {};
  const int rc = ::getrusage(RUSAGE_SELF, &usage);
  assert(rc == 0);  // RUSAGE_SELF with a valid pointer cannot fail.
  (void)rc;
  return static_cast<uint64_t>(usage.ru_maxrss) * 1024;  // Linux reports KiB.
}

faultfs::Result<uint64_t> disk_bytes(const std::string& dir) {
  std::error_code ec;
  uint64_t total = 0;
  for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    struct stat st {};
    if (::lstat(it->path().c_str(), &st) != 0) {
      return faultfs::Status(faultfs::ErrorCode::kIoError, "stat " + it->path().string());
    }
    total += static_cast<uint64_t>(st.st_blocks) * 512;  // st_blocks is in 512-byte units.
  }
  if (ec) return faultfs::Status(faultfs::ErrorCode::kIoError, "du " + dir + ": " + ec.message());
  return total;
}

}  // namespace bench
