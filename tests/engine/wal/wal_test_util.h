// Shared helpers for the WAL tests: record builders, raw frame crafting and a
// read_log wrapper that collects what the reader accepted.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "faultfs/crc32c.h"
#include "faultfs/sim_fs.h"
#include "support/sim_file.h"
#include "wal/wal_format.h"
#include "wal/wal_reader.h"
#include "wal/wal_record.h"
#include "wal/wal_window.h"
#include "wal/wal_writer.h"

namespace dbx::wal::testing {

inline const std::string kLogPath = "db/wal.log";

inline Record insert_record(uint64_t sequence, std::string table, std::string key,
                            std::string value) {
  Record r;
  r.kind = RecordKind::kInsert;
  r.sequence = sequence;
  r.mutations.push_back(Mutation{false, std::move(table), std::move(key), std::move(value)});
  return r;
}

inline Record delete_record(uint64_t sequence, std::string table, std::string key) {
  Record r;
  r.kind = RecordKind::kDelete;
  r.sequence = sequence;
  r.mutations.push_back(Mutation{true, std::move(table), std::move(key), ""});
  return r;
}

inline Record checkpoint_record(uint64_t sequence) {
  Record r;
  r.kind = RecordKind::kCheckpoint;
  r.sequence = sequence;
  return r;
}

// A record of `value_bytes` filler, distinct per sequence.
inline Record filler_record(uint64_t sequence, size_t value_bytes = 24) {
  return insert_record(sequence, "t", "key" + std::to_string(sequence),
                       std::string(value_bytes, static_cast<char>('a' + sequence % 26)));
}

// Appends `record` through `writer`; returns the offset where it starts.
inline uint64_t append_record(WalWriter& writer, const Record& record) {
  const uint64_t start = writer.end_offset();
  auto end = writer.append(record.kind, record.sequence, encode_payload(record));
  EXPECT_TRUE(end.is_ok()) << end.status().to_string();
  return start;
}

inline std::unique_ptr<WalWriter> create_writer(faultfs::FileSystem& fs, uint32_t epoch = 1) {
  auto writer = WalWriter::create(fs, kLogPath, epoch);
  EXPECT_TRUE(writer.is_ok()) << writer.status().to_string();
  return writer.is_ok() ? std::move(*writer) : nullptr;
}

// Makes the log's directory a durable directory of `fs`, as if it predated
// the test: SimFs refuses a file whose directory is missing.
inline void make_log_dir(faultfs::SimFs& fs) {
  const faultfs::Status dir = fs.create_dirs_durable("db");
  EXPECT_TRUE(dir.is_ok()) << dir.to_string();
}

// As above on a SimFs, after make_log_dir.
inline std::unique_ptr<WalWriter> create_writer(faultfs::SimFs& fs, uint32_t epoch = 1) {
  make_log_dir(fs);
  return create_writer(static_cast<faultfs::FileSystem&>(fs), epoch);
}

using dbx::testing::set_sim_bytes;
using dbx::testing::sim_bytes;

struct ReadResult {
  faultfs::Status status;
  WalReadSummary summary;
  std::vector<Record> records;

  // Keeps the summary of a read that succeeded, or its error.
  void set(const faultfs::Result<WalReadSummary>& read) {
    if (read.is_ok()) {
      summary = read.value();
    } else {
      status = read.status();
    }
  }
};

inline ReadResult read_all(faultfs::FileSystem& fs, TailMode mode = TailMode::kStrict,
                           uint64_t min_relevant_sequence = 0) {
  ReadResult out;
  auto summary = read_log(fs, kLogPath, mode, min_relevant_sequence, [&](const Record& r) {
    out.records.push_back(r);
    return faultfs::Status::ok();
  });
  out.set(summary);
  return out;
}

// As read_all, through read_log_views: each view is copied while it is valid.
inline ReadResult read_all_views(faultfs::FileSystem& fs, TailMode mode = TailMode::kStrict,
                                 uint64_t min_relevant_sequence = 0) {
  ReadResult out;
  auto summary =
      read_log_views(fs, kLogPath, mode, min_relevant_sequence, [&](const RecordView& view) {
        out.records.push_back(to_record(view));
        return faultfs::Status::ok();
      });
  out.set(summary);
  return out;
}

inline std::vector<uint64_t> sequences(const std::vector<Record>& records) {
  std::vector<uint64_t> out;
  for (const Record& r : records) out.push_back(r.sequence);
  return out;
}

// A raw frame with arbitrary fields, for crafting what no writer would write.
inline std::string craft_frame(uint32_t epoch, uint64_t sequence, uint64_t synced_sequence,
                               std::string_view payload, uint8_t kind = 1,
                               uint32_t length_override = UINT32_MAX) {
  RecordHeader h;
  h.payload_crc = payload_crc(payload);
  h.payload_length = static_cast<uint32_t>(payload.size());
  h.kind = 1;
  h.epoch = epoch;
  h.sequence = sequence;
  h.synced_sequence = synced_sequence;
  std::string frame(frame_bytes(payload.size()), '\0');
  encode_record_header(h, frame.data());
  frame.replace(kRecordHeaderBytes, payload.size(), payload);
  // Patch fields the encoder asserts on, then re-seal the header crc by hand.
  frame[kKindOffset] = static_cast<char>(kind);
  if (length_override != UINT32_MAX) {
    std::memcpy(frame.data() + kPayloadLengthOffset, &length_override, 4);
  }
  const uint32_t crc = faultfs::crc32c::mask(faultfs::crc32c::value(
      frame.data() + kHeaderCrcCoveredOffset, kRecordHeaderBytes - kHeaderCrcCoveredOffset));
  std::memcpy(frame.data() + kHeaderCrcOffset, &crc, 4);
  return frame;
}

// Reads the header of the frame at `offset` in `bytes` (crc must be valid).
inline RecordHeader header_at(const std::string& bytes, uint64_t offset) {
  auto h = parse_record_header(bytes.data() + offset);
  EXPECT_TRUE(h.has_value()) << "no valid header at offset " << offset;
  return h.value_or(RecordHeader{});
}

// Every tail mode, for tests that must hold in all of them.
inline constexpr TailMode kAllModes[] = {TailMode::kStrict, TailMode::kTolerateTail,
                                         TailMode::kSkipCorrupted};

// A log's bytes with where each record starts and what it holds.
struct Log {
  std::string bytes;
  std::vector<uint64_t> offsets;  // Where each record starts.
  std::vector<Record> records;
};

// A kBatch record of `ops` (is_delete, table, key, value); deletes drop
// their value, as the engine writes them.
inline Record batch_of(
    const std::vector<std::tuple<bool, std::string, std::string, std::string>>& ops,
    uint64_t sequence) {
  Record r;
  r.kind = RecordKind::kBatch;
  r.sequence = sequence;
  for (const auto& [is_delete, table, key, value] : ops) {
    r.mutations.push_back(Mutation{is_delete, table, key, is_delete ? "" : value});
  }
  return r;
}

// A batch over two tables with a delete, a NUL byte and empty fields.
inline Record batch_spanning_tables() {
  Record r;
  r.kind = RecordKind::kBatch;
  r.sequence = 42;
  r.mutations.push_back(Mutation{false, "users", "alice", "1"});
  r.mutations.push_back(Mutation{true, "users", "bob", ""});
  r.mutations.push_back(Mutation{false, "orders", std::string("o\0rder", 6), ""});
  r.mutations.push_back(Mutation{true, "", "", ""});
  return r;
}

}  // namespace dbx::wal::testing
