// Sealed items: what an encrypted target says about the AEAD seals on disk,
// for the lab's nonce-reuse check (TargetInfo::sealed_items). A target-agnostic
// shape: the lab compares strings, never parses a format.
#pragma once

#include <string>

namespace targets {

struct SealedItem {
  // The data key's identity and the nonce, concatenated: two items with equal
  // values were sealed under one (key, nonce) pair. The key's identity must
  // name one data key across every generation of one database history.
  std::string key_id_and_nonce;
  // A hash of ciphertext + tag: with a deterministic AEAD an item rewritten
  // as it was has the same hash; a different hash means a different
  // plaintext (or associated data) under the same pair, a reuse.
  std::string ciphertext_hash;
  std::string where;  // "db/wal.log @ 4096", for evidence.
};

}  // namespace targets
