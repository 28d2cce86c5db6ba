// JSON helpers shared by the workload and artifact codecs.
//
// Keys and values are arbitrary bytes but JSON strings are UTF-8, so bytes
// are stored as "=<text>" when every byte is printable ASCII (readable in an
// artifact) and as "x<hex>" otherwise. Readers never throw: every accessor
// returns a Result naming the field at fault.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "faultfs/status.h"
#include "targets/types.h"

namespace torture::json_util {

using Json = nlohmann::json;

std::string encode_bytes(std::string_view bytes);
[[nodiscard]] faultfs::Result<std::string> decode_bytes(std::string_view text,
                                                        size_t size_bytes_max);

// Parses `text`; kCorruption (with nlohmann's reason) when it is not JSON.
[[nodiscard]] faultfs::Result<Json> parse(std::string_view text, std::string_view what);

// Field accessors: kCorruption "<what>: <key> missing or not a <type>".
[[nodiscard]] faultfs::Result<std::string> get_string(const Json& object, const char* key,
                                                      std::string_view what);
[[nodiscard]] faultfs::Result<uint64_t> get_u64(const Json& object, const char* key,
                                                std::string_view what);
[[nodiscard]] faultfs::Result<bool> get_bool(const Json& object, const char* key,
                                             std::string_view what);
// The bytes of an encode_bytes() string field.
[[nodiscard]] faultfs::Result<std::string> get_bytes(const Json& object, const char* key,
                                                     size_t size_bytes_max, std::string_view what);

faultfs::Status corrupt(std::string_view what, std::string_view detail);

// States as JSON arrays of {t, k, v}.
Json state_to_json(const targets::State& state);
[[nodiscard]] faultfs::Result<targets::State> state_from_json(const Json& array,
                                                              std::string_view what);
// One write as a JSON array of {op: put|del, t, k, v}.
Json write_to_json(const targets::Write& write);
[[nodiscard]] faultfs::Result<targets::Write> write_from_json(const Json& array,
                                                              std::string_view what);

}  // namespace torture::json_util
