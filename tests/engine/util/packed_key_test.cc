// PackedKey's word-wise comparisons must agree with plain byte-string order
// and equality, including the cases padding could confuse: embedded and
// trailing zero bytes, one key a prefix of the other, and 16-byte keys.
#include "util/packed_key.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <string>
#include <string_view>

namespace dbx {
namespace {

// Short keys over a tiny alphabet that includes zero, so that prefixes and
// zero padding collide often.
rc::Gen<std::string> short_key() {
  return rc::gen::container<std::string>(*rc::gen::inRange<size_t>(0, PackedKey::kInlineBytes + 1),
                                         rc::gen::element<char>('\0', '\x01', 'a', '\xff'));
}

// A key sharing a prefix of any length with `a`, so that pairs often differ
// only in their second word, or only in length.
std::string near(const std::string& a) {
  const size_t shared = *rc::gen::inRange<size_t>(0, a.size() + 1);
  std::string b = a.substr(0, shared) + *short_key();
  b.resize(std::min(b.size(), PackedKey::kInlineBytes));
  return b;
}

PackedKey packed(const std::string& key) { return PackedKey::make(key, key); }

RC_GTEST_PROP(PackedKey, InlineOrderIsByteStringOrder, ()) {
  const std::string a = *short_key();
  const std::string b = *rc::gen::element(near(a), a, a + '\0');
  RC_PRE(b.size() <= PackedKey::kInlineBytes);
  RC_ASSERT(PackedKeyLess()(packed(a), packed(b)) == (std::string_view(a) < std::string_view(b)));
  RC_ASSERT(PackedKeyLess()(packed(b), packed(a)) == (std::string_view(b) < std::string_view(a)));
}

RC_GTEST_PROP(PackedKey, EqualityIsByteStringEquality, ()) {
  // Half the pairs are both exactly 16 bytes: the two-word path.
  const bool sixteen = *rc::gen::arbitrary<bool>();
  std::string a = *short_key();
  if (sixteen) a.resize(PackedKey::kInlineBytes, 'z');
  std::string b = *rc::gen::element(near(a), a);
  if (sixteen) b.resize(PackedKey::kInlineBytes, 'z');
  RC_ASSERT(PackedKeyEq()(packed(a), std::string_view(b)) == (a == b));
  RC_ASSERT(PackedKeyEq()(std::string_view(b), packed(a)) == (a == b));
}

TEST(PackedKey, SixteenByteKeysDifferingOnlyInTheLastByteAreDistinctAndOrdered) {
  const std::string low(16, 'k');
  std::string high = low;
  high.back() = 'l';
  EXPECT_FALSE(PackedKeyEq()(packed(low), std::string_view(high)));
  EXPECT_TRUE(PackedKeyEq()(packed(low), std::string_view(low)));
  EXPECT_TRUE(PackedKeyLess()(packed(low), packed(high)));
  EXPECT_FALSE(PackedKeyLess()(packed(high), packed(low)));
}

TEST(PackedKey, AKeySortsBeforeItselfWithATrailingZero) {
  const std::string key("ab", 2);
  const std::string longer("ab\0", 3);
  EXPECT_TRUE(PackedKeyLess()(packed(key), packed(longer)));
  EXPECT_FALSE(PackedKeyLess()(packed(longer), packed(key)));
  EXPECT_FALSE(PackedKeyEq()(packed(key), std::string_view(longer)));
}

TEST(PackedKey, LongKeysCompareByTheirBytes) {
  const std::string a(20, 'a');
  const std::string b = std::string(16, 'a') + "b";  // Shorter, greater.
  EXPECT_TRUE(PackedKeyLess()(PackedKey::make(a, a), PackedKey::make(b, b)));
  EXPECT_TRUE(PackedKeyLess()(PackedKey::make(std::string_view(a).substr(0, 16), a.substr(0, 16)),
                              PackedKey::make(a, a)));
}

}  // namespace
}  // namespace dbx
