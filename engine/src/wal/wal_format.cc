#include "wal/wal_format.h"

#include <algorithm>
#include <cassert>
#include <cstring>

#include "faultfs/crc32c.h"
#include "util/coding.h"

namespace dbx::wal {

const char* record_kind_name(RecordKind kind) {
  switch (kind) {
    case RecordKind::kInsert:
      return "insert";
    case RecordKind::kDelete:
      return "delete";
    case RecordKind::kBatch:
      return "batch";
    case RecordKind::kCheckpoint:
      return "checkpoint";
    case RecordKind::kSyncProof:
      return "sync proof";
  }
  return "unknown";
}

void encode_record_header(const RecordHeader& header, char* dst) {
  assert(is_valid_kind(header.kind));
  assert(header.payload_length <= kMaxRecordPayloadBytes);
  assert(header.epoch != 0);
  coding::encode_fixed32(dst + kPayloadCrcOffset, header.payload_crc);
  coding::encode_fixed32(dst + kPayloadLengthOffset, header.payload_length);
  dst[kKindOffset] = static_cast<char>(header.kind);
  dst[kFlagsOffset] = static_cast<char>(header.flags);
  std::memcpy(dst + kReserved16Offset, &header.reserved16, sizeof(header.reserved16));
  coding::encode_fixed32(dst + kEpochOffset, header.epoch);
  coding::encode_fixed32(dst + kReserved32Offset, header.reserved32);
  coding::encode_fixed64(dst + kSequenceOffset, header.sequence);
  coding::encode_fixed64(dst + kSyncedSequenceOffset, header.synced_sequence);
  const uint32_t crc = faultfs::crc32c::value(dst + kHeaderCrcCoveredOffset,
                                              kRecordHeaderBytes - kHeaderCrcCoveredOffset);
  coding::encode_fixed32(dst + kHeaderCrcOffset, faultfs::crc32c::mask(crc));
}

std::optional<RecordHeader> parse_record_header(const char* src) {
  const uint32_t stored = faultfs::crc32c::unmask(coding::decode_fixed32(src + kHeaderCrcOffset));
  const uint32_t actual = faultfs::crc32c::value(src + kHeaderCrcCoveredOffset,
                                                 kRecordHeaderBytes - kHeaderCrcCoveredOffset);
  if (stored != actual) return std::nullopt;
  RecordHeader header;
  header.payload_crc = coding::decode_fixed32(src + kPayloadCrcOffset);
  header.payload_length = coding::decode_fixed32(src + kPayloadLengthOffset);
  header.kind = static_cast<uint8_t>(src[kKindOffset]);
  header.flags = static_cast<uint8_t>(src[kFlagsOffset]);
  std::memcpy(&header.reserved16, src + kReserved16Offset, sizeof(header.reserved16));
  header.epoch = coding::decode_fixed32(src + kEpochOffset);
  header.reserved32 = coding::decode_fixed32(src + kReserved32Offset);
  header.sequence = coding::decode_fixed64(src + kSequenceOffset);
  header.synced_sequence = coding::decode_fixed64(src + kSyncedSequenceOffset);
  return header;
}

uint32_t payload_crc(std::string_view payload) {
  return faultfs::crc32c::mask(faultfs::crc32c::value(payload));
}

void encode_file_header(uint32_t epoch, uint64_t base_sequence, char* dst, uint32_t version) {
  assert(epoch != 0);
  assert(version == kFormatVersion || version == kFormatVersionSealed);
  std::memset(dst, 0, kFileHeaderBytes);
  std::memcpy(dst + kFileMagicOffset, kMagic.data(), kMagic.size());
  coding::encode_fixed32(dst + kFileVersionOffset, version);
  coding::encode_fixed32(dst + kFileEpochOffset, epoch);
  coding::encode_fixed64(dst + kFileBaseSequenceOffset, base_sequence);
  coding::encode_fixed32(dst + kFileCrcOffset,
                         faultfs::crc32c::mask(faultfs::crc32c::value(dst, kFileCrcCoveredBytes)));
}

ParsedFileHeader parse_file_header(const char* src) {
  ParsedFileHeader parsed;
  if (std::string_view(src + kFileMagicOffset, kMagic.size()) != kMagic) {
    parsed.problem = FileHeaderProblem::kBadMagic;
    return parsed;
  }
  // The version says where the crc is; a version this code does not know is
  // told from a damaged sector by a crc that is valid in either layout.
  auto crc_ok = [src](size_t crc_offset) {
    const uint32_t stored = faultfs::crc32c::unmask(coding::decode_fixed32(src + crc_offset));
    return stored == faultfs::crc32c::value(src, crc_offset);
  };
  parsed.version = coding::decode_fixed32(src + kFileVersionOffset);
  const bool v2_layout = parsed.version == kFormatVersion || parsed.version == kFormatVersionSealed;
  if (v2_layout || parsed.version == kFormatVersionV1) {
    if (!crc_ok(v2_layout ? kFileCrcOffset : kFileCrcOffsetV1)) {
      parsed.problem = FileHeaderProblem::kBadCrc;
      return parsed;
    }
  } else {
    const bool whole = crc_ok(kFileCrcOffset) || crc_ok(kFileCrcOffsetV1);
    parsed.problem = whole ? FileHeaderProblem::kBadVersion : FileHeaderProblem::kBadCrc;
    return parsed;
  }
  if (v2_layout) {
    parsed.base_sequence = coding::decode_fixed64(src + kFileBaseSequenceOffset);
  }
  parsed.epoch = coding::decode_fixed32(src + kFileEpochOffset);
  // Epoch 0 means "no log" in the reader's summary; the writer never uses it.
  if (parsed.epoch == 0) parsed.problem = FileHeaderProblem::kZeroEpoch;
  return parsed;
}

const char* file_header_problem_name(FileHeaderProblem problem) {
  switch (problem) {
    case FileHeaderProblem::kNone:
      return "ok";
    case FileHeaderProblem::kBadMagic:
      return "file header has a bad magic";
    case FileHeaderProblem::kBadCrc:
      return "file header crc mismatch";
    case FileHeaderProblem::kBadVersion:
      return "file header has an unsupported format version";
    case FileHeaderProblem::kZeroEpoch:
      return "file header has epoch 0";
  }
  return "unknown file header problem";
}

bool all_zero(std::string_view bytes) {
  return std::all_of(bytes.begin(), bytes.end(), [](char c) { return c == 0; });
}

}  // namespace dbx::wal
