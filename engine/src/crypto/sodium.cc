#include "crypto/sodium.h"

#include <sodium.h>

#include <cstdlib>
#include <cstring>
#include <mutex>
#include <utility>

namespace dbx::crypto {

void ensure_sodium() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (sodium_init() < 0) std::abort();
  });
}

SecretKey::SecretKey() {
  ensure_sodium();
  bytes_ = static_cast<uint8_t*>(sodium_malloc(kBytes));
  if (bytes_ == nullptr) std::abort();  // Out of memory for 32 bytes.
  sodium_memzero(bytes_, kBytes);
}

SecretKey::SecretKey(const uint8_t* bytes) : SecretKey() { std::memcpy(bytes_, bytes, kBytes); }

SecretKey::SecretKey(const SecretKey& other) : SecretKey(other.bytes_) {}

SecretKey& SecretKey::operator=(const SecretKey& other) {
  if (this == &other) return *this;
  if (bytes_ == nullptr) return *this = SecretKey(other);  // Moved from: no memory.
  std::memcpy(bytes_, other.bytes_, kBytes);
  return *this;
}

SecretKey::SecretKey(SecretKey&& other) noexcept : bytes_(std::exchange(other.bytes_, nullptr)) {}

SecretKey& SecretKey::operator=(SecretKey&& other) noexcept {
  std::swap(bytes_, other.bytes_);  // `other` frees (and zeroes) the old key.
  return *this;
}

// Zeroes before it frees; sodium_free(nullptr) does nothing (moved from).
SecretKey::~SecretKey() { sodium_free(bytes_); }

SecretKey SecretKey::random() {
  SecretKey key;
  randombytes_buf(key.bytes_, kBytes);
  return key;
}

}  // namespace dbx::crypto
