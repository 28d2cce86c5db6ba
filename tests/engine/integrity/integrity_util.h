// Helpers for the integrity tests: a real database directory damaged the way
// disks, backups and operators damage one, then reopened in each recovery mode.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "dbx/dbx.h"

namespace dbx::testing {

inline std::string row_key(uint64_t i) {
  char key[32];
  std::snprintf(key, sizeof key, "k%06llu", static_cast<unsigned long long>(i));
  return key;
}

inline Options integrity_options(RecoveryMode mode = RecoveryMode::kStrict) {
  Options options;
  options.durability = Durability::kLazy;
  options.recovery_mode = mode;
  // No background sync: only flush(), close() and the test decide what is synced.
  options.sync_interval = std::chrono::milliseconds(10'000);
  return options;
}

// Inserts rows [from, to) of table "t"; row i's value is "v" + key.
inline void insert_rows(Database& db, uint64_t from, uint64_t to) {
  for (uint64_t i = from; i < to; ++i) db.insert("t", row_key(i), "v" + row_key(i));
}

// The open's error code, or nullopt when it succeeded (the handle is closed).
inline std::optional<Error> open_error(const std::string& dir, const Options& options) {
  try {
    Database::open(dir, options)->close();
  } catch (const Error& e) {
    return e;
  }
  return std::nullopt;
}

// A strict open fails with kCorruption and a message naming `names`.
inline void expect_strict_corruption(const std::string& dir,
                                     const std::vector<std::string>& names) {
  const std::optional<Error> error = open_error(dir, integrity_options());
  ASSERT_TRUE(error.has_value()) << "strict open of " << dir << " succeeded";
  EXPECT_EQ(error->code(), ErrorCode::kCorruption) << error->what();
  for (const std::string& name : names) {
    EXPECT_NE(std::string(error->what()).find(name), std::string::npos)
        << "message does not name " << name << ": " << error->what();
  }
}

// The rows of table "t" are exactly rows [0, n) for some n >= min_rows, with
// their values: a prefix of the history. Returns n.
inline uint64_t expect_prefix(Database& db, uint64_t min_rows) {
  const std::vector<Database::Row> rows = db.scan("t");
  for (uint64_t i = 0; i < rows.size(); ++i) {
    EXPECT_EQ(rows[i].first, row_key(i)) << "row " << i << " is not the history's";
    if (rows[i].first != row_key(i)) break;
    EXPECT_EQ(rows[i].second, "v" + row_key(i));
  }
  EXPECT_GE(rows.size(), min_rows);
  return rows.size();
}

inline std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

inline void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

inline uint32_t u32_at(const std::string& bytes, size_t offset) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(bytes[offset + i]);
  return v;
}

inline uint64_t u64_at(const std::string& bytes, size_t offset) {
  return u32_at(bytes, offset) | (uint64_t{u32_at(bytes, offset + 4)} << 32);
}

// The offset of the WAL frame carrying `sequence` (the 40-byte frame header
// holds the payload length at 8 and the sequence at 24); -1 when absent.
inline int64_t wal_frame_offset(const std::string& wal, uint64_t sequence) {
  size_t offset = 512;
  while (offset + 40 <= wal.size()) {
    const uint32_t length = u32_at(wal, offset + 8);
    if (length == 0 && u64_at(wal, offset + 24) == 0) return -1;
    if (u64_at(wal, offset + 24) == sequence) return static_cast<int64_t>(offset);
    offset += 40 + (length + 7) / 8 * 8;
  }
  return -1;
}

// Flips one bit of the frame header of record `sequence` in `wal_path`.
inline void flip_bit_in_record(const std::string& wal_path, uint64_t sequence) {
  std::string wal = read_bytes(wal_path);
  const int64_t offset = wal_frame_offset(wal, sequence);
  ASSERT_GE(offset, 0) << "record " << sequence << " not found in " << wal_path;
  wal[static_cast<size_t>(offset) + 24] ^= 0x10;
  write_bytes(wal_path, wal);
}

}  // namespace dbx::testing
