#include "doubles/mini_kv_format.h"

#include "faultfs/coding.h"
#include "faultfs/crc32c.h"

namespace targets::doubles {

namespace coding = faultfs::coding;

std::string encode_frame(std::string_view payload) {
  std::string out;
  out.reserve(kFrameHeaderBytes + payload.size());
  coding::put_fixed32(&out, faultfs::crc32c::mask(faultfs::crc32c::value(payload)));
  coding::put_fixed32(&out, static_cast<uint32_t>(payload.size()));
  out.append(payload);
  return out;
}

FrameRead read_frame(std::string_view in, bool verify_checksum) {
  FrameRead r;
  if (in.size() < kFrameHeaderBytes) return r;
  const uint32_t crc = faultfs::crc32c::unmask(coding::decode_fixed32(in.data()));
  const uint32_t length = coding::decode_fixed32(in.data() + 4);
  if (length == 0 || length > kFramePayloadBytesMax) {
    r.outcome = FrameRead::Outcome::kBadLength;
    return r;
  }
  if (in.size() - kFrameHeaderBytes < length) return r;
  r.payload = in.substr(kFrameHeaderBytes, length);
  r.frame_bytes = kFrameHeaderBytes + length;
  r.outcome = !verify_checksum || faultfs::crc32c::value(r.payload) == crc
                  ? FrameRead::Outcome::kOk
                  : FrameRead::Outcome::kBadChecksum;
  return r;
}

std::string encode_record(uint64_t seq, uint64_t durable_end, const Write& write) {
  std::string out;
  coding::put_fixed64(&out, seq);
  coding::put_fixed64(&out, durable_end);
  coding::put_varint64(&out, write.size());
  for (const Op& op : write) {
    out.push_back(op.kind == OpKind::kPut ? '\0' : '\1');
    coding::put_length_prefixed(&out, op.table);
    coding::put_length_prefixed(&out, op.key);
    if (op.kind == OpKind::kPut) coding::put_length_prefixed(&out, op.value);
  }
  return out;
}

std::string encode_marker(uint64_t seq, uint64_t durable_end) {
  std::string payload = encode_record(seq, durable_end, Write{});
  payload.resize(kMarkerFrameBytes - kFrameHeaderBytes, '\0');
  return encode_frame(payload);
}

std::optional<WalRecord> decode_record(std::string_view in) {
  if (in.size() < 16) return std::nullopt;
  WalRecord record;
  record.seq = coding::decode_fixed64(in.data());
  record.durable_end = coding::decode_fixed64(in.data() + 8);
  in.remove_prefix(16);
  const auto count = coding::get_varint64(&in);
  if (count && *count == 0) {
    // A marker: zero padding only.
    if (in.find_first_not_of('\0') != std::string_view::npos) return std::nullopt;
    return record;
  }
  // Each op takes at least 3 bytes, which bounds the count before reserving.
  if (!count || *count > in.size() / 3) return std::nullopt;
  Write& write = record.write;
  write.reserve(*count);
  for (uint64_t i = 0; i < *count; ++i) {
    if (in.empty() || static_cast<uint8_t>(in[0]) > 1) return std::nullopt;
    const bool is_put = in[0] == '\0';
    in.remove_prefix(1);
    const auto table = coding::get_length_prefixed(&in);
    const auto key = coding::get_length_prefixed(&in);
    if (!table || !key) return std::nullopt;
    if (is_put) {
      const auto value = coding::get_length_prefixed(&in);
      if (!value) return std::nullopt;
      write.push_back(Op::put(*table, *key, *value));
    } else {
      write.push_back(Op::del(*table, *key));
    }
  }
  if (!in.empty()) return std::nullopt;
  return record;
}

std::string encode_checkpoint(uint64_t seq, const Rows& rows) {
  std::string out;
  coding::put_fixed64(&out, seq);
  coding::put_varint64(&out, rows.size());
  for (const auto& [k, value] : rows) {
    coding::put_length_prefixed(&out, k.first);
    coding::put_length_prefixed(&out, k.second);
    coding::put_length_prefixed(&out, value);
  }
  return out;
}

std::optional<std::pair<uint64_t, Rows>> decode_checkpoint(std::string_view in) {
  if (in.size() < 8) return std::nullopt;
  const uint64_t seq = coding::decode_fixed64(in.data());
  in.remove_prefix(8);
  const auto count = coding::get_varint64(&in);
  if (!count || *count > in.size() / 3) return std::nullopt;
  Rows rows;
  for (uint64_t i = 0; i < *count; ++i) {
    const auto table = coding::get_length_prefixed(&in);
    const auto key = coding::get_length_prefixed(&in);
    const auto value = coding::get_length_prefixed(&in);
    if (!table || !key || !value) return std::nullopt;
    rows[{std::string(*table), std::string(*key)}] = std::string(*value);
  }
  if (!in.empty()) return std::nullopt;
  return std::make_pair(seq, std::move(rows));
}

void apply_to_rows(const Write& write, Rows* rows) {
  for (const Op& op : write) {
    if (op.kind == OpKind::kPut) {
      (*rows)[{op.table, op.key}] = op.value;
    } else {
      rows->erase({op.table, op.key});
    }
  }
}

}  // namespace targets::doubles
