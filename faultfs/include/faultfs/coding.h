// Little-endian fixed-width and varint encoding for the on-disk formats of DBX
// and of the lab's doubles (engine/doc/wal_format.md defines each).
// Decoders never read past the bytes they are given.
#pragma once

#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

namespace faultfs::coding {

inline void put_fixed32(std::string* dst, uint32_t v) {
  char buf[4];
  std::memcpy(buf, &v, 4);
  dst->append(buf, 4);
}
inline void put_fixed64(std::string* dst, uint64_t v) {
  char buf[8];
  std::memcpy(buf, &v, 8);
  dst->append(buf, 8);
}
inline void encode_fixed32(char* dst, uint32_t v) { std::memcpy(dst, &v, 4); }
inline void encode_fixed64(char* dst, uint64_t v) { std::memcpy(dst, &v, 8); }
inline uint32_t decode_fixed32(const char* src) {
  uint32_t v;
  std::memcpy(&v, src, 4);
  return v;
}
inline uint64_t decode_fixed64(const char* src) {
  uint64_t v;
  std::memcpy(&v, src, 8);
  return v;
}

inline void put_varint64(std::string* dst, uint64_t v) {
  char buf[10];
  size_t n = 0;
  while (v >= 0x80) {
    buf[n++] = static_cast<char>((v & 0x7f) | 0x80);
    v >>= 7;
  }
  buf[n++] = static_cast<char>(v);
  dst->append(buf, n);
}

// Consumes a varint from the front of `in`; nullopt if truncated or over 10 bytes.
inline std::optional<uint64_t> get_varint64(std::string_view* in) {
  // One-byte values (every length below 128) first: recovery decodes
  // millions of them, and the loop showed in its profiles as much as the
  // checksum did. The loop below accepts and rejects the same bytes.
  if (!in->empty() && static_cast<uint8_t>(in->front()) < 0x80) {
    const auto value = static_cast<uint8_t>(in->front());
    in->remove_prefix(1);
    return value;
  }
  uint64_t result = 0;
  for (unsigned shift = 0, i = 0; i < in->size() && shift <= 63; ++i, shift += 7) {
    const auto byte = static_cast<uint8_t>((*in)[i]);
    result |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) {
      in->remove_prefix(i + 1);
      return result;
    }
  }
  return std::nullopt;
}

inline void put_length_prefixed(std::string* dst, std::string_view s) {
  put_varint64(dst, s.size());
  dst->append(s.data(), s.size());
}

// Consumes a varint length and that many bytes; nullopt if `in` is too short
// (the length is bounded by the bytes present, never trusted for allocation).
inline std::optional<std::string_view> get_length_prefixed(std::string_view* in) {
  std::string_view probe = *in;
  const auto len = get_varint64(&probe);
  if (!len || *len > probe.size()) return std::nullopt;
  std::string_view out = probe.substr(0, *len);
  probe.remove_prefix(*len);
  *in = probe;
  return out;
}

}  // namespace faultfs::coding
