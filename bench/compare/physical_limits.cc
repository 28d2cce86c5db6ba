#include "physical_limits.h"

#include <fcntl.h>
#include <sodium.h>
#include <unistd.h>

#include <algorithm>
#include <cassert>
#include <cerrno>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "faultfs/crc32c.h"
#include "stopwatch.h"

namespace bench {
namespace {

constexpr size_t kPageBytes = 4096;
constexpr size_t kChunkBytes = size_t{1} << 20;
// The overwrite file: large enough that the disk cannot merge the writes into
// one block, small enough to write in a blink.
constexpr uint64_t kOverwriteFileBytes = uint64_t{8} << 20;

// An fd closed on every path; close errors after the measured syncs matter not.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

faultfs::Status pwrite_all(int fd, const char* data, size_t size, uint64_t offset,
                           const std::string& path) {
  while (size > 0) {
    const ssize_t n = ::pwrite(fd, data, size, static_cast<off_t>(offset));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return faultfs::status_from_errno(n < 0 ? errno : EIO, "pwrite", path);
    data += n;
    size -= static_cast<size_t>(n);
    offset += static_cast<uint64_t>(n);
  }
  return faultfs::Status::ok();
}

faultfs::Status datasync(int fd, const std::string& path) {
  if (::fdatasync(fd) != 0) return faultfs::status_from_errno(errno, "fdatasync", path);
  return faultfs::Status::ok();
}

faultfs::Result<int> create(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return faultfs::status_from_errno(errno, "open", path);
  return fd;
}

// `overwrite`: offsets cycle inside a preallocated, synced file; else append.
faultfs::Result<double> syncs_per_s(const std::string& path, const LimitSizes& sizes,
                                    bool overwrite) {
  auto opened = create(path);
  if (!opened.is_ok()) return opened.status();
  const Fd fd(*opened);
  const std::string page(kPageBytes, 'x');
  if (overwrite) {
    const std::string chunk(kChunkBytes, '\0');
    for (uint64_t off = 0; off < kOverwriteFileBytes; off += kChunkBytes) {
      if (auto st = pwrite_all(fd.get(), chunk.data(), chunk.size(), off, path); !st.is_ok()) {
        return st;
      }
    }
    if (::fsync(fd.get()) != 0) return faultfs::status_from_errno(errno, "fsync", path);
  }
  const Stopwatch watch;
  uint64_t done = 0;
  while (done < sizes.fdatasync_ops && watch.elapsed_s() < sizes.fdatasync_time_max_s) {
    const uint64_t offset =
        overwrite ? (done * kPageBytes) % kOverwriteFileBytes : done * kPageBytes;
    if (auto st = pwrite_all(fd.get(), page.data(), page.size(), offset, path); !st.is_ok()) {
      return st;
    }
    if (auto st = datasync(fd.get(), path); !st.is_ok()) return st;
    ++done;
  }
  assert(done >= 1);
  return static_cast<double>(done) / watch.elapsed_s();
}

faultfs::Result<double> seq_write_mb_s(const std::string& path, const LimitSizes& sizes) {
  auto opened = create(path);
  if (!opened.is_ok()) return opened.status();
  const Fd fd(*opened);
  const std::string chunk(kChunkBytes, 'y');
  const Stopwatch watch;
  uint64_t written = 0;
  while (written < sizes.seq_write_bytes) {
    if (auto st = pwrite_all(fd.get(), chunk.data(), chunk.size(), written, path); !st.is_ok()) {
      return st;
    }
    written += chunk.size();
  }
  if (auto st = datasync(fd.get(), path); !st.is_ok()) return st;
  return static_cast<double>(written) / 1e6 / watch.elapsed_s();
}

double crc32c_gb_s(const LimitSizes& sizes) {
  std::string buffer(size_t{4} << 20, '\0');
  for (size_t i = 0; i < buffer.size(); ++i) buffer[i] = static_cast<char>(i * 131 + 7);
  uint32_t crc = 0;
  uint64_t done = 0;
  const Stopwatch watch;
  while (done < sizes.crc_bytes) {
    crc = faultfs::crc32c::extend(crc, buffer.data(), buffer.size());
    done += buffer.size();
  }
  const double elapsed_s = watch.elapsed_s();
  // Uses the result so the loop cannot be optimized away.
  if (crc == 0x12345678u) buffer[0] = 1;
  return static_cast<double>(done) / 1e9 / elapsed_s;
}

// Seals of `message` with `ad` per second under XChaCha20-Poly1305 (DBX's
// default AEAD), on one core, as libsodium runs it, for `time_s` seconds.
// A fresh nonce per seal, as the engine's prefix || counter gives one: a
// counter here keeps the AEAD the thing timed.
faultfs::Result<double> xchacha20poly1305_seals_per_s(std::span<const unsigned char> message,
                                                      std::span<const unsigned char> ad,
                                                      double time_s) {
  if (sodium_init() < 0) {
    return faultfs::Status(faultfs::ErrorCode::kIoError, "sodium_init failed");
  }
  std::vector<unsigned char> sealed(message.size() + crypto_aead_xchacha20poly1305_ietf_ABYTES);
  unsigned char key[crypto_aead_xchacha20poly1305_ietf_KEYBYTES];
  unsigned char nonce[crypto_aead_xchacha20poly1305_ietf_NPUBBYTES];
  crypto_aead_xchacha20poly1305_ietf_keygen(key);
  randombytes_buf(nonce, sizeof nonce);
  uint64_t seals = 0;
  const Stopwatch watch;
  double elapsed_s = 0;
  // Checks the clock every 64 seals, so reading it costs nothing.
  while (elapsed_s < time_s) {
    for (int i = 0; i < 64; ++i) {
      unsigned long long sealed_len = 0;
      sodium_increment(nonce, sizeof nonce);
      if (crypto_aead_xchacha20poly1305_ietf_encrypt(sealed.data(), &sealed_len, message.data(),
                                                     message.size(), ad.data(), ad.size(), nullptr,
                                                     nonce, key) != 0) {
        return faultfs::Status(faultfs::ErrorCode::kIoError, "xchacha20poly1305 seal failed");
      }
      assert(sealed_len == sealed.size());
      ++seals;
    }
    elapsed_s = watch.elapsed_s();
  }
  // No sink is needed for `sealed`: each seal is a call into libsodium the
  // compiler cannot see through, and its result is checked.
  sodium_memzero(key, sizeof key);
  return static_cast<double>(seals) / elapsed_s;
}

std::vector<unsigned char> patterned_bytes(size_t size, unsigned multiplier) {
  std::vector<unsigned char> bytes(size);
  for (size_t i = 0; i < size; ++i) bytes[i] = static_cast<unsigned char>(i * multiplier + 7);
  return bytes;
}

// Bulk sealing of 4 KiB messages, no AD: the most an encrypted WAL or WOS can
// seal per second.
faultfs::Result<double> xchacha20poly1305_gb_s(const LimitSizes& sizes) {
  const std::vector<unsigned char> message = patterned_bytes(kPageBytes, 131);
  auto seals = xchacha20poly1305_seals_per_s(message, {}, sizes.aead_time_s);
  if (!seals.is_ok()) return seals.status();
  return *seals * static_cast<double>(message.size()) / 1e9;
}

// Seals per second of one WAL record's worth (kRecordPlainBytes of plain
// payload, kRecordAdBytes of associated data). The per-record floor of an
// encrypted log: a Lazy writer seals each record on its own thread before the
// write returns (each write reaches the OS before it returns), so no batching
// can amortize this cost.
constexpr size_t kRecordPlainBytes = 116;
constexpr size_t kRecordAdBytes = 46;

faultfs::Result<double> xchacha20poly1305_record_seals_per_s(const LimitSizes& sizes) {
  return xchacha20poly1305_seals_per_s(patterned_bytes(kRecordPlainBytes, 7),
                                       patterned_bytes(kRecordAdBytes, 1), sizes.aead_time_s);
}

}  // namespace

LimitSizes LimitSizes::scaled(double factor) {
  assert(factor > 0 && factor <= 1);
  LimitSizes sizes;
  sizes.fdatasync_ops = std::max<uint64_t>(
      10, static_cast<uint64_t>(static_cast<double>(sizes.fdatasync_ops) * factor));
  sizes.seq_write_bytes = std::max<uint64_t>(
      kChunkBytes, static_cast<uint64_t>(static_cast<double>(sizes.seq_write_bytes) * factor) /
                       kChunkBytes * kChunkBytes);
  sizes.crc_bytes = std::max<uint64_t>(
      uint64_t{4} << 20, static_cast<uint64_t>(static_cast<double>(sizes.crc_bytes) * factor));
  sizes.aead_time_s = std::max(0.01, sizes.aead_time_s * factor);
  return sizes;
}

faultfs::Result<Measurements> run_limits(const std::string& dir, const LimitSizes& sizes) {
  std::error_code ec;
  if (std::filesystem::exists(dir, ec)) {
    return faultfs::Status(faultfs::ErrorCode::kAlreadyExists, dir + " exists");
  }
  std::filesystem::create_directories(dir, ec);
  if (ec)
    return faultfs::Status(faultfs::ErrorCode::kIoError, "mkdir " + dir + ": " + ec.message());
  Measurements out;
  auto append = syncs_per_s(dir + "/append", sizes, false);
  if (!append.is_ok()) return append.status();
  out.push_back({"limits", "fdatasync_per_s", *append});
  auto overwrite = syncs_per_s(dir + "/overwrite", sizes, true);
  if (!overwrite.is_ok()) return overwrite.status();
  out.push_back({"limits", "fdatasync_overwrite_per_s", *overwrite});
  auto seq = seq_write_mb_s(dir + "/sequential", sizes);
  if (!seq.is_ok()) return seq.status();
  out.push_back({"limits", "seq_write_mb_s", *seq});
  out.push_back({"limits", "crc32c_gb_s", crc32c_gb_s(sizes)});
  auto aead = xchacha20poly1305_gb_s(sizes);
  if (!aead.is_ok()) return aead.status();
  out.push_back({"limits", "xchacha20poly1305_gb_s", *aead});
  auto record_seals = xchacha20poly1305_record_seals_per_s(sizes);
  if (!record_seals.is_ok()) return record_seals.status();
  out.push_back({"limits", "xchacha20poly1305_record_seals_per_s", *record_seals});
  std::filesystem::remove_all(dir, ec);
  if (ec) return faultfs::Status(faultfs::ErrorCode::kIoError, "rm " + dir + ": " + ec.message());
  return out;
}

}  // namespace bench
