#include "json_util.h"

#include <cassert>

#include "faultfs/status_macros.h"
#include "torture/workload.h"

namespace torture::json_util {

using faultfs::ErrorCode;
using faultfs::Result;
using faultfs::Status;

namespace {

// A recovered state in an artifact holds at most this many rows; a larger
// one is not something this tool wrote.
constexpr size_t kStateRowsMax = 1'000'000;

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool printable(std::string_view bytes) {
  for (const char c : bytes) {
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

}  // namespace

Status corrupt(std::string_view what, std::string_view detail) {
  return Status(ErrorCode::kCorruption, std::string(what) + ": " + std::string(detail));
}

std::string encode_bytes(std::string_view bytes) {
  if (printable(bytes)) return "=" + std::string(bytes);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "x";
  out.reserve(1 + 2 * bytes.size());
  for (const char c : bytes) {
    const auto b = static_cast<unsigned char>(c);
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 0xf]);
  }
  return out;
}

Result<std::string> decode_bytes(std::string_view text, size_t size_bytes_max) {
  if (text.empty()) return corrupt("bytes", "empty encoding (want '=' or 'x' prefix)");
  const std::string_view body = text.substr(1);
  if (text[0] == '=') {
    if (body.size() > size_bytes_max) return corrupt("bytes", "longer than the limit");
    return std::string(body);
  }
  if (text[0] != 'x') return corrupt("bytes", "unknown encoding prefix");
  if (body.size() % 2 != 0) return corrupt("bytes", "odd hex length");
  if (body.size() / 2 > size_bytes_max) return corrupt("bytes", "longer than the limit");
  std::string out(body.size() / 2, '\0');
  for (size_t i = 0; i < out.size(); ++i) {
    const int hi = hex_digit(body[2 * i]);
    const int lo = hex_digit(body[2 * i + 1]);
    if (hi < 0 || lo < 0) return corrupt("bytes", "bad hex digit");
    out[i] = static_cast<char>((hi << 4) | lo);
  }
  return out;
}

Result<Json> parse(std::string_view text, std::string_view what) {
  Json parsed = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) return corrupt(what, "not valid JSON");
  return parsed;
}

Result<std::string> get_string(const Json& object, const char* key, std::string_view what) {
  if (!object.is_object()) return corrupt(what, "not a JSON object");
  const auto it = object.find(key);
  if (it == object.end() || !it->is_string()) {
    return corrupt(what, std::string(key) + " missing or not a string");
  }
  return it->get<std::string>();
}

Result<uint64_t> get_u64(const Json& object, const char* key, std::string_view what) {
  if (!object.is_object()) return corrupt(what, "not a JSON object");
  const auto it = object.find(key);
  if (it == object.end() || !it->is_number_unsigned()) {
    return corrupt(what, std::string(key) + " missing or not an unsigned integer");
  }
  return it->get<uint64_t>();
}

Result<bool> get_bool(const Json& object, const char* key, std::string_view what) {
  if (!object.is_object()) return corrupt(what, "not a JSON object");
  const auto it = object.find(key);
  if (it == object.end() || !it->is_boolean()) {
    return corrupt(what, std::string(key) + " missing or not a boolean");
  }
  return it->get<bool>();
}

Result<std::string> get_bytes(const Json& object, const char* key, size_t size_bytes_max,
                              std::string_view what) {
  ASSIGN_OR_RETURN(auto text, get_string(object, key, what));
  auto bytes = decode_bytes(text, size_bytes_max);
  if (!bytes.is_ok()) {
    return corrupt(what, std::string(key) + ": " + bytes.status().message());
  }
  return bytes;
}

Json state_to_json(const targets::State& state) {
  Json out = Json::array();
  for (const targets::Entry& e : state) {
    out.push_back(Json{
        {"t", encode_bytes(e.table)}, {"k", encode_bytes(e.key)}, {"v", encode_bytes(e.value)}});
  }
  return out;
}

Result<targets::State> state_from_json(const Json& array, std::string_view what) {
  if (!array.is_array()) return corrupt(what, "not a JSON array");
  if (array.size() > kStateRowsMax) return corrupt(what, "too many rows");
  targets::State out;
  out.reserve(array.size());
  for (const Json& row : array) {
    ASSIGN_OR_RETURN(auto table, get_bytes(row, "t", kTableBytesMax, what));
    ASSIGN_OR_RETURN(auto key, get_bytes(row, "k", kKeyBytesMax, what));
    ASSIGN_OR_RETURN(auto value, get_bytes(row, "v", kValueBytesMax, what));
    out.push_back(targets::Entry{std::move(table), std::move(key), std::move(value)});
  }
  return out;
}

Json write_to_json(const targets::Write& write) {
  assert(!write.empty());
  Json out = Json::array();
  for (const targets::Op& op : write) {
    Json j{{"op", op.kind == targets::OpKind::kPut ? "put" : "del"},
           {"t", encode_bytes(op.table)},
           {"k", encode_bytes(op.key)}};
    if (op.kind == targets::OpKind::kPut) j["v"] = encode_bytes(op.value);
    out.push_back(std::move(j));
  }
  return out;
}

Result<targets::Write> write_from_json(const Json& array, std::string_view what) {
  if (!array.is_array() || array.empty()) return corrupt(what, "write is not a non-empty array");
  if (array.size() > kBatchOpsMax) return corrupt(what, "batch has too many ops");
  targets::Write out;
  for (const Json& j : array) {
    ASSIGN_OR_RETURN(auto kind, get_string(j, "op", what));
    if (kind != "put" && kind != "del") return corrupt(what, "op not put|del");
    ASSIGN_OR_RETURN(auto table, get_bytes(j, "t", kTableBytesMax, what));
    if (table.empty()) return corrupt(what, "empty table name");
    ASSIGN_OR_RETURN(auto key, get_bytes(j, "k", kKeyBytesMax, what));
    if (kind == "del") {
      out.push_back(targets::Op::del(table, key));
      continue;
    }
    ASSIGN_OR_RETURN(auto value, get_bytes(j, "v", kValueBytesMax, what));
    out.push_back(targets::Op::put(table, key, value));
  }
  return out;
}

}  // namespace torture::json_util
