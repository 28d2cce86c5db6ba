#include "crypto/sealer.h"

#include <sodium.h>

#include <algorithm>
#include <array>
#include <cassert>
#include <cstring>

#include "util/coding.h"

namespace dbx::crypto {
namespace {

using Seal = int (*)(unsigned char*, unsigned long long*, const unsigned char*, unsigned long long,
                     const unsigned char*, unsigned long long, const unsigned char*,
                     const unsigned char*, const unsigned char*);
using Open = int (*)(unsigned char*, unsigned long long*, unsigned char*, const unsigned char*,
                     unsigned long long, const unsigned char*, unsigned long long,
                     const unsigned char*, const unsigned char*);

struct Functions {
  Seal seal;
  Open open;
};

Functions functions_of(Algorithm algorithm) {
  switch (algorithm) {
    case Algorithm::kXChaCha20Poly1305:
      return {crypto_aead_xchacha20poly1305_ietf_encrypt,
              crypto_aead_xchacha20poly1305_ietf_decrypt};
    case Algorithm::kAes256Gcm:
      return {crypto_aead_aes256gcm_encrypt, crypto_aead_aes256gcm_decrypt};
    case Algorithm::kChaCha20Poly1305Ietf:
      return {crypto_aead_chacha20poly1305_ietf_encrypt, crypto_aead_chacha20poly1305_ietf_decrypt};
    case Algorithm::kAes256GcmSiv:
      break;
  }
  return {nullptr, nullptr};
}

// AD || key id, in one buffer for libsodium.
size_t full_ad(std::string_view ad, uint32_t key_id, std::array<unsigned char, kMaxAdBytes>* out) {
  assert(ad.size() + kKeyIdBytes <= out->size());
  std::memcpy(out->data(), ad.data(), ad.size());
  coding::encode_fixed32(reinterpret_cast<char*>(out->data()) + ad.size(), key_id);
  return ad.size() + kKeyIdBytes;
}

}  // namespace

size_t nonce_bytes(Algorithm algorithm) {
  switch (algorithm) {
    case Algorithm::kXChaCha20Poly1305:
      return crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
    case Algorithm::kAes256Gcm:
      return crypto_aead_aes256gcm_NPUBBYTES;
    case Algorithm::kChaCha20Poly1305Ietf:
      return crypto_aead_chacha20poly1305_ietf_NPUBBYTES;
    case Algorithm::kAes256GcmSiv:
      break;
  }
  return 0;
}

bool algorithm_usable(Algorithm algorithm) {
  ensure_sodium();
  switch (algorithm) {
    case Algorithm::kXChaCha20Poly1305:
    case Algorithm::kChaCha20Poly1305Ietf:
      return true;
    case Algorithm::kAes256Gcm:
      return crypto_aead_aes256gcm_is_available() == 1;
    case Algorithm::kAes256GcmSiv:
      return false;
  }
  return false;
}

static_assert(crypto_aead_xchacha20poly1305_ietf_ABYTES == kTagBytes);
static_assert(crypto_aead_aes256gcm_ABYTES == kTagBytes);
static_assert(crypto_aead_chacha20poly1305_ietf_ABYTES == kTagBytes);
static_assert(crypto_aead_xchacha20poly1305_ietf_KEYBYTES == SecretKey::kBytes);
static_assert(crypto_aead_aes256gcm_KEYBYTES == SecretKey::kBytes);

Sealer::Sealer(Algorithm algorithm, bool restart_counter)
    : algorithm_(algorithm),
      nonce_bytes_(nonce_bytes(algorithm)),
      overhead_(seal_overhead(algorithm)),
      restart_counter_(restart_counter) {
  assert(algorithm_usable(algorithm));
  randombytes_buf(&nonce_prefix_, sizeof(nonce_prefix_));
  randombytes_buf(xchacha_prefix_.data(), xchacha_prefix_.size());
  static_assert(sizeof(xchacha_prefix_) + sizeof(uint64_t) ==
                crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
}

void Sealer::add_key(uint32_t id, SecretKey key) {
  std::unique_lock lock(keys_mutex_);
  assert(find_locked(id) == nullptr);
  assert(key.data() != nullptr);
  keys_.push_back(Slot{id, std::move(key)});
}

void Sealer::set_current(uint32_t id) {
  std::unique_lock lock(keys_mutex_);
  assert(find_locked(id) != nullptr);
  current_ = id;
}

void Sealer::drop_key(uint32_t id) {
  std::unique_lock lock(keys_mutex_);
  assert(id != current_);
  std::erase_if(keys_, [id](const Slot& slot) { return slot.id == id; });
}

uint32_t Sealer::current_key_id() const {
  std::shared_lock lock(keys_mutex_);
  return current_;
}

std::vector<uint32_t> Sealer::key_ids() const {
  std::shared_lock lock(keys_mutex_);
  std::vector<uint32_t> ids;
  for (const Slot& slot : keys_) ids.push_back(slot.id);
  return ids;
}

SecretKey Sealer::copy_key(uint32_t id) const {
  std::shared_lock lock(keys_mutex_);
  const SecretKey* key = find_locked(id);
  assert(key != nullptr);
  return *key;
}

const SecretKey* Sealer::find_locked(uint32_t id) const {
  for (const Slot& slot : keys_) {
    if (slot.id == id) return &slot.key;
  }
  return nullptr;
}

void Sealer::next_nonce(uint8_t* nonce) const {
  if (restart_counter_) {
    // The lab double: the same nonces again after every open.
    std::lock_guard lock(nonce_mutex_);
    std::memset(nonce, 0, nonce_bytes_);
    coding::encode_fixed64(reinterpret_cast<char*>(nonce), restart_count_);
    restart_count_ += 1;
    return;
  }
  if (algorithm_ == Algorithm::kXChaCha20Poly1305) {
    // A 128-bit prefix drawn once per Sealer, then a 64-bit counter that no
    // Sealer can exhaust: no random draw (a getrandom call, about as costly
    // as sealing a small record) per seal.
    std::memcpy(nonce, xchacha_prefix_.data(), xchacha_prefix_.size());
    const uint64_t counter = xchacha_counter_.fetch_add(1, std::memory_order_relaxed);
    assert(counter != UINT64_MAX);
    coding::encode_fixed64(reinterpret_cast<char*>(nonce) + xchacha_prefix_.size(), counter);
    return;
  }
  assert(nonce_bytes_ == 12);
  std::lock_guard lock(nonce_mutex_);
  if (nonce_counter_ == UINT32_MAX) {
    // Never reuse a (prefix, counter) pair: a fresh prefix before the wrap.
    randombytes_buf(&nonce_prefix_, sizeof(nonce_prefix_));
    nonce_counter_ = 0;
  }
  coding::encode_fixed64(reinterpret_cast<char*>(nonce), nonce_prefix_);
  coding::encode_fixed32(reinterpret_cast<char*>(nonce) + 8, nonce_counter_);
  nonce_counter_ += 1;
}

void Sealer::seal(std::string_view ad, std::string_view plain, char* out) const {
  const Functions f = functions_of(algorithm_);
  std::shared_lock lock(keys_mutex_);
  const SecretKey* key = find_locked(current_);
  assert(key != nullptr);
  coding::encode_fixed32(out, current_);
  auto* nonce = reinterpret_cast<unsigned char*>(out + kKeyIdBytes);
  next_nonce(nonce);
  std::array<unsigned char, kMaxAdBytes> ad_bytes;
  const size_t ad_size = full_ad(ad, current_, &ad_bytes);
  unsigned long long written = 0;
  const int rc =
      f.seal(nonce + nonce_bytes_, &written, reinterpret_cast<const unsigned char*>(plain.data()),
             plain.size(), ad_bytes.data(), ad_size, nullptr, nonce, key->data());
  assert(rc == 0);
  assert(written == plain.size() + kTagBytes);
  (void)rc;
}

bool Sealer::open(std::string_view ad, std::string_view sealed, char* out) const {
  if (sealed.size() < overhead_) return false;
  const Functions f = functions_of(algorithm_);
  const uint32_t key_id = coding::decode_fixed32(sealed.data());
  std::shared_lock lock(keys_mutex_);
  const SecretKey* key = find_locked(key_id);
  if (key == nullptr) return false;
  const auto* nonce = reinterpret_cast<const unsigned char*>(sealed.data() + kKeyIdBytes);
  const size_t cipher_bytes = sealed.size() - kKeyIdBytes - nonce_bytes_;
  std::array<unsigned char, kMaxAdBytes> ad_bytes;
  const size_t ad_size = full_ad(ad, key_id, &ad_bytes);
  unsigned long long plain_bytes = 0;
  const int rc =
      f.open(reinterpret_cast<unsigned char*>(out), &plain_bytes, nullptr, nonce + nonce_bytes_,
             cipher_bytes, ad_bytes.data(), ad_size, nonce, key->data());
  if (rc != 0) return false;
  assert(plain_bytes == sealed.size() - overhead_);
  return true;
}

}  // namespace dbx::crypto
