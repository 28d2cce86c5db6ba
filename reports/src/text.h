// Text helpers shared by the writers (internal to dbx_reports).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace reports::text {

// `input` with every byte that does not start a well-formed UTF-8 sequence
// (overlong forms, surrogates and code points past U+10FFFF included)
// replaced by U+FFFD. The result is always valid UTF-8.
std::string sanitize_utf8(std::string_view input);

// Escapes `input` for XML 1.0 and HTML text and attribute values (single or
// double quoted): & < > " ' become entities, the result is valid UTF-8, and
// characters XML 1.0 forbids (C0 controls other than tab, LF and CR, DEL,
// U+FFFE, U+FFFF) become U+FFFD. Safe in every context except inside a
// <script> or <style> element, where reports never put data.
std::string escape_markup(std::string_view input);

// True for a non-empty [A-Za-z0-9_-] name of at most `size_bytes_max` bytes.
bool is_name(std::string_view name, size_t size_bytes_max);

// 1234567 -> "1,234,567".
std::string format_count(uint64_t value);

// `value` with exactly `decimals` digits after the point, independent of the
// C locale ("12.500"). Non-finite input renders as "0".
std::string format_fixed(double value, int decimals);

// A duration a person reads: "850 ms", "12.3 s", "4 min 05 s", "2 h 03 min".
std::string format_duration(double seconds);

// A rate with a sensible precision: "0.25", "12.5", "5,321".
std::string format_rate(double per_s);

}  // namespace reports::text
