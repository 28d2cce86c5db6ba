// How the store's bytes are kept: plain, or sealed by the database's Sealer
// (engine/doc/encryption.md, "The WOS").
//
// A sealed entry keeps its 16-byte header in the clear (crc, type, the three
// plain lengths) and stores table, key and value as one Sealer blob whose
// associated data binds it to the db generation and the entry's offset, and
// to the header fields. The crc covers the stored bytes, as in a plain entry.
// A sealed db header sets kDbFlagSealed. A sealed conf is the plain 80-byte
// conf followed by a blob of nothing, authenticating those 80 bytes (conf
// holds no user data, only lengths and sequences).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "crypto/sealer.h"
#include "faultfs/status.h"
#include "wos/wos_format.h"

namespace dbx::wos {

// The largest entry on disk, sealed or not.
inline constexpr uint64_t kStoredEntryBytesMax = kEntryBytesMax + crypto::kMaxSealOverhead;

class EntryCodec {
 public:
  EntryCodec() = default;  // Plain.
  explicit EntryCodec(const crypto::Sealer* sealer) : sealer_(sealer) {}

  bool sealed() const { return sealer_ != nullptr; }
  const crypto::Sealer* sealer() const { return sealer_; }
  uint32_t seal_bytes() const {
    return sealer_ != nullptr ? static_cast<uint32_t>(sealer_->overhead()) : 0;
  }
  // The bytes an entry takes on disk.
  uint64_t stored_bytes(size_t table_bytes, size_t key_bytes, size_t value_bytes) const {
    return entry_bytes(table_bytes, key_bytes, value_bytes) + seal_bytes();
  }

  // Appends the entry that will land at `offset` of a db of `generation`.
  // Sealed, the plain body passes through `scratch` (the caller keeps it
  // across entries so that its capacity is reused).
  void append(std::string* dst, uint64_t generation, uint64_t offset, uint8_t type,
              std::string_view table, std::string_view key, std::string_view value,
              std::string* scratch) const;

  // The header of the entry at `offset`; total_bytes() includes the seal.
  [[nodiscard]] faultfs::Result<EntryHeader> decode_header(std::string_view bytes,
                                                           const std::string& path,
                                                           uint64_t offset) const;
  // Verifies one whole stored entry. Plain: views into `bytes`. Sealed: the
  // opened bytes go to `plain` (resized, capacity reused) and the views point
  // there; a blob that does not open is kCorruption.
  [[nodiscard]] faultfs::Result<EntryView> decode(std::string_view bytes, const std::string& path,
                                                  uint64_t generation, uint64_t offset,
                                                  std::string* plain) const;

  // conf's stored bytes, and their reading back (plain: decode_conf as is).
  std::string encode_conf_file(const Conf& conf) const;
  size_t conf_file_bytes() const { return kConfBytes + seal_bytes(); }
  [[nodiscard]] faultfs::Result<Conf> decode_conf_file(std::string_view bytes,
                                                       const std::string& path) const;

 private:
  const crypto::Sealer* sealer_ = nullptr;
};

}  // namespace dbx::wos
