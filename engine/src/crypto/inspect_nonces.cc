// dbx::inspect_nonces: the (key id, nonce) of every sealed item on disk,
// read from the plaintext framing alone (no key needed).
#include <sodium.h>

#include <span>

#include "crypto/key_file.h"
#include "crypto/sealer.h"
#include "dbx/encryption.h"
#include "faultfs/crc32c.h"
#include "status_util.h"
#include "util/coding.h"
#include "wal/wal_format.h"
#include "wos/wos_format.h"

namespace dbx {
namespace {

// The whole file, or nullopt when it does not exist.
std::optional<std::string> read_whole(faultfs::FileSystem& fs, const std::string& path) {
  if (!value_or_throw(fs.exists(path), "inspect_nonces")) return std::nullopt;
  auto file = value_or_throw(fs.open(path, faultfs::OpenMode::kRead), "inspect_nonces");
  const uint64_t size = value_or_throw(file->size(), "inspect_nonces");
  std::string bytes(size, '\0');
  const size_t n =
      value_or_throw(file->read_at(0, std::span<char>(bytes.data(), bytes.size())), "inspect");
  bytes.resize(n);
  throw_if_error(file->close(), "inspect_nonces");
  return bytes;
}

// A Sealer blob at `offset` of `file` (or a key-file wrap: key id 0, the
// user's key).
NonceRecord record_of(const std::string& file, uint64_t offset, uint32_t key_id,
                      std::string_view nonce, std::string_view cipher) {
  crypto::ensure_sodium();
  NonceRecord record{file, offset, key_id, std::string(nonce), std::string(16, '\0')};
  crypto_generichash(reinterpret_cast<unsigned char*>(record.ciphertext_hash.data()), 16,
                     reinterpret_cast<const unsigned char*>(cipher.data()), cipher.size(), nullptr,
                     0);
  return record;
}

NonceRecord blob_record(const std::string& file, uint64_t offset, std::string_view blob,
                        size_t nonce_bytes) {
  const uint32_t key_id = coding::decode_fixed32(blob.data());
  return record_of(file, offset, key_id, blob.substr(crypto::kKeyIdBytes, nonce_bytes),
                   blob.substr(crypto::kKeyIdBytes + nonce_bytes));
}

// Every crc-valid frame at any 8-aligned offset: the live log and the stale
// frames of older epochs that recycling left behind.
void wal_records(const std::string& path, std::string_view bytes, size_t nonce_bytes,
                 std::vector<NonceRecord>* out) {
  const size_t overhead = crypto::kKeyIdBytes + nonce_bytes + crypto::kTagBytes;
  uint64_t offset = wal::kFirstRecordOffset;
  while (offset + wal::kRecordHeaderBytes <= bytes.size()) {
    const auto header = wal::parse_record_header(bytes.data() + offset);
    const uint64_t frame = header ? wal::frame_bytes(header->payload_length) : 0;
    if (!header || header->payload_length < overhead || offset + frame > bytes.size() ||
        wal::payload_crc(bytes.substr(offset + wal::kRecordHeaderBytes, header->payload_length)) !=
            header->payload_crc) {
      offset += wal::kRecordAlignment;
      continue;
    }
    out->push_back(blob_record(
        path, offset, bytes.substr(offset + wal::kRecordHeaderBytes, header->payload_length),
        nonce_bytes));
    offset += frame;
  }
}

// The db's entries in file order, up to the first that does not parse.
void wos_records(const std::string& path, std::string_view bytes, size_t nonce_bytes,
                 std::vector<NonceRecord>* out) {
  const uint32_t seal = crypto::kKeyIdBytes + nonce_bytes + crypto::kTagBytes;
  uint64_t offset = wos::kDbHeaderBytes;
  while (offset + wos::kEntryHeaderBytes <= bytes.size()) {
    auto header = wos::decode_entry_header(bytes.substr(offset), path, offset);
    if (!header.is_ok()) break;
    header->seal_bytes = seal;
    const uint64_t total = header->total_bytes();
    if (offset + total > bytes.size()) break;
    out->push_back(blob_record(
        path, offset, bytes.substr(offset + wos::kEntryHeaderBytes, total - wos::kEntryHeaderBytes),
        nonce_bytes));
    offset += total;
  }
}

}  // namespace

std::vector<NonceRecord> inspect_nonces(faultfs::FileSystem& fs, const std::string& dir) {
  const std::string key_path = faultfs::join_path(dir, crypto::kKeyFileName);
  const std::optional<std::string> keys = read_whole(fs, key_path);
  if (!keys) throw Error(ErrorCode::kInvalidArgument, dir + " is not an encrypted database");
  const Algorithm algorithm =
      value_or_throw(crypto::key_file_algorithm(*keys, key_path), "inspect_nonces");
  const size_t nonce_bytes = crypto::nonce_bytes(algorithm);
  std::vector<NonceRecord> out;
  const uint32_t count = coding::decode_fixed32(keys->data() + 52);
  for (uint32_t i = 0; i < count; ++i) {
    const size_t at = crypto::kKeyFileHeaderBytes + i * crypto::kKeyEntryBytes;
    out.push_back(record_of(key_path, at, 0,
                            std::string_view(*keys).substr(at + 4, crypto::kWrapNonceBytes),
                            std::string_view(*keys).substr(at + 4 + crypto::kWrapNonceBytes,
                                                           crypto::kWrappedKeyBytes)));
  }
  const std::string wal_path = faultfs::join_path(dir, "wal.log");
  if (auto wal = read_whole(fs, wal_path)) wal_records(wal_path, *wal, nonce_bytes, &out);
  const std::string db_path = faultfs::join_path(dir, "wos/db");
  if (auto db = read_whole(fs, db_path)) wos_records(db_path, *db, nonce_bytes, &out);
  const std::string conf_path = faultfs::join_path(dir, "wos/conf");
  if (auto conf = read_whole(fs, conf_path); conf && conf->size() > wos::kConfBytes) {
    out.push_back(blob_record(conf_path, wos::kConfBytes,
                              std::string_view(*conf).substr(wos::kConfBytes), nonce_bytes));
  }
  return out;
}

}  // namespace dbx
