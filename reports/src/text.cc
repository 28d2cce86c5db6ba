#include "text.h"

#include <array>
#include <cassert>
#include <charconv>
#include <cmath>
#include <cstddef>

namespace reports::text {
namespace {

constexpr std::string_view kReplacementChar = "\xEF\xBF\xBD";  // U+FFFD.

bool is_continuation(unsigned char byte) { return (byte & 0xC0) == 0x80; }

// Length of the well-formed UTF-8 sequence at the start of `input`, or 0 when
// its first byte does not start one (RFC 3629 table 3-7: the second byte's
// range depends on the first so that overlong forms and surrogates fail).
size_t well_formed_length(std::string_view input) {
  assert(!input.empty());
  const auto b0 = static_cast<unsigned char>(input[0]);
  if (b0 < 0x80) return 1;
  size_t length = 0;
  unsigned char second_min = 0x80;
  unsigned char second_max = 0xBF;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    length = 2;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    length = 3;
    if (b0 == 0xE0) second_min = 0xA0;
    if (b0 == 0xED) second_max = 0x9F;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    length = 4;
    if (b0 == 0xF0) second_min = 0x90;
    if (b0 == 0xF4) second_max = 0x8F;
  } else {
    return 0;
  }
  if (input.size() < length) return 0;
  const auto b1 = static_cast<unsigned char>(input[1]);
  if (b1 < second_min || b1 > second_max) return 0;
  for (size_t i = 2; i < length; i++) {
    if (!is_continuation(static_cast<unsigned char>(input[i]))) return 0;
  }
  return length;
}

}  // namespace

std::string sanitize_utf8(std::string_view input) {
  std::string out;
  out.reserve(input.size());
  size_t i = 0;
  while (i < input.size()) {
    const size_t length = well_formed_length(input.substr(i));
    if (length == 0) {
      out += kReplacementChar;
      i += 1;
    } else {
      out += input.substr(i, length);
      i += length;
    }
  }
  assert(i == input.size());
  return out;
}

std::string escape_markup(std::string_view input) {
  const std::string clean = sanitize_utf8(input);
  std::string out;
  out.reserve(clean.size() + clean.size() / 8);
  for (size_t i = 0; i < clean.size(); i++) {
    const char c = clean[i];
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      case '\t':
      case '\n':
      case '\r':
        out += c;
        break;
      default: {
        const auto byte = static_cast<unsigned char>(c);
        if (byte < 0x20 || byte == 0x7F) {
          out += kReplacementChar;
        } else if (byte == 0xEF && i + 2 < clean.size() && clean[i + 1] == '\xBF' &&
                   (clean[i + 2] == '\xBE' || clean[i + 2] == '\xBF')) {
          // U+FFFE and U+FFFF are not XML characters, even as references.
          out += kReplacementChar;
          i += 2;
        } else {
          out += c;
        }
      }
    }
  }
  return out;
}

bool is_name(std::string_view name, size_t size_bytes_max) {
  if (name.empty() || name.size() > size_bytes_max) return false;
  for (const char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

std::string format_count(uint64_t value) {
  const std::string digits = std::to_string(value);
  std::string out;
  out.reserve(digits.size() + digits.size() / 3);
  for (size_t i = 0; i < digits.size(); i++) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

std::string format_fixed(double value, int decimals) {
  assert(decimals >= 0 && decimals <= 9);
  if (!std::isfinite(value)) return "0";
  // 1e300 in fixed notation needs ~310 characters.
  std::array<char, 400> buffer{};
  const auto [end, error] = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value,
                                          std::chars_format::fixed, decimals);
  assert(error == std::errc());
  return std::string(buffer.data(), end);
}

std::string format_duration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) seconds = 0;
  if (seconds < 1) return format_fixed(seconds * 1000, 0) + " ms";
  if (seconds < 60) return format_fixed(seconds, 1) + " s";
  const auto whole = static_cast<uint64_t>(seconds);
  // Appends rather than `"0" + std::to_string(v)`: GCC 12 -O2 reports a bogus
  // -Wrestrict on literal + temporary string (GCC bug 105651).
  auto two_digits = [](uint64_t v) {
    std::string digits(v < 10 ? "0" : "");
    digits += std::to_string(v);
    return digits;
  };
  if (whole < 3600) return std::to_string(whole / 60) + " min " + two_digits(whole % 60) + " s";
  return format_count(whole / 3600) + " h " + two_digits(whole % 3600 / 60) + " min";
}

std::string format_rate(double per_s) {
  if (!std::isfinite(per_s) || per_s < 0) per_s = 0;
  if (per_s < 10) return format_fixed(per_s, 2);
  if (per_s < 100) return format_fixed(per_s, 1);
  // llround is undefined past int64; no campaign gets near 1e18 states/s.
  if (per_s >= 1e18) return format_fixed(per_s, 0);
  return format_count(static_cast<uint64_t>(std::llround(per_s)));
}

}  // namespace reports::text
