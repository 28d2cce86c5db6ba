// The on-disk format of the DBX write-ahead log (engine/doc/wal_format.md).
//
// Every constant of the byte layout lives here, and static_asserts tie each
// literal to the constants it depends on, so a change that breaks the layout
// fails to compile instead of producing unreadable logs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "dbx/options.h"

namespace dbx::wal {

// ---- File header: one sector at offset 0 --------------------------------
// A single-sector write is atomic in the crash model, so the header is either
// the old one or the new one, never a mix.
inline constexpr uint64_t kFileHeaderBytes = 512;
inline constexpr std::string_view kMagic = "DBXWAL01";
// Version 2 (written today) adds the base sequence; version 1 is still read.
inline constexpr uint32_t kFormatVersion = 2;
inline constexpr uint32_t kFormatVersionV1 = 1;
// Version 3: the version 2 layout, in an encrypted database: every payload is
// sealed (wal_seal.h). Written only with a key; a plain reader refuses it.
inline constexpr uint32_t kFormatVersionSealed = 3;
inline constexpr size_t kFileMagicOffset = 0;
inline constexpr size_t kFileVersionOffset = 8;
inline constexpr size_t kFileEpochOffset = 12;
// Version 2: the checkpoint sequence the log starts after (a cut's
// checkpoint, or the store's checkpoint when the log was created). No record
// at or below it is needed by anyone.
inline constexpr size_t kFileBaseSequenceOffset = 16;
inline constexpr size_t kFileCrcOffset = 24;
inline constexpr size_t kFileCrcOffsetV1 = 16;
// The header crc covers every field before it.
inline constexpr size_t kFileCrcCoveredBytes = kFileCrcOffset;
inline constexpr size_t kFileHeaderUsedBytes = kFileCrcOffset + 4;
static_assert(kMagic.size() == 8);
static_assert(kFileVersionOffset == kFileMagicOffset + kMagic.size());
static_assert(kFileEpochOffset == kFileVersionOffset + 4);
static_assert(kFileBaseSequenceOffset == kFileEpochOffset + 4);
static_assert(kFileCrcOffset == kFileBaseSequenceOffset + 8);
static_assert(kFileCrcOffsetV1 == kFileEpochOffset + 4);
static_assert(kFileHeaderUsedBytes <= kFileHeaderBytes);

// ---- Record frames: 40-byte header, payload, zero padding to 8 -----------
inline constexpr uint64_t kRecordHeaderBytes = 40;
inline constexpr uint64_t kRecordAlignment = 8;
inline constexpr size_t kHeaderCrcOffset = 0;
inline constexpr size_t kPayloadCrcOffset = 4;
inline constexpr size_t kPayloadLengthOffset = 8;
inline constexpr size_t kKindOffset = 12;
inline constexpr size_t kFlagsOffset = 13;
inline constexpr size_t kReserved16Offset = 14;
inline constexpr size_t kEpochOffset = 16;
inline constexpr size_t kReserved32Offset = 20;
inline constexpr size_t kSequenceOffset = 24;
inline constexpr size_t kSyncedSequenceOffset = 32;
// The header crc covers the header after the crc field itself.
inline constexpr size_t kHeaderCrcCoveredOffset = kHeaderCrcOffset + 4;
static_assert(kPayloadCrcOffset == kHeaderCrcOffset + 4);
static_assert(kPayloadLengthOffset == kPayloadCrcOffset + 4);
static_assert(kKindOffset == kPayloadLengthOffset + 4);
static_assert(kFlagsOffset == kKindOffset + 1);
static_assert(kReserved16Offset == kFlagsOffset + 1);
static_assert(kEpochOffset == kReserved16Offset + 2);
static_assert(kReserved32Offset == kEpochOffset + 4);
static_assert(kSequenceOffset == kReserved32Offset + 4);
static_assert(kSyncedSequenceOffset == kSequenceOffset + 8);
static_assert(kRecordHeaderBytes == kSyncedSequenceOffset + 8);
static_assert(kSequenceOffset % 8 == 0, "u64 fields are naturally aligned");
// Records start at aligned offsets, so the reader's look-ahead only probes
// offsets that are multiples of kRecordAlignment.
inline constexpr uint64_t kFirstRecordOffset = kFileHeaderBytes;
static_assert(kFirstRecordOffset % kRecordAlignment == 0);
static_assert(kRecordHeaderBytes % kRecordAlignment == 0);

// A length read from disk above this is a bad record. It exceeds the largest
// batch the engine accepts plus its encoding overhead, and fits in the u32
// length field.
inline constexpr uint64_t kMaxRecordPayloadBytes = 80ull << 20;
static_assert(kMaxRecordPayloadBytes > dbx::kMaxBatchBytes + (1ull << 20));
static_assert(kMaxRecordPayloadBytes <= UINT32_MAX);

enum class RecordKind : uint8_t {
  kInsert = 1,
  kDelete = 2,
  kBatch = 3,
  kCheckpoint = 4,
  // Written after a sync returned, so that a later reader knows what it made
  // durable even when no write follows: its synced_sequence is the sequence
  // the sync covered, its sequence the last one appended (it does not take a
  // sequence of its own), its payload empty. Changes no data.
  kSyncProof = 5,
};
inline constexpr uint8_t kMinRecordKind = 1;
inline constexpr uint8_t kMaxRecordKind = 5;
static_assert(static_cast<uint8_t>(RecordKind::kInsert) == kMinRecordKind);
static_assert(static_cast<uint8_t>(RecordKind::kSyncProof) == kMaxRecordKind);

inline bool is_valid_kind(uint8_t kind) { return kind >= kMinRecordKind && kind <= kMaxRecordKind; }
const char* record_kind_name(RecordKind kind);

// Payload bytes rounded up to the record alignment.
inline constexpr uint64_t padded_bytes(uint64_t payload_bytes) {
  return (payload_bytes + kRecordAlignment - 1) / kRecordAlignment * kRecordAlignment;
}
// The whole frame a payload of `payload_bytes` occupies on disk.
inline constexpr uint64_t frame_bytes(uint64_t payload_bytes) {
  return kRecordHeaderBytes + padded_bytes(payload_bytes);
}
static_assert(frame_bytes(0) == kRecordHeaderBytes);
static_assert(frame_bytes(1) == kRecordHeaderBytes + kRecordAlignment);
static_assert(frame_bytes(kRecordAlignment) == kRecordHeaderBytes + kRecordAlignment);

// The decoded fields of a record header (the header crc is checked, not kept).
struct RecordHeader {
  uint32_t payload_crc = 0;  // Masked crc32c of the payload.
  uint32_t payload_length = 0;
  uint8_t kind = 0;  // Raw: validated by the reader, not by the parser.
  uint8_t flags = 0;
  uint16_t reserved16 = 0;
  uint32_t epoch = 0;
  uint32_t reserved32 = 0;
  uint64_t sequence = 0;
  uint64_t synced_sequence = 0;
};

// Writes `header` into dst[0, kRecordHeaderBytes), header crc included.
void encode_record_header(const RecordHeader& header, char* dst);

// Decodes src[0, kRecordHeaderBytes); nullopt when the header crc mismatches.
std::optional<RecordHeader> parse_record_header(const char* src);

// Masked crc32c of a payload, as stored in RecordHeader::payload_crc.
uint32_t payload_crc(std::string_view payload);

// Writes the file header (version 2, or kFormatVersionSealed) for `epoch` and
// `base_sequence` into dst[0, kFileHeaderBytes).
void encode_file_header(uint32_t epoch, uint64_t base_sequence, char* dst,
                        uint32_t version = kFormatVersion);

enum class FileHeaderProblem { kNone, kBadMagic, kBadCrc, kBadVersion, kZeroEpoch };
struct ParsedFileHeader {
  FileHeaderProblem problem = FileHeaderProblem::kNone;
  uint32_t epoch = 0;  // Meaningful only when problem == kNone.
  uint32_t version = 0;
  uint64_t base_sequence = 0;  // Versions 2 and 3; 0 for version 1.
};
// Decodes src[0, kFileHeaderBytes). The caller handles an all-zero sector.
ParsedFileHeader parse_file_header(const char* src);
const char* file_header_problem_name(FileHeaderProblem problem);

// Whether every byte of `bytes` is zero.
bool all_zero(std::string_view bytes);

}  // namespace dbx::wal
