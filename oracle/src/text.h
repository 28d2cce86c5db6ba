// Short, printable renderings of keys and values for verdicts and reports.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace oracle::detail {

// At most `bytes_max` bytes, non-printable ones as \xHH, "..." when cut.
inline std::string show_bytes(std::string_view bytes, size_t bytes_max = 24) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  const size_t n = bytes.size() < bytes_max ? bytes.size() : bytes_max;
  for (size_t i = 0; i < n; ++i) {
    const auto c = static_cast<unsigned char>(bytes[i]);
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      out.push_back(static_cast<char>(c));
    } else {
      out += "\\x";
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xf]);
    }
  }
  if (n < bytes.size()) out += "...(" + std::to_string(bytes.size()) + " bytes)";
  return out;
}

inline std::string show_key(std::string_view table, std::string_view key) {
  return show_bytes(table) + "/" + show_bytes(key);
}

// Appends only: GCC 12 at -O3 misreads `"literal" + std::string` as an
// overlapping copy (-Wrestrict, a known false positive).
inline std::string show_value(const std::string* value) {
  if (value == nullptr) return "(absent)";
  std::string out = "\"";
  out += show_bytes(*value);
  out += '"';
  return out;
}

inline std::string show_value(const std::optional<std::string>& value) {
  return show_value(value ? &*value : nullptr);
}

}  // namespace oracle::detail
