// Sealer: the AEAD every sealed byte on disk goes through.
//
// A sealed blob is   key id (u32) | nonce | ciphertext | tag (16 bytes)
// and authenticates the caller's associated data (which binds the blob to its
// file, offset and sequence) together with the key id. The nonce is stored
// with the blob, so a reader needs nothing but the data key.
//
// Nonces (engine/doc/encryption.md, "Nonces"): XChaCha20-Poly1305 uses a
// 128-bit random prefix drawn when the Sealer is created followed by a 64-bit
// counter that only this process advances. The 96-bit algorithms use a 64-bit random prefix drawn
// when the Sealer is created (once per open) followed by a 32-bit counter that
// only this process advances; the prefix is redrawn before the counter could
// wrap. No counter is ever trusted across a crash: a new open draws a new
// prefix, so a repeat needs two of the prefixes ever drawn for one data key to
// collide (probability below P^2 / 2^65 for P draws).
//
// Thread-safe: seal() and open() may run concurrently with each other and with
// add_key()/set_current()/drop_key().
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/sodium.h"
#include "dbx/encryption.h"

namespace dbx::crypto {

inline constexpr size_t kKeyIdBytes = 4;
inline constexpr size_t kTagBytes = 16;
inline constexpr size_t kMaxAdBytes = 160;
// The largest overhead of any algorithm: key id, a 24-byte nonce, the tag.
inline constexpr size_t kMaxSealOverhead = kKeyIdBytes + 24 + kTagBytes;

// Nonce bytes of `algorithm` (24 or 12); 0 for one this build cannot run.
size_t nonce_bytes(Algorithm algorithm);
// Whether this process can seal with `algorithm` (AES-GCM needs AES-NI).
bool algorithm_usable(Algorithm algorithm);
// Bytes a sealed blob adds to its plaintext.
inline size_t seal_overhead(Algorithm algorithm) {
  return kKeyIdBytes + nonce_bytes(algorithm) + kTagBytes;
}

class Sealer {
 public:
  // Precondition: algorithm_usable(algorithm). `restart_counter` is the lab
  // double's broken scheme (Options::lab_nonce_counter_restarts): nonce =
  // a counter from 0 for this Sealer, whatever the algorithm.
  explicit Sealer(Algorithm algorithm, bool restart_counter = false);
  Sealer(const Sealer&) = delete;
  Sealer& operator=(const Sealer&) = delete;

  Algorithm algorithm() const { return algorithm_; }
  size_t overhead() const { return overhead_; }

  // Data keys by id; seal() uses the current one.
  void add_key(uint32_t id, SecretKey key);
  void set_current(uint32_t id);  // Precondition: added.
  void drop_key(uint32_t id);     // Precondition: not the current one.
  uint32_t current_key_id() const;
  std::vector<uint32_t> key_ids() const;
  // A copy of the key `id` (precondition: added), for re-wrapping it.
  SecretKey copy_key(uint32_t id) const;

  // Seals `plain` into out[0, plain.size() + overhead()).
  void seal(std::string_view ad, std::string_view plain, char* out) const;
  // Opens `sealed` into out[0, sealed.size() - overhead()). False when the
  // blob is shorter than the overhead, names an unknown key, or fails
  // authentication: the caller reports corruption.
  [[nodiscard]] bool open(std::string_view ad, std::string_view sealed, char* out) const;

 private:
  struct Slot {
    uint32_t id;
    SecretKey key;  // Moves with the slot: no sodium_malloc on a regrow.
  };
  void next_nonce(uint8_t* nonce) const;
  const SecretKey* find_locked(uint32_t id) const;

  const Algorithm algorithm_;
  const size_t nonce_bytes_;
  const size_t overhead_;
  mutable std::shared_mutex keys_mutex_;
  std::vector<Slot> keys_;
  uint32_t current_ = 0;
  // XChaCha20-Poly1305: prefix || counter, lock-free.
  std::array<uint8_t, 16> xchacha_prefix_{};
  mutable std::atomic<uint64_t> xchacha_counter_{0};
  // 96-bit nonces: prefix || counter, guarded by nonce_mutex_.
  mutable std::mutex nonce_mutex_;
  mutable uint64_t nonce_prefix_ = 0;
  mutable uint32_t nonce_counter_ = 0;
  const bool restart_counter_;
  mutable uint64_t restart_count_ = 0;  // restart_counter_ only; nonce_mutex_.
};

}  // namespace dbx::crypto
