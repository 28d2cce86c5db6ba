#include "nonce_ledger.h"

#include <cassert>

namespace torture::detail {

std::optional<NonceReuse> NonceLedger::add(const std::vector<targets::SealedItem>& items,
                                           const std::string& when) {
  std::optional<NonceReuse> reuse;
  for (const targets::SealedItem& item : items) {
    assert(!item.key_id_and_nonce.empty());
    ++items_seen_;
    auto [it, inserted] = seen_.try_emplace(item.key_id_and_nonce, Seen{item.ciphertext_hash, ""});
    if (inserted) {
      it->second.where = item.where + " at " + when;
      continue;
    }
    if (it->second.ciphertext_hash == item.ciphertext_hash || reuse) continue;
    reuse = NonceReuse{it->second.where, item.where + " at " + when};
  }
  return reuse;
}

}  // namespace torture::detail
