// The key file `<db>/keys`: the data keys, each wrapped (AEAD) by the user's
// key. Layout and rules: engine/doc/encryption.md, "The key file".
//
//  0  magic "DBXKEYS1"          8
//  8  format version (1)        u32
// 12  algorithm                 u8   the data's AEAD (dbx::Algorithm)
// 13  kdf                       u8   0: raw key, 1: Argon2id (crypto_pwhash)
// 14  reserved (0)              u16
// 16  opslimit                  u64  Argon2id only, else 0
// 24  memlimit                  u64  Argon2id only, else 0
// 32  salt                      16   Argon2id only, else zeros
// 48  current data key id       u32
// 52  key count                 u32  1..kMaxDataKeys
// 56  per key: id u32, nonce 24, wrapped key 48 (XChaCha20-Poly1305 of the
//     32-byte key, AD = bytes [0, 56) and the id)
// end masked crc32c of every byte before it
//
// Damage the crc catches is kCorruption; a crc-valid file whose wrap fails
// is a wrong key (kInvalidKey), also when the bytes were altered on purpose
// and the crc recomputed: the wrap cannot tell the two apart.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/sodium.h"
#include "dbx/encryption.h"
#include "faultfs/file_system.h"
#include "faultfs/status.h"

namespace dbx::crypto {

inline constexpr std::string_view kKeyFileName = "keys";
inline constexpr std::string_view kKeyTempFileName = "keys.tmp";
inline constexpr std::string_view kKeyFileMagic = "DBXKEYS1";
inline constexpr uint32_t kKeyFileVersion = 1;
inline constexpr size_t kKeyFileHeaderBytes = 56;
inline constexpr size_t kWrapNonceBytes = 24;
inline constexpr size_t kWrappedKeyBytes = 48;
inline constexpr size_t kKeyEntryBytes = 4 + kWrapNonceBytes + kWrappedKeyBytes;
inline constexpr uint32_t kMaxDataKeys = 2;
inline constexpr size_t kSaltBytes = 16;
static_assert(kKeyEntryBytes == 76);

struct DataKey {
  uint32_t id = 0;
  SecretKey key;
};

struct KeySet {
  Algorithm algorithm = Algorithm::kXChaCha20Poly1305;
  uint32_t current = 0;
  std::vector<DataKey> keys;  // 1..kMaxDataKeys, current among them.
};

// The key file's bytes for `keys`, wrapped by the key `config` names (a
// password gets a fresh random salt and config's Argon2id cost).
[[nodiscard]] faultfs::Result<std::string> seal_key_file(const EncryptionConfig& config,
                                                         const KeySet& keys);

// What opening the key file found: the keys, or that the user's key is wrong.
struct OpenedKeys {
  bool wrong_key = false;
  KeySet keys;
};
// kCorruption for a damaged file (crc, magic, version, structure).
[[nodiscard]] faultfs::Result<OpenedKeys> open_key_file(std::string_view bytes,
                                                        const std::string& path,
                                                        const EncryptionConfig& config);
// The algorithm, without a key (for inspect_nonces).
[[nodiscard]] faultfs::Result<Algorithm> key_file_algorithm(std::string_view bytes,
                                                            const std::string& path);

// Reads the whole key file at `path`.
[[nodiscard]] faultfs::Result<std::string> read_key_file(faultfs::FileSystem& fs,
                                                         const std::string& path);
// Replaces `<dir>/keys` crash-atomically: keys.tmp written and synced, renamed
// over keys, the directory synced. A crash leaves the old file or the new one.
[[nodiscard]] faultfs::Status write_key_file(faultfs::FileSystem& fs, const std::string& dir,
                                             std::string_view bytes);

}  // namespace dbx::crypto
