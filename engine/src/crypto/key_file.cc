#include "crypto/key_file.h"

#include <sodium.h>

#include <array>
#include <cassert>
#include <cstring>
#include <optional>

#include "crypto/sealer.h"
#include "faultfs/crc32c.h"
#include "faultfs/status_macros.h"
#include "util/coding.h"

namespace dbx::crypto {
namespace {

using faultfs::ErrorCode;
using faultfs::Result;
using faultfs::Status;

constexpr uint8_t kKdfRaw = 0;
constexpr uint8_t kKdfArgon2id = 1;
// A crc-valid file asking for more than this is refused (kCorruption) rather
// than run: a crafted file must not make an open allocate gigabytes.
constexpr uint64_t kOpsLimitMax = 1u << 16;
constexpr uint64_t kMemLimitMax = uint64_t{4} << 30;

Status corruption(const std::string& path, size_t offset, const std::string& what) {
  return Status(ErrorCode::kCorruption, path + " offset " + std::to_string(offset) + ": " + what);
}

uint32_t masked_crc(std::string_view bytes) {
  return faultfs::crc32c::mask(faultfs::crc32c::value(bytes.data(), bytes.size()));
}

// The key-encryption key: the raw key, or Argon2id(password, salt). A raw key
// is used where the config holds it (already sodium_malloc'ed): copying it
// into a SecretKey would cost one more guarded allocation per open.
class Kek {
 public:
  [[nodiscard]] static Result<Kek> derive(const EncryptionConfig& config, const KdfParams& kdf,
                                          const uint8_t* salt) {
    const std::string_view secret = config.secret();
    Kek kek;
    if (!config.is_password()) {
      assert(secret.size() == SecretKey::kBytes);
      kek.raw_ = reinterpret_cast<const uint8_t*>(secret.data());
      return kek;
    }
    kek.derived_.emplace();
    if (crypto_pwhash(kek.derived_->mutable_data(), SecretKey::kBytes, secret.data(), secret.size(),
                      salt, kdf.opslimit, static_cast<size_t>(kdf.memlimit),
                      crypto_pwhash_ALG_ARGON2ID13) != 0) {
      return Status(ErrorCode::kIoError, "Argon2id key derivation failed (out of memory?)");
    }
    return kek;
  }
  // Valid while the config it was derived from lives.
  const uint8_t* data() const { return derived_ ? derived_->data() : raw_; }

