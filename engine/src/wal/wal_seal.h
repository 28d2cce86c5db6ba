// Sealed WAL records (engine/doc/encryption.md, "The WAL").
//
// An encrypted log (file header version 3) keeps every frame header in the
// clear, with its length and both crcs: the crc still tells a torn or
// never-written frame from a whole one exactly as in a plain log. Only the
// payload is sealed: payload = Sealer blob of the plain payload, whose
// associated data binds it to this log, its frame offset and every header
// field but the crcs (length, kind, flags, epoch, sequence, synced_sequence).
// A crc-valid frame that fails to open was not written there by this engine:
// kCorruption, never a torn tail.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "crypto/sealer.h"
#include "wal/wal_format.h"

namespace dbx::wal {

// The associated data of the frame at `offset` with `header` (whose
// payload_length is the sealed length; its crcs are not read).
// Fixed-size and on the stack: sealing allocates nothing per record.
struct RecordAd {
  static constexpr size_t kBytes = 8 + 8 + 4 + 1 + 1 + 4 + 8 + 8;
  char bytes[kBytes];
  std::string_view view() const { return std::string_view(bytes, kBytes); }
};
RecordAd record_ad(uint64_t offset, const RecordHeader& header);

// The sealed payload's length for `plain_bytes` of plain payload.
inline uint64_t sealed_payload_bytes(const crypto::Sealer& sealer, uint64_t plain_bytes) {
  return plain_bytes + sealer.overhead();
}

}  // namespace dbx::wal
