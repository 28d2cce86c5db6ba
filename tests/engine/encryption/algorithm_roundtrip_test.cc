// Every algorithm round-trips in every durability level and in memory.
#include <gtest/gtest.h>

#include <tuple>

#include "crypto/sealer.h"
#include "encryption_test_util.h"

namespace dbx {
namespace {

using testing::kDbDir;
using Param = std::tuple<Algorithm, Durability>;

class AlgorithmRoundTrip : public ::testing::TestWithParam<Param> {};

TEST_P(AlgorithmRoundTrip, WritesSurviveFlushCloseAndReopen) {
  const auto [algorithm, durability] = GetParam();
  if (!crypto::algorithm_usable(algorithm)) GTEST_SKIP() << "no AES-NI on this CPU";
  testing::SimDb sim;
  const Options options =
      testing::options_for(sim.fs, testing::raw_config(3, algorithm), durability);
  testing::Rows expected;
  {
    auto db = Database::open(kDbDir, options);
    for (int i = 0; i < 30; ++i) {
      const std::string key = "key" + std::to_string(i);
      const std::string value(static_cast<size_t>(1 + i * 53), static_cast<char>('a' + i % 26));
      db->insert(i % 2 ? "odd" : "even", key, value);
      expected[{i % 2 ? "odd" : "even", key}] = value;
      if (i == 14) db->flush();
    }
    EXPECT_TRUE(db->remove("odd", "key1"));
    expected.erase({"odd", "key1"});
    EXPECT_EQ(testing::rows_of(*db), expected);
  }
  auto db = Database::open(kDbDir, options);
  EXPECT_EQ(testing::rows_of(*db), expected);
  // key10..key18, key2, key20..key28: the even i whose key sorts in [key1, key3).
  EXPECT_EQ(db->range("even", "key1", "key3").size(), 11u);
  db->flush();  // A checkpoint over a reopened encrypted store.
  db->close();
  auto again = Database::open(kDbDir, options);
  EXPECT_EQ(testing::rows_of(*again), expected);
}

TEST_P(AlgorithmRoundTrip, InMemory) {
  const Algorithm algorithm = std::get<0>(GetParam());
  if (!crypto::algorithm_usable(algorithm)) GTEST_SKIP() << "no AES-NI on this CPU";
  auto db = Database::open_in_memory_encrypted(testing::raw_config(4, algorithm));
  EXPECT_TRUE(db->is_encrypted());
  db->insert("t", "k", "v");
  EXPECT_EQ(db->get("t", "k"), "v");
  EXPECT_EQ(db->rotate_key(testing::raw_config(5, algorithm), true), 0u);
  EXPECT_EQ(db->get("t", "k"), "v");
}

INSTANTIATE_TEST_SUITE_P(
    All, AlgorithmRoundTrip,
    ::testing::Combine(::testing::Values(Algorithm::kXChaCha20Poly1305, Algorithm::kAes256Gcm,
                                         Algorithm::kChaCha20Poly1305Ietf),
                       ::testing::Values(Durability::kNone, Durability::kLazy, Durability::kFull)));

TEST(AlgorithmChoice, TheKeyFileKeepsTheAlgorithmOfCreation) {
  testing::SimDb sim;
  {
    auto db = Database::open(
        kDbDir,
        testing::options_for(sim.fs, testing::raw_config(6, Algorithm::kChaCha20Poly1305Ietf)));
    db->insert("t", "k", "v");
  }
  for (const NonceRecord& r : inspect_nonces(sim.fs, kDbDir)) {
    if (r.file.find("keys") == std::string::npos) {
      EXPECT_EQ(r.nonce.size(), 12u) << r.file;
    }
  }
  auto db = Database::open(kDbDir, testing::options_for(sim.fs, testing::raw_config(6)));
  EXPECT_EQ(db->get("t", "k"), "v");
}

}  // namespace
}  // namespace dbx
