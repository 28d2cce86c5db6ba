// Shared set-up of the encryption tests: a SimFs database at /data/db, keys,
// configs, and raw byte access to its files.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "dbx/dbx.h"
#include "dbx/encryption.h"
#include "faultfs/sim_fs.h"

namespace dbx::testing {

inline constexpr char kDbDir[] = "/data/db";

inline EncryptionConfig::Key key_of(uint8_t seed) {
  EncryptionConfig::Key key;
  for (size_t i = 0; i < key.size(); ++i) key[i] = static_cast<uint8_t>(seed * 31 + i * 7 + 1);
  return key;
}

inline EncryptionConfig raw_config(uint8_t seed,
                                   Algorithm algorithm = Algorithm::kXChaCha20Poly1305) {
  return EncryptionConfig(key_of(seed), algorithm);
}

inline EncryptionConfig password_config(std::string_view password) {
  return EncryptionConfig::from_password(password, KdfParams::min());
}

inline Options options_for(faultfs::FileSystem& fs, const EncryptionConfig& config,
                           Durability durability = Durability::kLazy) {
  Options options;
  options.durability = durability;
  options.file_system = &fs;
  options.encryption = config;
  return options;
}

struct SimDb {
  SimDb() { EXPECT_TRUE(fs.create_dirs_durable("/data").is_ok()); }
  faultfs::SimFs fs;
};

// The error code `fn` throws; fails the test when it throws nothing.
template <typename Fn>
ErrorCode code_of(Fn&& fn) {
  try {
    fn();
  } catch (const Error& e) {
    return e.code();
  }
  ADD_FAILURE() << "no dbx::Error thrown";
  return ErrorCode::kIoError;
}

inline std::string read_file(faultfs::FileSystem& fs, const std::string& path) {
  auto file = fs.open(path, faultfs::OpenMode::kRead);
  EXPECT_TRUE(file.is_ok()) << path;
  if (!file.is_ok()) return {};
  auto size_or = (*file)->size();
  EXPECT_TRUE(size_or.is_ok());
  const uint64_t size = size_or.is_ok() ? size_or.value() : 0;
  std::string bytes(size, '\0');
  auto n = (*file)->read_at(0, std::span<char>(bytes.data(), bytes.size()));
  EXPECT_TRUE(n.is_ok());
  EXPECT_TRUE((*file)->close().is_ok());
  return bytes;
}

inline void write_file_at(faultfs::FileSystem& fs, const std::string& path, uint64_t offset,
                          std::string_view bytes) {
  auto file = fs.open(path, faultfs::OpenMode::kReadWrite);
  ASSERT_TRUE(file.is_ok()) << path;
  ASSERT_TRUE((*file)->write_at(offset, bytes).is_ok());
  ASSERT_TRUE((*file)->sync().is_ok());
  ASSERT_TRUE((*file)->close().is_ok());
}

// Every file of the database, by path.
inline std::vector<std::string> database_files(faultfs::FileSystem& fs) {
  std::vector<std::string> files;
  for (const std::string& dir : {std::string(kDbDir), std::string(kDbDir) + "/wos"}) {
    auto names = fs.list(dir);
    EXPECT_TRUE(names.is_ok());
    for (const std::string& name : *names) {
      const std::string path = dir + "/" + name;
      if (path == std::string(kDbDir) + "/wos") continue;
      files.push_back(path);
    }
  }
  return files;
}

using Rows = std::map<std::pair<std::string, std::string>, std::string>;

inline Rows rows_of(Database& db) {
  Rows rows;
  for (const std::string& table : db.table_names()) {
    for (auto& [key, value] : db.scan(table)) rows[{table, key}] = value;
  }
  return rows;
}

}  // namespace dbx::testing
