// No inserted table name, key or value, nor the password or raw key, appears
// in any byte of any file of an encrypted database.
#include <gtest/gtest.h>

#include <random>

#include "encryption_test_util.h"

namespace dbx {
namespace {

using testing::kDbDir;

std::string random_printable(std::mt19937_64& rng, size_t n) {
  std::uniform_int_distribution<int> pick(33, 126);
  std::string s(n, ' ');
  for (char& c : s) c = static_cast<char>(pick(rng));
  return s;
}

void expect_absent(faultfs::FileSystem& fs, const std::vector<std::string>& secrets,
                   const char* when) {
  const std::vector<std::string> files = testing::database_files(fs);
  ASSERT_GE(files.size(), 4u) << "keys, wal.log, wos/db, wos/conf at least";
  for (const std::string& path : files) {
    const std::string bytes = testing::read_file(fs, path);
    for (const std::string& secret : secrets) {
      EXPECT_EQ(bytes.find(secret), std::string::npos)
          << when << ": " << path << " holds plaintext '" << secret << "'";
    }
  }
}

class NoPlaintext : public ::testing::TestWithParam<Durability> {};

TEST_P(NoPlaintext, NoTableKeyValueOrPasswordOnDisk) {
  testing::SimDb sim;
  std::mt19937_64 rng(1607);
  const std::string password = random_printable(rng, 20);
  const Options options = testing::options_for(
      sim.fs, EncryptionConfig::from_password(password, KdfParams::min()), GetParam());
  std::vector<std::string> secrets{password};
  auto db = Database::open(kDbDir, options);
  for (int round = 0; round < 3; ++round) {
    const std::string table = "tbl_" + random_printable(rng, 12);
    secrets.push_back(table);
    WriteBatch batch;
    for (int i = 0; i < 8; ++i) {
      const std::string key = random_printable(rng, 16);
      const std::string value = random_printable(rng, 16 + i * 40);
      secrets.push_back(key);
      secrets.push_back(value);
      if (i % 3 == 0) {
        batch.put(table, key, value);
      } else {
        db->insert(table, key, value);
      }
    }
    db->write(batch);
    if (round == 1) db->flush();  // Some rows reach the WOS, later ones only the log.
  }
  if (GetParam() != Durability::kNone) expect_absent(sim.fs, secrets, "while open");
  db->close();
  expect_absent(sim.fs, secrets, "after close");
  // The checks above can fail: the rows are on disk and readable with the key.
  auto reopened = Database::open(kDbDir, options);
  EXPECT_EQ(reopened->table_names().size(), 3u);
}

TEST(NoPlaintextKey, TheRawKeyIsNotOnDisk) {
  testing::SimDb sim;
  const EncryptionConfig::Key key = testing::key_of(42);
  {
    auto db = Database::open(kDbDir, testing::options_for(sim.fs, EncryptionConfig(key)));
    db->insert("t", "k", "v");
  }
  const std::string needle(reinterpret_cast<const char*>(key.data()), 12);
  for (const std::string& path : testing::database_files(sim.fs)) {
    EXPECT_EQ(testing::read_file(sim.fs, path).find(needle), std::string::npos) << path;
  }
}

INSTANTIATE_TEST_SUITE_P(Durabilities, NoPlaintext,
                         ::testing::Values(Durability::kNone, Durability::kLazy,
                                           Durability::kFull));

}  // namespace
}  // namespace dbx
