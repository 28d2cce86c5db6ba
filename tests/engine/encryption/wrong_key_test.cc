// A wrong key or password is invalid_key, never corruption; a plain database
// opened with a key, or an encrypted one without, is invalid_argument.
#include <gtest/gtest.h>

#include "encryption_test_util.h"

namespace dbx {
namespace {

using testing::code_of;
using testing::kDbDir;
using testing::options_for;

void create(faultfs::FileSystem& fs, const EncryptionConfig& config) {
  auto db = Database::open(kDbDir, options_for(fs, config));
  db->insert("t", "k", "value");
  db->flush();
}

TEST(WrongKey, AnotherRawKeyIsInvalidKey) {
  testing::SimDb sim;
  create(sim.fs, testing::raw_config(1));
  EXPECT_EQ(code_of([&] { Database::open(kDbDir, options_for(sim.fs, testing::raw_config(2))); }),
            ErrorCode::kInvalidKey);
  // The right key still opens it: the refusal wrote nothing.
  auto db = Database::open(kDbDir, options_for(sim.fs, testing::raw_config(1)));
  EXPECT_EQ(db->get("t", "k"), "value");
}

TEST(WrongKey, AnotherPasswordIsInvalidKey) {
  testing::SimDb sim;
  create(sim.fs, testing::password_config("right"));
  EXPECT_EQ(code_of([&] {
              Database::open(kDbDir, options_for(sim.fs, testing::password_config("wrong")));
            }),
            ErrorCode::kInvalidKey);
  auto db = Database::open(kDbDir, options_for(sim.fs, testing::password_config("right")));
  EXPECT_EQ(db->get("t", "k"), "value");
}

TEST(WrongKey, ARawKeyForAPasswordDatabaseIsInvalidKey) {
  testing::SimDb sim;
  create(sim.fs, testing::password_config("pw"));
  EXPECT_EQ(code_of([&] { Database::open(kDbDir, options_for(sim.fs, testing::raw_config(1))); }),
            ErrorCode::kInvalidKey);
}

TEST(WrongKey, EncryptedDatabaseWithoutAKeyIsInvalidArgument) {
  testing::SimDb sim;
  create(sim.fs, testing::raw_config(1));
  Options plain;
  plain.file_system = &sim.fs;
  EXPECT_EQ(code_of([&] { Database::open(kDbDir, plain); }), ErrorCode::kInvalidArgument);
  plain.read_only = true;
  EXPECT_EQ(code_of([&] { Database::open(kDbDir, plain); }), ErrorCode::kInvalidArgument);
}

TEST(WrongKey, PlainDatabaseWithAKeyIsInvalidArgument) {
  testing::SimDb sim;
  Options plain;
  plain.file_system = &sim.fs;
  {
    auto db = Database::open(kDbDir, plain);
    db->insert("t", "k", "plain value");
  }
  EXPECT_EQ(code_of([&] { Database::open(kDbDir, options_for(sim.fs, testing::raw_config(1))); }),
            ErrorCode::kInvalidArgument);
  // Old unencrypted databases open unchanged.
  auto db = Database::open(kDbDir, plain);
  EXPECT_EQ(db->get("t", "k"), "plain value");
  EXPECT_FALSE(db->is_encrypted());
}

TEST(WrongKey, AMissingKeyFileBesideASealedStoreIsCorruption) {
  testing::SimDb sim;
  create(sim.fs, testing::raw_config(1));
  ASSERT_TRUE(sim.fs.remove(std::string(kDbDir) + "/keys").is_ok());
  EXPECT_EQ(code_of([&] { Database::open(kDbDir, options_for(sim.fs, testing::raw_config(1))); }),
            ErrorCode::kCorruption);
}

// Creation writes the key file first; a crash that loses it before anything
// sealed exists lost no data, and the next open simply creates the database.
TEST(WrongKey, AMissingKeyFileBeforeAnythingWasSealedIsANewDatabase) {
  testing::SimDb sim;
  ASSERT_TRUE(sim.fs.mkdir(kDbDir).is_ok());
  ASSERT_TRUE(sim.fs.mkdir(std::string(kDbDir) + "/wos").is_ok());
  auto db = Database::open(kDbDir, options_for(sim.fs, testing::raw_config(1)));
  EXPECT_TRUE(db->is_encrypted());
  db->insert("t", "k", "v");
}

TEST(WrongKey, Aes256GcmSivIsRefusedByName) {
  try {
    EncryptionConfig config(testing::key_of(1), Algorithm::kAes256GcmSiv);
    ADD_FAILURE() << "AES-256-GCM-SIV accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(std::string(e.what()).find("libsodium 1.0.18"), std::string::npos) << e.what();
  }
  EXPECT_EQ(code_of([] {
              EncryptionConfig::from_password("pw", KdfParams::min(), Algorithm::kAes256GcmSiv);
            }),
            ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace dbx
