// CRC32C: the published check values, and the same result whatever the
// split of the input (the accelerated path works in 8-byte steps with a
// byte-wise head and tail, so every alignment and length is a case).
#include "faultfs/crc32c.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

namespace faultfs::crc32c {
namespace {

// Seeded bytes from a linear congruential generator: any pattern will do,
// as long as it is not all one byte.
std::string pseudo_random_bytes(size_t size, uint32_t seed) {
  std::string bytes(size, '\0');
  uint32_t state = seed;
  for (char& c : bytes) {
    state = state * 1664525u + 1013904223u;
    c = static_cast<char>(state >> 24);
  }
  return bytes;
}

TEST(Crc32c, CheckValuesFromRfc3720) {
  EXPECT_EQ(value("123456789"), 0xE3069283u);
  EXPECT_EQ(value(std::string(32, '\0')), 0x8A9136AAu);
  EXPECT_EQ(value(std::string(32, '\xff')), 0x62A8AB43u);
  std::string ascending(32, '\0');
  for (size_t i = 0; i < ascending.size(); ++i) ascending[i] = static_cast<char>(i);
  EXPECT_EQ(value(ascending), 0x46DD794Eu);
  EXPECT_EQ(value(""), 0u);
}

TEST(Crc32c, ExtendingInPiecesEqualsOneValueAtEveryOffsetAndLength) {
  const std::string bytes = pseudo_random_bytes(300, 12345);
  for (size_t begin = 0; begin < 16; ++begin) {
    for (size_t length = 0; begin + length <= bytes.size(); length += 7) {
      const std::string_view piece(bytes.data() + begin, length);
      const uint32_t whole = value(piece);
      for (size_t cut = 0; cut <= length; cut += 5) {
        const uint32_t split =
            extend(value(piece.substr(0, cut)), piece.data() + cut, length - cut);
        ASSERT_EQ(split, whole) << "begin " << begin << " length " << length << " cut " << cut;
      }
    }
  }
}

TEST(Crc32c, TheTablePathAgreesWithTheHardwarePath) {
  if (!hardware_accelerated()) GTEST_SKIP() << "no crc32 instruction: extend() is the table path";
  EXPECT_EQ(extend_portable(0, "123456789", 9), 0xE3069283u);
  const std::string bytes = pseudo_random_bytes(1000, 777);
  for (size_t begin = 0; begin < 8; ++begin) {
    for (size_t length = 0; begin + length <= bytes.size(); length += 13) {
      ASSERT_EQ(extend_portable(0x1234u, bytes.data() + begin, length),
                extend(0x1234u, bytes.data() + begin, length))
          << "begin " << begin << " length " << length;
    }
  }
}

TEST(Crc32c, MaskIsInvertibleAndChangesTheValue) {
  for (const uint32_t crc : {0u, 1u, 0xE3069283u, 0xFFFFFFFFu, 0x80000000u}) {
    EXPECT_EQ(unmask(mask(crc)), crc);
    EXPECT_NE(mask(crc), crc);
  }
}

}  // namespace
}  // namespace faultfs::crc32c
