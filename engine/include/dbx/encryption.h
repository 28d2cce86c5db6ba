// Encryption at rest (engine/doc/encryption.md): what a program hands the
// engine to open or create an encrypted database, and a read-only inspector
// of the nonces on disk.
//
// Envelope encryption: a random data key seals every WAL record, WOS entry
// and conf with an AEAD; the data key is stored in `<db>/keys`, wrapped by
// the user's key (a raw 32-byte key, or one derived from a password with
// Argon2id). A wrong key or password is ErrorCode::kInvalidKey.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace faultfs {
class FileSystem;
}

namespace dbx {

// The AEAD that seals the data. The choice is stored in the key file when the
// database is created; a later open uses the stored one.
enum class Algorithm : uint8_t {
  kXChaCha20Poly1305 = 1,  // Default: 192-bit random nonces.
  kAes256Gcm = 2,          // Only on CPUs with AES-NI (libsodium's rule).
  kChaCha20Poly1305Ietf = 3,
  // Named so that a program can ask for it and be told why not: neither
  // libsodium 1.0.18 nor OpenSSL 3.0 ships it. Always invalid_argument.
  kAes256GcmSiv = 4,
};
const char* algorithm_name(Algorithm algorithm);

// Argon2id cost. moderate() is libsodium's OPSLIMIT/MEMLIMIT_MODERATE (about
// 0.7 s, 256 MiB); min() is the least libsodium accepts, for tests only.
struct KdfParams {
  uint64_t opslimit = 0;
  uint64_t memlimit = 0;
  static KdfParams interactive();
  static KdfParams moderate();
  static KdfParams min();
};

// The user's key material. Copies share one locked, zeroed-on-free buffer.
// Throws dbx::Error(kInvalidArgument) for an unusable algorithm (see above).
class EncryptionConfig {
 public:
  static constexpr size_t kKeyBytes = 32;
  using Key = std::array<uint8_t, kKeyBytes>;

  static EncryptionConfig from_password(std::string_view password,
                                        KdfParams params = KdfParams::moderate(),
                                        Algorithm algorithm = Algorithm::kXChaCha20Poly1305);
  explicit EncryptionConfig(const Key& key, Algorithm algorithm = Algorithm::kXChaCha20Poly1305);
  ~EncryptionConfig();
  EncryptionConfig(const EncryptionConfig&) = default;
  EncryptionConfig& operator=(const EncryptionConfig&) = default;

  Algorithm algorithm() const { return algorithm_; }
  bool is_password() const { return is_password_; }
  const KdfParams& kdf() const { return kdf_; }
  // The password or the raw key bytes; for the engine.
  std::string_view secret() const;

 private:
  struct Secret;
  EncryptionConfig(std::string_view secret, bool is_password, KdfParams params,
                   Algorithm algorithm);

  std::shared_ptr<const Secret> secret_;
  bool is_password_ = false;
  KdfParams kdf_;
  Algorithm algorithm_ = Algorithm::kXChaCha20Poly1305;
};

// One sealed item found on disk, for a nonce-reuse check: which data key
// sealed it, its nonce, and a hash of its ciphertext (two items with one key
// and one nonce but different hashes are a reuse).
struct NonceRecord {
  std::string file;  // Path of the file, as given to the FileSystem.
  uint64_t offset = 0;
  uint32_t key_id = 0;
  std::string nonce;            // Raw bytes (24 or 12).
  std::string ciphertext_hash;  // BLAKE2b-128 of ciphertext + tag, raw bytes.
};

// Every sealed item of the database in `dir` (WAL frames of any epoch still
// in the file, WOS entries, conf), without a key: only the plaintext framing
// is read. Errors as dbx::Error: invalid_argument for a plain database,
// corruption for an unreadable key file.
std::vector<NonceRecord> inspect_nonces(faultfs::FileSystem& fs, const std::string& dir);

}  // namespace dbx
