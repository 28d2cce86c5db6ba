// inspect_nonces lists every sealed item with its key id and nonce, and no
// (key id, nonce) pair seals two different ciphertexts, across reopens and
// crashes' torn tails alike.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "crypto/sealer.h"
#include "encryption_test_util.h"

namespace dbx {
namespace {

using testing::kDbDir;

class InspectNonces : public ::testing::TestWithParam<Algorithm> {};

TEST_P(InspectNonces, EverySealedItemIsListedAndNoNonceRepeats) {
  if (!crypto::algorithm_usable(GetParam())) GTEST_SKIP() << "no AES-NI on this CPU";
  testing::SimDb sim;
  const Options options =
      testing::options_for(sim.fs, testing::raw_config(9, GetParam()), Durability::kFull);
  std::map<std::pair<uint32_t, std::string>, std::string> seen;  // (key, nonce) -> hash
  size_t wal = 0, wos = 0, conf = 0, keys = 0;
  for (int open = 0; open < 4; ++open) {
    {
      auto db = Database::open(kDbDir, options);
      for (int i = 0; i < 5; ++i) db->insert("t", std::to_string(open * 10 + i), "value");
      if (open % 2 == 1) db->flush();
    }
    for (const NonceRecord& r : inspect_nonces(sim.fs, kDbDir)) {
      EXPECT_EQ(r.nonce.size(), r.key_id == 0 ? 24u : crypto::nonce_bytes(GetParam())) << r.file;
      EXPECT_EQ(r.ciphertext_hash.size(), 16u);
      wal += r.file.ends_with("wal.log");
      wos += r.file.ends_with("wos/db");
      conf += r.file.ends_with("wos/conf");
      keys += r.file.ends_with("keys");
      const auto [it, fresh] = seen.emplace(std::make_pair(r.key_id, r.nonce), r.ciphertext_hash);
      if (!fresh) {
        EXPECT_EQ(it->second, r.ciphertext_hash)
            << "nonce reuse in " << r.file << " at " << r.offset;
      }
    }
  }
  EXPECT_GT(wal, 0u);
  EXPECT_GT(wos, 0u);
  EXPECT_EQ(conf, 4u);
  EXPECT_EQ(keys, 4u);
}

TEST(InspectNoncesPlain, APlainDatabaseIsInvalidArgument) {
  testing::SimDb sim;
  Options plain;
  plain.file_system = &sim.fs;
  Database::open(kDbDir, plain)->insert("t", "k", "v");
  EXPECT_EQ(testing::code_of([&] { inspect_nonces(sim.fs, kDbDir); }), ErrorCode::kInvalidArgument);
}

// XChaCha20-Poly1305 nonces are prefix || counter: one Sealer never repeats
// one (its counter counts), and two Sealers of one data key (two opens) draw
// different 128-bit prefixes. Fails if the prefix is not drawn (all zero, so
// two opens repeat each other's nonces) or the counter does not advance.
TEST(SealerNonces, OneSealerCountsAndTwoSealersDrawDifferentPrefixes) {
  const std::string plain = "sixteen+ printable bytes";
  std::vector<uint8_t> raw(crypto::SecretKey::kBytes, 7);
  std::set<std::string> nonces;
  std::set<std::string> prefixes;
  constexpr int kSealers = 2;
  constexpr int kSealsPerSealer = 1000;
  for (int s = 0; s < kSealers; ++s) {
    crypto::Sealer sealer(Algorithm::kXChaCha20Poly1305);
    sealer.add_key(1, crypto::SecretKey(raw.data()));
    sealer.set_current(1);
    std::string blob(plain.size() + sealer.overhead(), '\0');
    for (int i = 0; i < kSealsPerSealer; ++i) {
      sealer.seal("ad", plain, blob.data());
      const std::string nonce = blob.substr(crypto::kKeyIdBytes, 24);
      EXPECT_TRUE(nonces.insert(nonce).second) << "sealer " << s << " seal " << i;
      prefixes.insert(nonce.substr(0, 16));
      std::string opened(plain.size(), '\0');
      ASSERT_TRUE(sealer.open("ad", blob, opened.data()));
      EXPECT_EQ(opened, plain);
    }
  }
  EXPECT_EQ(nonces.size(), size_t{kSealers * kSealsPerSealer});
  EXPECT_EQ(prefixes.size(), size_t{kSealers});
  EXPECT_EQ(prefixes.count(std::string(16, '\0')), 0u);
}

INSTANTIATE_TEST_SUITE_P(All, InspectNonces,
                         ::testing::Values(Algorithm::kXChaCha20Poly1305, Algorithm::kAes256Gcm,
                                           Algorithm::kChaCha20Poly1305Ietf));

}  // namespace
}  // namespace dbx
