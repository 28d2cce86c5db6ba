// On-disk formats of MiniKv, the small engine behind the test doubles.
//
// A frame is [u32 masked CRC32C of payload][u32 payload bytes][payload]; the
// WAL is a sequence of frames, the checkpoint file is one frame.
//   WAL payload:        fixed64 seq, varint op count, ops
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

#include "oracle/types.h"

namespace oracle::doubles {

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

std::string encode_record(uint64_t seq, const Write& write);
// Nullopt if the payload does not parse completely.
std::optional<std::pair<uint64_t, Write>> decode_record(std::string_view payload);

std::string encode_checkpoint(uint64_t seq, const Rows& rows);
std::optional<std::pair<uint64_t, Rows>> decode_checkpoint(std::string_view payload);

// Applies `write` to `rows` in op order.
void apply_to_rows(const Write& write, Rows* rows);

}  // namespace oracle::doubles
