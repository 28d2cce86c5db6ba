// On-disk formats of MiniKv, the small engine behind the test doubles.
//
// A frame is [u32 masked CRC32C of payload][u32 payload bytes][payload]; the
// WAL is a sequence of frames, the checkpoint file is one frame.
//   WAL payload:        fixed64 seq, fixed64 durable_end, varint op count, ops
//                       (durable_end: the WAL bytes known synced when the
//                       record was written; a record with no op is a marker:
//                       it only carries its durable_end, is padded with
//                       zeros, and the first frame of a WAL is the marker of
//                       the checkpoint it follows)
//   op:                 u8 kind (0 put, 1 delete), length-prefixed table and
//                       key, then (put only) the length-prefixed value
//   checkpoint payload: fixed64 seq covered, varint row count, rows of
//                       length-prefixed table, key, value
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "targets/types.h"

namespace targets::doubles {

// The files of a MiniKv directory.
inline constexpr const char* kWalName = "wal";
inline constexpr const char* kWalTmpName = "wal.tmp";
inline constexpr const char* kCheckpointName = "checkpoint";
inline constexpr const char* kCheckpointTmpName = "checkpoint.tmp";

inline constexpr size_t kFrameHeaderBytes = 8;
// A frame longer than this is garbage, never a record (bounds every read).
inline constexpr uint32_t kFramePayloadBytesMax = 64u << 20;

using Rows = std::map<std::pair<std::string, std::string>, std::string>;

std::string encode_frame(std::string_view payload);

// One frame read from the front of `in`.
struct FrameRead {
  enum class Outcome { kOk, kIncomplete, kBadChecksum, kBadLength };
  Outcome outcome = Outcome::kIncomplete;
  std::string_view payload;
  size_t frame_bytes = 0;
};
// Parses the first frame of `in`; `verify_checksum` false is the torn-tail bug.
FrameRead read_frame(std::string_view in, bool verify_checksum);

struct WalRecord {
  uint64_t seq = 0;
  uint64_t durable_end = 0;
  Write write;  // Empty: a marker.
};
std::string encode_record(uint64_t seq, uint64_t durable_end, const Write& write);
// A marker frame padded with zeros to kMarkerFrameBytes. Markers are written
// in pairs: one lost 512-byte sector or one flipped bit damages at most one.
inline constexpr size_t kMarkerFrameBytes = 1024;
std::string encode_marker(uint64_t seq, uint64_t durable_end);
// Nullopt if the payload does not parse completely.
std::optional<WalRecord> decode_record(std::string_view payload);

std::string encode_checkpoint(uint64_t seq, const Rows& rows);
std::optional<std::pair<uint64_t, Rows>> decode_checkpoint(std::string_view payload);

// Applies `write` to `rows` in op order.
void apply_to_rows(const Write& write, Rows* rows);

}  // namespace targets::doubles
