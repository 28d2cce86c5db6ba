// The documented example, end to end: create, write, flush, reopen, rotate,
// reopen with the new key; the old key is refused.
#include <gtest/gtest.h>

#include "encryption_test_util.h"

namespace dbx {
namespace {

using testing::code_of;
using testing::kDbDir;
using testing::options_for;

TEST(EncryptionSeedExample, RotatedKeyOpensAndTheOldOneIsInvalidKey) {
  testing::SimDb sim;
  const EncryptionConfig old_key = testing::password_config("correct horse");
  const EncryptionConfig new_key = testing::raw_config(7);
  {
    auto db = Database::open(kDbDir, options_for(sim.fs, old_key));
    EXPECT_TRUE(db->is_encrypted());
    db->insert("users", "alice", "alice's secret value");
    db->flush();
    db->insert("users", "bob", "bob's unflushed value");
  }
  {
    auto db = Database::open(kDbDir, options_for(sim.fs, old_key));
    EXPECT_EQ(db->get("users", "alice"), "alice's secret value");
    EXPECT_EQ(db->get("users", "bob"), "bob's unflushed value");
    EXPECT_EQ(db->rotate_key(new_key), 0u);
  }
  {
    auto db = Database::open(kDbDir, options_for(sim.fs, new_key));
    EXPECT_EQ(db->get("users", "alice"), "alice's secret value");
    EXPECT_EQ(db->get("users", "bob"), "bob's unflushed value");
  }
  EXPECT_EQ(code_of([&] { Database::open(kDbDir, options_for(sim.fs, old_key)); }),
            ErrorCode::kInvalidKey);
  EXPECT_STREQ(error_code_name(ErrorCode::kInvalidKey), "invalid_key");
}

TEST(EncryptionSeedExample, ReencryptRewritesEveryEntryUnderANewDataKey) {
  testing::SimDb sim;
  const EncryptionConfig first = testing::raw_config(1);
  const EncryptionConfig second = testing::raw_config(2);
  std::vector<NonceRecord> before;
  {
    auto db = Database::open(kDbDir, options_for(sim.fs, first));
    for (int i = 0; i < 20; ++i) db->insert("t", "k" + std::to_string(i), "v" + std::to_string(i));
    db->flush();
    db->insert("t", "late", "in the log only");
    EXPECT_EQ(db->rotate_key(second, /*reencrypt=*/true), 21u);
    db->insert("t", "after", "sealed with the new key");
  }
  auto db = Database::open(kDbDir, options_for(sim.fs, second));
  EXPECT_EQ(db->count("t"), 22u);
  EXPECT_EQ(db->get("t", "late"), "in the log only");
  db->close();
  // Only the new data key (id 2) seals what the database reads now: the WOS
  // and conf hold nothing of key 1.
  for (const NonceRecord& r : inspect_nonces(sim.fs, kDbDir)) {
    if (r.file.find("/wos/") != std::string::npos) {
      EXPECT_EQ(r.key_id, 2u) << r.file;
    }
  }
  EXPECT_EQ(code_of([&] { Database::open(kDbDir, options_for(sim.fs, first)); }),
            ErrorCode::kInvalidKey);
}

TEST(EncryptionSeedExample, RotateKeyOnAPlainDatabaseIsInvalidArgument) {
  testing::SimDb sim;
  Options options;
  options.file_system = &sim.fs;
  auto db = Database::open(kDbDir, options);
  EXPECT_FALSE(db->is_encrypted());
  EXPECT_EQ(code_of([&] { db->rotate_key(testing::raw_config(3)); }), ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace dbx
