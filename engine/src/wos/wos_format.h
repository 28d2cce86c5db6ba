// The WOS on-disk format: byte layouts of the `db` header, of one entry and of
// `conf`, with encoders and checked decoders. The prose, the crash case
// analysis and the limits live in engine/doc/wos_format.md; the static_asserts
// below pin every number that document states, so the two cannot drift apart.
//
// Decoders never trust a length before bounding it: every length field is
// checked against the dbx limits (dbx/options.h) and against the bytes given,
// before anything is allocated or read from it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "dbx/options.h"
#include "faultfs/status.h"

namespace dbx::wos {

// The db file's format version (conf has its own, below).
inline constexpr uint32_t kFormatVersion = 1;

// File names inside the store's directory.
inline constexpr std::string_view kDbFileName = "db";
inline constexpr std::string_view kConfFileName = "conf";
inline constexpr std::string_view kDbTempFileName = "db.tmp";
inline constexpr std::string_view kConfTempFileName = "conf.tmp";

// ---- db header (at offset 0 of `db`) ---------------------------------------
//  0  magic "DBXWOSDB"        8 bytes
//  8  format version          u32
// 12  flags                   u32  bit 0: kDbFlagSealed; others 0
// 16  generation              u64
// 24  base checkpoint seq     u64   checkpoint the file was written for
// 32  base length             u64   file length when written (header + entries)
// 40  reserved (must be 0)    u32
// 44  masked crc32c of [0,44) u32
inline constexpr std::string_view kDbMagic = "DBXWOSDB";
inline constexpr size_t kDbHeaderBytes = 48;
inline constexpr size_t kDbHeaderGenerationOffset = 16;
inline constexpr size_t kDbHeaderBaseSequenceOffset = 24;
inline constexpr size_t kDbHeaderBaseLengthOffset = 32;
inline constexpr size_t kDbHeaderCrcOffset = 44;
static_assert(kDbMagic.size() == 8);
static_assert(kDbHeaderGenerationOffset == kDbMagic.size() + 4 + 4);
static_assert(kDbHeaderBaseSequenceOffset == kDbHeaderGenerationOffset + 8);
static_assert(kDbHeaderBaseLengthOffset == kDbHeaderBaseSequenceOffset + 8);
static_assert(kDbHeaderCrcOffset == kDbHeaderBaseLengthOffset + 8 + 4);
static_assert(kDbHeaderCrcOffset + 4 == kDbHeaderBytes);

// Flags bit 0: the store is encrypted and every entry sealed (wos_seal.h).
inline constexpr uint32_t kDbFlagSealed = 1;

struct DbHeader {
  uint64_t generation = 0;
  uint64_t base_sequence = 0;
  uint64_t base_length = 0;
  bool sealed = false;
};

// ---- entry (from kDbHeaderBytes up to the committed length) ------------------
//  0  masked crc32c of [4, end) u32
//  4  type                      u8   1 = put, 2 = tombstone
//  5  table name length         u8   1..255
//  6  reserved (must be 0)      u16
//  8  key length                u32  0..kMaxKeyBytes
// 12  value length              u32  0..kMaxValueBytes (0 for a tombstone)
// 16  table name, key, value bytes
inline constexpr size_t kEntryHeaderBytes = 16;
inline constexpr uint8_t kEntryTypePut = 1;
inline constexpr uint8_t kEntryTypeTombstone = 2;
inline constexpr uint64_t kEntryBytesMax =
    kEntryHeaderBytes + kMaxTableNameBytes + kMaxKeyBytes + kMaxValueBytes;
static_assert(kMaxTableNameBytes == 255, "the table name length is one byte");
static_assert(kMaxKeyBytes <= UINT32_MAX && kMaxValueBytes <= UINT32_MAX);
static_assert(kEntryBytesMax < (uint64_t{32} << 20), "one entry fits a bounded buffer");

// ---- conf (the whole file) ----------------------------------------------------
// Version 2 (written today), 80 bytes:
//  0  magic "DBXWCONF"          8 bytes
//  8  format version (2)        u32
// 12  flags                     u32  bit 0: the WAL facts below are unknown (a
//                                    version 1 conf rewritten before the engine
//                                    told the store its log); other bits 0
// 16  generation                u64  must name the `db` generation
// 24  committed length of db    u64
// 32  checkpoint sequence       u64
// 40  live entry count          u64
// 48  live bytes                u64  sum of the live put entries' sizes
// 56  WAL epoch                 u32  the epoch of the wal.log this conf was written
//                                    beside; 0: no log existed
// 60  reserved (must be 0)      u32
// 64  WAL synced sequence       u64  records through it were durable in that log
// 72  reserved (must be 0)      u32
// 76  masked crc32c of [0,76)   u32
// Version 1 (still read), 64 bytes: the same up to offset 56, then a reserved
// u32 and the crc of [0,60) at 60. It carries no WAL facts.
inline constexpr std::string_view kConfMagic = "DBXWCONF";
inline constexpr uint32_t kConfFormatVersion = 2;
inline constexpr uint32_t kConfFormatVersionV1 = 1;
inline constexpr size_t kConfBytes = 80;
inline constexpr size_t kConfCrcOffset = 76;
inline constexpr size_t kConfGenerationOffset = 16;
inline constexpr size_t kConfDbLengthOffset = 24;
inline constexpr size_t kConfCheckpointSequenceOffset = 32;
inline constexpr size_t kConfLiveEntriesOffset = 40;
inline constexpr size_t kConfLiveBytesOffset = 48;
inline constexpr size_t kConfWalEpochOffset = 56;
inline constexpr size_t kConfWalSyncedOffset = 64;
inline constexpr uint32_t kConfFlagWalUnknown = 1;
inline constexpr size_t kConfBytesV1 = 64;
inline constexpr size_t kConfCrcOffsetV1 = 60;
static_assert(kConfMagic.size() == 8);
static_assert(kConfCrcOffset + 4 == kConfBytes);
static_assert(kConfCrcOffsetV1 + 4 == kConfBytesV1);
static_assert(kConfGenerationOffset == kConfMagic.size() + 4 + 4);
static_assert(kConfDbLengthOffset == kConfGenerationOffset + 8);
static_assert(kConfCheckpointSequenceOffset == kConfDbLengthOffset + 8);
static_assert(kConfLiveEntriesOffset == kConfCheckpointSequenceOffset + 8);
static_assert(kConfLiveBytesOffset == kConfLiveEntriesOffset + 8);
static_assert(kConfWalEpochOffset == kConfLiveBytesOffset + 8);
static_assert(kConfWalSyncedOffset == kConfWalEpochOffset + 8);

// What conf says about the WAL it was written beside (version 2 only).
struct ConfWalState {
  bool known = false;            // False for a version 1 conf.
  uint32_t epoch = 0;            // 0: no log existed.
  uint64_t synced_sequence = 0;  // Records through it were durable in that log.
};

struct Conf {
  uint64_t generation = 0;
  uint64_t db_length = 0;
  uint64_t checkpoint_sequence = 0;
  uint64_t live_entries = 0;
  uint64_t live_bytes = 0;
  ConfWalState wal;  // Encoded as version 2 whatever `wal.known` says.
};

// ---- sizes and policies -------------------------------------------------------
// Sequential reads (open, compaction) and coalesced range reads use buffers of
// this size; an entry larger than it gets a buffer of its own size.
inline constexpr size_t kReadChunkBytes = 1 << 20;
// Appends are issued in pieces of about this size.
inline constexpr size_t kWriteChunkBytes = 1 << 20;
// Compaction walks the index in key order this many keys at a time (it then
// reads them in batches of about kReadChunkBytes of entries).
inline constexpr size_t kCompactionBatchKeys = 4096;
// Compaction runs when the file would exceed both 2x the live bytes and this.
inline constexpr uint64_t kCompactionMinBytes = 1 << 20;
// The least a caller may lower it to (dbx::Options::wos_compaction_min_bytes).
inline constexpr uint64_t kCompactionMinBytesFloor = 4 << 10;
static_assert(kCompactionMinBytesFloor >= kDbHeaderBytes &&
              kCompactionMinBytesFloor <= kCompactionMinBytes);
static_assert(kCompactionMinBytes >= kDbHeaderBytes);

// The numbers engine/doc/wos_format.md states.
static_assert(kDbHeaderBytes == 48 && kEntryHeaderBytes == 16 && kConfBytes == 80);
static_assert(kMaxKeyBytes == 65536 && kMaxValueBytes == (16u << 20));
static_assert(kReadChunkBytes == (1u << 20) && kCompactionMinBytes == (1u << 20));
static_assert(sizeof(uint64_t) + sizeof(uint32_t) <= 16, "an index location fits 16 bytes");

// The first generation of a new store.
inline constexpr uint64_t kFirstGeneration = 1;

// An entry's size on disk.
inline constexpr uint64_t entry_bytes(size_t table_bytes, size_t key_bytes, size_t value_bytes) {
  return kEntryHeaderBytes + table_bytes + key_bytes + value_bytes;
}

std::string encode_db_header(const DbHeader& header);
// `bytes` must be the first kDbHeaderBytes of the file at `path`.
[[nodiscard]] faultfs::Result<DbHeader> decode_db_header(std::string_view bytes,
                                                         const std::string& path);

std::string encode_conf(const Conf& conf);
[[nodiscard]] faultfs::Result<Conf> decode_conf(std::string_view bytes, const std::string& path);

// Appends one encoded entry to `dst`. A tombstone has an empty value.
void append_entry(std::string* dst, uint8_t type, std::string_view table, std::string_view key,
                  std::string_view value);

// What an entry's fixed header says, checked against the limits only.
struct EntryHeader {
  uint8_t type = 0;
  uint32_t table_bytes = 0;
  uint32_t key_bytes = 0;
  uint32_t value_bytes = 0;
  uint32_t seal_bytes = 0;  // A sealed store's per-entry overhead (wos_seal.h).
  uint64_t total_bytes() const {
    return entry_bytes(table_bytes, key_bytes, value_bytes) + seal_bytes;
  }
};
// `bytes` holds at least kEntryHeaderBytes. Rejects out-of-limit lengths
// before anyone sizes a buffer from them.
[[nodiscard]] faultfs::Result<EntryHeader> decode_entry_header(std::string_view bytes,
                                                               const std::string& path,
                                                               uint64_t offset);

// A verified entry; the views point into the caller's buffer.
struct EntryView {
  uint8_t type = 0;
  std::string_view table;
  std::string_view key;
  std::string_view value;
};
// `bytes` is exactly one whole entry (its header's total_bytes()). Verifies the
// checksum and the structure.
[[nodiscard]] faultfs::Result<EntryView> decode_entry(std::string_view bytes,
                                                      const std::string& path, uint64_t offset);
// The two steps decode_entry shares with a sealed entry's decoding
// (wos_seal.cc): `bytes` has `header`'s size and a matching crc over the
// stored bytes; and the views of table, key and value in `body` (the plain
// bytes after the header, exactly the header's three lengths).
[[nodiscard]] faultfs::Status check_entry_size_and_crc(std::string_view bytes,
                                                       const EntryHeader& header,
                                                       const std::string& path, uint64_t offset);
EntryView split_entry_body(const EntryHeader& header, std::string_view body);

// kCorruption naming the file and the offset, the shape every format error has.
faultfs::Status corruption(const std::string& path, uint64_t offset, std::string_view what);

}  // namespace dbx::wos
