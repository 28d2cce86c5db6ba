#include "wal/wal_seal.h"

#include <cstring>

#include "util/coding.h"

namespace dbx::wal {

RecordAd record_ad(uint64_t offset, const RecordHeader& header) {
  RecordAd ad;
  char* p = ad.bytes;
  std::memcpy(p, "DBXWALR1", 8);  // Binds the blob to a WAL frame, not a WOS entry or conf.
  coding::encode_fixed64(p + 8, offset);
  coding::encode_fixed32(p + 16, header.payload_length);
  p[20] = static_cast<char>(header.kind);
  p[21] = static_cast<char>(header.flags);
  coding::encode_fixed32(p + 22, header.epoch);
  coding::encode_fixed64(p + 26, header.sequence);
  coding::encode_fixed64(p + 34, header.synced_sequence);
  static_assert(RecordAd::kBytes == 42);
  return ad;
}

}  // namespace dbx::wal
