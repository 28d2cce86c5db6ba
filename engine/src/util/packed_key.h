// PackedKey: a key as a hash-table slot holds it. Keys of up to kInlineBytes
// live in the slot itself; longer ones point at bytes someone else keeps
// stable (KeyTable's arena).
//
// Why: on this engine's hot paths a lookup in a million-key table costs one
// cache miss for the slot; a key reached through a pointer costs a second one
// on every comparison. Typical keys (ids, 16-byte hashes, short strings) fit
// inline, so a probe compares them without leaving the slot.
//
// Invariants: size() <= kInlineBytes iff the bytes are inline; an inline
// key's unused bytes are zero (so equality may compare all of them); the
// hash of a PackedKey equals the hash of its view, so tables can be probed
// with a plain std::string_view.
#pragma once

#include <cassert>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace dbx {

class PackedKey {
 public:
  static constexpr size_t kInlineBytes = 16;

  PackedKey() = default;

  // A key whose bytes are `key` itself: inline when short, otherwise a view
  // of `stable`, which must hold the same bytes and outlive the key.
  static PackedKey make(std::string_view key, std::string_view stable) {
    PackedKey packed;
    packed.size_ = key.size();
    if (key.size() <= kInlineBytes) {
      if (!key.empty()) std::memcpy(packed.inline_bytes_, key.data(), key.size());
    } else {
      assert(stable == key);
      packed.external_ = stable.data();
    }
    return packed;
  }

  static bool fits_inline(std::string_view key) { return key.size() <= kInlineBytes; }

  // view() == key, comparing an inline key's words when `key` is exactly 16
  // bytes (the common fixed-size key) and its bytes otherwise.
  bool equals(std::string_view key) const {
    if (key.size() != size_) return false;
    if (size_ != kInlineBytes) return view() == key;
    uint64_t words[2];
    std::memcpy(words, key.data(), kInlineBytes);
    uint64_t mine[2];
    std::memcpy(mine, inline_bytes_, kInlineBytes);
    return ((words[0] ^ mine[0]) | (words[1] ^ mine[1])) == 0;
  }

  // a.view() < b.view() for two inline keys, without a memcmp call: the
  // zero-padded bytes compared as two big-endian words, then the sizes. A
  // key that is a prefix of the other pads with zeros, so it compares equal
  // or lower on the words and lower on the size, as lexicographic order
  // wants. Sorting and ordering a million keys is mostly these comparisons.
  static bool inline_less(const PackedKey& a, const PackedKey& b) {
    assert(fits_inline(a.view()) && fits_inline(b.view()));
    const uint64_t a_high = a.word_big_endian(0), b_high = b.word_big_endian(0);
    if (a_high != b_high) return a_high < b_high;
    const uint64_t a_low = a.word_big_endian(8), b_low = b.word_big_endian(8);
    if (a_low != b_low) return a_low < b_low;
    return a.size_ < b.size_;
  }

  size_t size() const { return size_; }
  std::string_view view() const {
    return size_ <= kInlineBytes ? std::string_view(inline_bytes_, size_)
                                 : std::string_view(external_, size_);
  }

 private:
  static_assert(kInlineBytes == 16, "inline_less compares two words");

  uint64_t word_big_endian(size_t offset) const {
    uint64_t word;
    std::memcpy(&word, inline_bytes_ + offset, 8);
    return __builtin_bswap64(word);
  }

  union {
    char inline_bytes_[kInlineBytes] = {};
    const char* external_;
  };
  uint64_t size_ = 0;
};
static_assert(sizeof(PackedKey) == 24);

// Hash and equality that accept a PackedKey or a std::string_view alike
// (heterogeneous lookup).
struct PackedKeyHash {
  using is_transparent = void;
  size_t operator()(std::string_view key) const {
    // A multiply-xorshift over 8-byte words: cheap for short keys, and every
    // input bit reaches the high bits the table indexes with.
    uint64_t hash = 0x9E3779B97F4A7C15ull ^ key.size();
    size_t i = 0;
    for (; i + 8 <= key.size(); i += 8) {
      uint64_t word;
      std::memcpy(&word, key.data() + i, 8);
      hash = (hash ^ word) * 0xBF58476D1CE4E5B9ull;
      hash ^= hash >> 31;
    }
    uint64_t tail = 0;
    if (i < key.size()) std::memcpy(&tail, key.data() + i, key.size() - i);
    hash = (hash ^ tail) * 0x94D049BB133111EBull;
    return hash ^ (hash >> 29);
  }
  size_t operator()(const PackedKey& key) const { return (*this)(key.view()); }
};

struct PackedKeyEq {
  using is_transparent = void;
  bool operator()(const PackedKey& a, const PackedKey& b) const { return a.view() == b.view(); }
  // A probe compares the slot's key with the one sought: for an inline key,
  // two word compares instead of a memcmp call.
  bool operator()(const PackedKey& a, std::string_view b) const { return a.equals(b); }
  bool operator()(std::string_view a, const PackedKey& b) const { return b.equals(a); }
};

struct PackedKeyLess {
  using is_transparent = void;
  bool operator()(const PackedKey& a, const PackedKey& b) const {
    if (PackedKey::fits_inline(a.view()) && PackedKey::fits_inline(b.view())) {
      return PackedKey::inline_less(a, b);
    }
    return a.view() < b.view();
  }
  bool operator()(const PackedKey& a, std::string_view b) const { return a.view() < b; }
  bool operator()(std::string_view a, const PackedKey& b) const { return a < b.view(); }
};

}  // namespace dbx
