#include "wal/wal_scan.h"

#include <algorithm>
#include <cassert>
#include <cstring>

#include "faultfs/status_macros.h"
#include "util/coding.h"

namespace dbx::wal {
namespace {

// A header worth a crc check: not all zeros, and an epoch field at least the
// log's (older epochs are never live nor proofs, so they are skipped unread).
bool may_be_live(std::string_view header, uint32_t epoch) {
  assert(header.size() == kRecordHeaderBytes);
  if (coding::decode_fixed32(header.data() + kEpochOffset) < epoch) return false;
  return !all_zero(header);
}

// Zero runs are skipped this many bytes at a time (the preallocated tail of a
// log is megabytes of zeros; probing it at every aligned offset dominated
// reopen time).
constexpr uint64_t kZeroSkipBytes = 64 * 1024;

// Index of the first non-zero byte of `bytes`, or npos; eight bytes at a step
// (string_view::find_first_not_of tests one byte at a time).
size_t first_nonzero_byte(std::string_view bytes) {
  size_t i = 0;
  for (; i + 8 <= bytes.size(); i += 8) {
    uint64_t word;
    std::memcpy(&word, bytes.data() + i, 8);
    if (word != 0) break;
  }
  for (; i < bytes.size(); ++i) {
    if (bytes[i] != '\0') return i;
  }
  return std::string_view::npos;
}

// The next aligned offset after `offset` whose header range [o, o + header)
// may hold a non-zero byte, given that the header at `offset` is all zeros.
faultfs::Result<uint64_t> next_candidate(LogWindow& window, uint64_t offset) {
  const uint64_t size = window.file_size_bytes();
  const uint64_t length = std::min(kZeroSkipBytes, size - offset);
  ASSIGN_OR_RETURN(auto bytes, window.view(offset, length));
  const size_t nonzero = first_nonzero_byte(bytes);
  const uint64_t first_nonzero =
      nonzero == std::string_view::npos ? offset + length : offset + nonzero;
  // A header starting at o covers [o, o + kRecordHeaderBytes): it can see the
  // first non-zero byte only if o > first_nonzero - kRecordHeaderBytes.
  const uint64_t low =
      first_nonzero + 1 > kRecordHeaderBytes ? first_nonzero + 1 - kRecordHeaderBytes : 0;
  const uint64_t aligned = (low + kRecordAlignment - 1) / kRecordAlignment * kRecordAlignment;
  return std::max(offset + kRecordAlignment, aligned);
}

// Walks the aligned offsets in [from, file end) that can hold a record header,
// skipping zero runs in bulk, and calls `visit(offset, header_bytes)` on each
// non-zero one. Returns the first offset where `visit` yields true.
template <typename Visit>
faultfs::Result<std::optional<uint64_t>> find_header(LogWindow& window, uint64_t from,
                                                     Visit&& visit) {
  assert(from % kRecordAlignment == 0);
  const uint64_t size = window.file_size_bytes();
  uint64_t next = from;
  for (uint64_t offset = from; offset < size && size - offset >= kRecordHeaderBytes;
       offset = next) {
    next = offset + kRecordAlignment;
    ASSIGN_OR_RETURN(auto bytes, window.view(offset, kRecordHeaderBytes));
    if (all_zero(bytes)) {
      ASSIGN_OR_RETURN(auto skip, next_candidate(window, offset));
      assert(skip > offset && skip % kRecordAlignment == 0);
      next = skip;
      continue;
    }
    ASSIGN_OR_RETURN(auto found, visit(offset, bytes));
    if (found) return std::optional<uint64_t>(offset);
  }
  return std::optional<uint64_t>();
}

// Whether `header`, read at `offset`, frames a whole record: a known kind, a
// length within the bound and the file, and a matching payload crc.
faultfs::Result<bool> whole_record(LogWindow& window, uint64_t offset, const RecordHeader& header) {
  if (!is_valid_kind(header.kind)) return false;
  if (header.payload_length > kMaxRecordPayloadBytes) return false;
  if (frame_bytes(header.payload_length) > window.file_size_bytes() - offset) return false;
  // The length is bounded by the file and the maximum: safe to fetch.
  ASSIGN_OR_RETURN(auto payload, window.view(offset + kRecordHeaderBytes, header.payload_length));
  return payload_crc(payload) == header.payload_crc;
}

}  // namespace

faultfs::Result<AheadScan> scan_ahead(LogWindow& window, uint64_t from, uint32_t epoch,
                                      uint64_t last_sequence, uint64_t min_relevant_sequence) {
  assert(epoch != 0);
  const uint64_t sequence_floor = std::max(last_sequence, min_relevant_sequence);
  AheadScan scan;
  auto proof = find_header(
      window, from, [&](uint64_t offset, std::string_view bytes) -> faultfs::Result<bool> {
        if (!may_be_live(bytes, epoch)) {
          // One valid older header is enough to know the space is recycled.
          if (!scan.older_header_seen) {
            const std::optional<RecordHeader> stale = parse_record_header(bytes.data());
            scan.older_header_seen = stale.has_value() && stale->epoch < epoch;
          }
          return false;
        }
        const std::optional<RecordHeader> header = parse_record_header(bytes.data());
        if (!header || header->epoch < epoch) return false;
        scan.live_header_seen = true;
        if (header->epoch != epoch || header->sequence <= sequence_floor) return false;
        if (header->synced_sequence <= last_sequence) return false;
        auto whole = whole_record(window, offset, *header);
        if (whole.is_ok() && *whole) scan.proof = *header;
        return whole;
      });
  if (!proof.is_ok()) return proof.status();
  scan.proof_offset = *proof;
  return scan;
}

faultfs::Result<std::optional<uint64_t>> find_relevant_record(LogWindow& window,
                                                              uint64_t min_relevant_sequence) {
  return find_header(window, kFirstRecordOffset,
                     [&](uint64_t offset, std::string_view bytes) -> faultfs::Result<bool> {
                       const std::optional<RecordHeader> header = parse_record_header(bytes.data());
                       if (!header || header->sequence <= min_relevant_sequence) return false;
                       return whole_record(window, offset, *header);
                     });
}

faultfs::Result<std::optional<uint64_t>> find_resync(LogWindow& window, uint64_t from,
                                                     uint32_t epoch) {
  return find_header(window, from, [&](uint64_t, std::string_view bytes) -> faultfs::Result<bool> {
    if (!may_be_live(bytes, epoch)) return false;
    const std::optional<RecordHeader> header = parse_record_header(bytes.data());
    return header.has_value() && header->epoch == epoch;
  });
}

}  // namespace dbx::wal
