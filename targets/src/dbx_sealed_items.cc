// The encrypted DBX targets' sealed items, through the engine's own nonce
// inspector (dbx::inspect_nonces reads the plaintext framing, no key).
#include <string>
#include <vector>

#include "dbx/encryption.h"
#include "dbx_status.h"
#include "faultfs/status_macros.h"
#include "targets/dbx_target.h"

namespace targets {

faultfs::Result<std::vector<SealedItem>> dbx_sealed_items(faultfs::FileSystem& fs,
                                                          const std::string& dir) {
  std::vector<dbx::NonceRecord> records;
  RETURN_IF_ERROR(detail::guarded([&] { records = dbx::inspect_nonces(fs, dir); }));
  std::vector<SealedItem> out;
  out.reserve(records.size());
  for (dbx::NonceRecord& record : records) {
    // Key id 0 is the key file's wraps under the user's key; a data key's id
    // is its number in the key file, which one database history keeps.
    std::string pair(4, '\0');
    for (int i = 0; i < 4; ++i) pair[i] = static_cast<char>(record.key_id >> (8 * i));
    pair += record.nonce;
    out.push_back(SealedItem{std::move(pair), std::move(record.ciphertext_hash),
                             record.file + " @ " + std::to_string(record.offset) + " (key " +
                                 std::to_string(record.key_id) + ")"});
  }
  return out;
}

}  // namespace targets