 private:
  std::optional<SecretKey> derived_;
  const uint8_t* raw_ = nullptr;
};

void wrap_ad(std::string_view header, uint32_t id, std::array<unsigned char, 64>* ad) {
  static_assert(kKeyFileHeaderBytes + 4 <= 64);
  std::memcpy(ad->data(), header.data(), kKeyFileHeaderBytes);
  coding::encode_fixed32(reinterpret_cast<char*>(ad->data()) + kKeyFileHeaderBytes, id);
}

}  // namespace

Result<std::string> seal_key_file(const EncryptionConfig& config, const KeySet& keys) {
  ensure_sodium();
  assert(!keys.keys.empty() && keys.keys.size() <= kMaxDataKeys);
  std::array<uint8_t, kSaltBytes> salt{};
  KdfParams kdf;
  if (config.is_password()) {
    randombytes_buf(salt.data(), salt.size());
    kdf = config.kdf();
  }
  std::string out(kKeyFileHeaderBytes, '\0');
  std::memcpy(out.data(), kKeyFileMagic.data(), kKeyFileMagic.size());
  coding::encode_fixed32(out.data() + 8, kKeyFileVersion);
  out[12] = static_cast<char>(keys.algorithm);
  out[13] = static_cast<char>(config.is_password() ? kKdfArgon2id : kKdfRaw);
  coding::encode_fixed64(out.data() + 16, kdf.opslimit);
  coding::encode_fixed64(out.data() + 24, kdf.memlimit);
  std::memcpy(out.data() + 32, salt.data(), salt.size());
  coding::encode_fixed32(out.data() + 48, keys.current);
  coding::encode_fixed32(out.data() + 52, static_cast<uint32_t>(keys.keys.size()));
  ASSIGN_OR_RETURN(auto kek, Kek::derive(config, kdf, salt.data()));
  for (const DataKey& key : keys.keys) {
    std::array<char, kKeyEntryBytes> entry{};
    coding::encode_fixed32(entry.data(), key.id);
    auto* nonce = reinterpret_cast<unsigned char*>(entry.data() + 4);
    randombytes_buf(nonce, kWrapNonceBytes);
    std::array<unsigned char, 64> ad;
    wrap_ad(out, key.id, &ad);
    crypto_aead_xchacha20poly1305_ietf_encrypt(nonce + kWrapNonceBytes, nullptr, key.key.data(),
                                               SecretKey::kBytes, ad.data(),
                                               kKeyFileHeaderBytes + 4, nullptr, nonce, kek.data());
    out.append(entry.data(), entry.size());
  }
  coding::put_fixed32(&out, masked_crc(out));
  return out;
}

Result<Algorithm> key_file_algorithm(std::string_view bytes, const std::string& path) {
  if (bytes.size() < kKeyFileHeaderBytes + kKeyEntryBytes + 4) {
    return corruption(path, 0, "key file too short");
  }
  const size_t body = bytes.size() - 4;
  if (coding::decode_fixed32(bytes.data() + body) != masked_crc(bytes.substr(0, body))) {
    return corruption(path, body, "key file crc mismatch");
  }
  if (bytes.substr(0, kKeyFileMagic.size()) != kKeyFileMagic) {
    return corruption(path, 0, "key file has a bad magic");
  }
  if (coding::decode_fixed32(bytes.data() + 8) != kKeyFileVersion) {
    return corruption(path, 8, "key file has an unsupported version");
  }
  const auto algorithm = static_cast<Algorithm>(static_cast<uint8_t>(bytes[12]));
  if (nonce_bytes(algorithm) == 0) return corruption(path, 12, "key file names no algorithm");
  const uint32_t count = coding::decode_fixed32(bytes.data() + 52);
  if (count == 0 || count > kMaxDataKeys ||
      bytes.size() != kKeyFileHeaderBytes + count * kKeyEntryBytes + 4) {
    return corruption(path, 52, "key file key count does not match its size");
  }
  return algorithm;
}

Result<OpenedKeys> open_key_file(std::string_view bytes, const std::string& path,
                                 const EncryptionConfig& config) {
  ensure_sodium();
  ASSIGN_OR_RETURN(auto algorithm, key_file_algorithm(bytes, path));
  const uint8_t kdf_kind = static_cast<uint8_t>(bytes[13]);
  KdfParams kdf{coding::decode_fixed64(bytes.data() + 16),
                coding::decode_fixed64(bytes.data() + 24)};
  if (kdf_kind == kKdfArgon2id) {
    if (kdf.opslimit < crypto_pwhash_OPSLIMIT_MIN || kdf.opslimit > kOpsLimitMax ||
        kdf.memlimit < crypto_pwhash_MEMLIMIT_MIN || kdf.memlimit > kMemLimitMax) {
      return corruption(path, 16, "key file Argon2id cost out of bounds");
    }
  } else if (kdf_kind != kKdfRaw || kdf.opslimit != 0 || kdf.memlimit != 0) {
    return corruption(path, 13, "key file names an unknown key derivation");
  }
  if (bytes[14] != 0 || bytes[15] != 0) return corruption(path, 14, "key file reserved bytes");
  OpenedKeys opened;
  // A password where a raw key was used, or the reverse, is a wrong key.
  if ((kdf_kind == kKdfArgon2id) != config.is_password()) {
    opened.wrong_key = true;
    return opened;
  }
  ASSIGN_OR_RETURN(auto kek,
                   Kek::derive(config, kdf, reinterpret_cast<const uint8_t*>(bytes.data() + 32)));
  opened.keys.algorithm = algorithm;
  opened.keys.current = coding::decode_fixed32(bytes.data() + 48);
  const uint32_t count = coding::decode_fixed32(bytes.data() + 52);
  bool current_found = false;
  for (uint32_t i = 0; i < count; ++i) {
    const char* entry = bytes.data() + kKeyFileHeaderBytes + i * kKeyEntryBytes;
    DataKey key;
    key.id = coding::decode_fixed32(entry);
    const auto* nonce = reinterpret_cast<const unsigned char*>(entry + 4);
    std::array<unsigned char, 64> ad;
    wrap_ad(bytes, key.id, &ad);
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(
            key.key.mutable_data(), nullptr, nullptr, nonce + kWrapNonceBytes, kWrappedKeyBytes,
            ad.data(), kKeyFileHeaderBytes + 4, nonce, kek.data()) != 0) {
      opened.wrong_key = true;
      opened.keys.keys.clear();
      return opened;
    }
    current_found = current_found || key.id == opened.keys.current;
    opened.keys.keys.push_back(std::move(key));
  }
  if (!current_found) return corruption(path, 48, "key file's current key is not in it");
  return opened;
}

Result<std::string> read_key_file(faultfs::FileSystem& fs, const std::string& path) {
  ASSIGN_OR_RETURN(auto file, fs.open(path, faultfs::OpenMode::kRead));
  ASSIGN_OR_RETURN(auto size, file->size());
  constexpr uint64_t kMaxBytes = kKeyFileHeaderBytes + kMaxDataKeys * kKeyEntryBytes + 4;
  if (size > kMaxBytes) return corruption(path, 0, "key file too long");
  std::string bytes(size, '\0');
  ASSIGN_OR_RETURN(auto n, file->read_at(0, std::span<char>(bytes.data(), bytes.size())));
  if (n != size) return corruption(path, n, "short read of the key file");
  RETURN_IF_ERROR(file->close());
  return bytes;
}

Status write_key_file(faultfs::FileSystem& fs, const std::string& dir, std::string_view bytes) {
  const std::string temp = faultfs::join_path(dir, kKeyTempFileName);
  ASSIGN_OR_RETURN(auto file, fs.open(temp, faultfs::OpenMode::kCreateTruncate));
  Status status = file->append(bytes);
  if (status.is_ok()) status = file->sync();
  if (!status.is_ok()) {
    file->close().ignore_error();  // The write already failed.
    return status;
  }
  RETURN_IF_ERROR(file->close());
  RETURN_IF_ERROR(fs.rename(temp, faultfs::join_path(dir, kKeyFileName)));
  return fs.sync_dir(dir);
}

}  // namespace dbx::crypto
