// NonceLedger: every (data key, nonce) pair one simulated history has sealed
// with, across all its crash images and generations, and the ciphertext hash
// first seen under it. The lab's nonce-reuse check: a pair that comes back
// with another hash sealed two different plaintexts (or associated data)
// under one key and nonce. The same hash again is the same item rewritten
// or copied into a crash image, which is allowed.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "targets/sealed_items.h"

namespace torture::detail {

struct NonceReuse {
  std::string first_where;   // Where the pair was first seen.
  std::string second_where;  // The item that sealed something else with it.
};

class NonceLedger {
 public:
  // Adds `items` (each a sealed item seen on disk at `when`, e.g. "step 3");
  // the first reuse among them, if any. After a reuse the ledger still
  // holds the first item's hash under the pair.
  std::optional<NonceReuse> add(const std::vector<targets::SealedItem>& items,
                                const std::string& when);
  size_t pairs() const { return seen_.size(); }
  uint64_t items_seen() const { return items_seen_; }

 private:
  struct Seen {
    std::string ciphertext_hash;
    std::string where;
  };
  std::unordered_map<std::string, Seen> seen_;  // By key_id_and_nonce.
  uint64_t items_seen_ = 0;
};

}  // namespace torture::detail
