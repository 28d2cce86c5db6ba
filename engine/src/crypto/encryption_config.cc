// dbx::EncryptionConfig and its helpers (dbx/encryption.h).
#include <sodium.h>

#include <cstdlib>
#include <cstring>

#include "crypto/sealer.h"
#include "crypto/sodium.h"
#include "dbx/encryption.h"
#include "dbx/error.h"

namespace dbx {

const char* algorithm_name(Algorithm algorithm) {
  switch (algorithm) {
    case Algorithm::kXChaCha20Poly1305:
      return "xchacha20-poly1305";
    case Algorithm::kAes256Gcm:
      return "aes-256-gcm";
    case Algorithm::kChaCha20Poly1305Ietf:
      return "chacha20-poly1305-ietf";
    case Algorithm::kAes256GcmSiv:
      return "aes-256-gcm-siv";
  }
  return "unknown";
}

KdfParams KdfParams::interactive() {
  return {crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE};
}
KdfParams KdfParams::moderate() {
  return {crypto_pwhash_OPSLIMIT_MODERATE, crypto_pwhash_MEMLIMIT_MODERATE};
}
KdfParams KdfParams::min() { return {crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN}; }

// The password or key in sodium_malloc'ed memory (locked, guarded, zeroed
// when freed), shared by every copy of the config.
struct EncryptionConfig::Secret {
  explicit Secret(std::string_view bytes) : size(bytes.size()) {
    crypto::ensure_sodium();
    data = static_cast<char*>(sodium_malloc(size == 0 ? 1 : size));
    if (data == nullptr) std::abort();
    if (size != 0) std::memcpy(data, bytes.data(), size);
  }
  ~Secret() { sodium_free(data); }
  Secret(const Secret&) = delete;
  Secret& operator=(const Secret&) = delete;

  char* data;
  size_t size;
};

namespace {

void check_algorithm(Algorithm algorithm) {
  if (algorithm == Algorithm::kAes256GcmSiv) {
    throw Error(ErrorCode::kInvalidArgument,
                "AES-256-GCM-SIV is not in libsodium 1.0.18 / OpenSSL 3.0: choose "
                "XChaCha20-Poly1305, AES-256-GCM or ChaCha20-Poly1305");
  }
  if (crypto::nonce_bytes(algorithm) == 0) {
    throw Error(ErrorCode::kInvalidArgument, "unknown encryption algorithm");
  }
  if (!crypto::algorithm_usable(algorithm)) {
    throw Error(ErrorCode::kInvalidArgument,
                std::string(algorithm_name(algorithm)) + " is not available on this CPU");
  }
}

}  // namespace

EncryptionConfig::EncryptionConfig(std::string_view secret, bool is_password, KdfParams params,
                                   Algorithm algorithm)
    : secret_(std::make_shared<const Secret>(secret)),
      is_password_(is_password),
      kdf_(params),
      algorithm_(algorithm) {
  check_algorithm(algorithm);
  if (is_password && (params.opslimit < crypto_pwhash_OPSLIMIT_MIN ||
                      params.memlimit < crypto_pwhash_MEMLIMIT_MIN)) {
    throw Error(ErrorCode::kInvalidArgument, "Argon2id cost below libsodium's minimum");
  }
}

EncryptionConfig EncryptionConfig::from_password(std::string_view password, KdfParams params,
                                                 Algorithm algorithm) {
  if (password.empty()) throw Error(ErrorCode::kInvalidArgument, "empty password");
  return EncryptionConfig(password, true, params, algorithm);
}

EncryptionConfig::EncryptionConfig(const Key& key, Algorithm algorithm)
    : EncryptionConfig(std::string_view(reinterpret_cast<const char*>(key.data()), key.size()),
                       false, KdfParams{}, algorithm) {}

EncryptionConfig::~EncryptionConfig() = default;

std::string_view EncryptionConfig::secret() const {
  return std::string_view(secret_->data, secret_->size);
}

}  // namespace dbx
