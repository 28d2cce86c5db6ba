#include "reports/summary.h"

#include <cassert>
#include <chrono>
#include <cstdio>

namespace reports {
namespace {

struct KnownPolicy {
  std::string_view name;
  std::string_view description;
};

// faultfs/doc/crash_model.md, "Policies": what survives of the un-synced changes.
constexpr KnownPolicy kKnownPolicies[] = {
    {"drop", "none of the un-synced changes survive (the page cache is lost)"},
    {"prefix", "an in-order prefix of each file's queue of un-synced changes survives"},
    {"reorder", "any subset of the un-synced changes survives, in any order"},
    {"torn",
     "as reorder, and one write persists only in part at sector granularity; the rest of it "
     "is old bytes, zeros or garbage"},
    {"corrupt",
     "beyond the crash contract: flipped bits or a lost sector in durable data; the engine must "
     "detect it, never invent data"},
    {"lost-file",
     "beyond the crash contract: one file or directory of the database deleted, or restored as "
     "it was at an earlier point; the engine must detect it, never serve a state that never "
     "existed"},
};

constexpr std::string_view kCorruptBeyondContract =
    "corrupt: flipped bits / lost sectors in durable data \xE2\x80\x94 only detection is "
    "required: the allowed outcomes are a correct state or a corruption error, never wrong data";
constexpr std::string_view kLostFileBeyondContract =
    "lost-file: a deleted or rolled-back file or directory \xE2\x80\x94 the allowed outcomes "
    "are a state keeping what was durable (at the restored point) or a corruption error";

bool parse_digits(std::string_view text, size_t pos, size_t count, int* out) {
  int value = 0;
  for (size_t i = pos; i < pos + count; i++) {
    if (text[i] < '0' || text[i] > '9') return false;
    value = value * 10 + (text[i] - '0');
  }
  *out = value;
  return true;
}

}  // namespace

std::vector<std::string> unreached(const Reach& reach) {
  std::vector<std::string> out;
  const auto zeros = [&out](const char* section, const std::map<std::string, uint64_t>& rows) {
    for (const auto& [name, count] : rows) {
      if (count == 0) out.push_back(std::string(section) + " " + name);
    }
  };
  zeros("kill_point", reach.kill_points);
  zeros("recovery_outcome", reach.recovery_outcomes);
  zeros("workload_feature", reach.workload_features);
  return out;
}

std::string case_name(const CaseKey& key) {
  return key.durability + "." + key.policy + "." + key.mode;
}

double crash_states_per_s(const Summary& summary) {
  if (!(summary.elapsed_s > 0)) return 0;
  return static_cast<double>(summary.counters.crash_states) / summary.elapsed_s;
}

bool passed(const Summary& summary) { return summary.violations.empty(); }

FaultModel describe_fault_model(std::string_view fs_model, const std::vector<std::string>& policies,
                                uint32_t sector_size_bytes) {
  assert(sector_size_bytes > 0);
  FaultModel model;
  model.sector_size_bytes = sector_size_bytes;
  model.fs_model = std::string(fs_model);
  for (const std::string& name : policies) {
    std::string description = "a crash policy this toolkit version does not describe";
    for (const KnownPolicy& known : kKnownPolicies) {
      if (known.name == name) description = std::string(known.description);
    }
    model.policies.push_back({name, std::move(description)});
    if (name == "corrupt") model.beyond_contract.emplace_back(kCorruptBeyondContract);
    if (name == "lost-file") model.beyond_contract.emplace_back(kLostFileBeyondContract);
  }
  assert(model.policies.size() == policies.size());
  return model;
}

std::string display_key(std::string_view raw_key) {
  const size_t shown_bytes = std::min(raw_key.size(), kDisplayKeyBytesMax);
  std::string out;
  out.reserve(shown_bytes + 16);
  for (size_t i = 0; i < shown_bytes; i++) {
    const auto byte = static_cast<unsigned char>(raw_key[i]);
    if (byte == '\\') {
      out += "\\\\";
    } else if (byte >= 0x20 && byte < 0x7F) {
      out += static_cast<char>(byte);
    } else {
      char escaped[5];
      std::snprintf(escaped, sizeof(escaped), "\\x%02X", byte);
      out += escaped;
    }
  }
  if (shown_bytes < raw_key.size()) {
    out += "...(+" + std::to_string(raw_key.size() - shown_bytes) + " bytes)";
  }
  return out;
}

std::string format_utc_timestamp(int64_t unix_ms) {
  assert(unix_ms >= 0 && unix_ms <= kUnixMsMax);
  using namespace std::chrono;
  const sys_time<milliseconds> time{milliseconds{unix_ms}};
  const sys_days day = floor<days>(time);
  const year_month_day ymd{day};
  const hh_mm_ss<milliseconds> clock{time - day};
  char buffer[32];
  const int length = std::snprintf(
      buffer, sizeof(buffer), "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", static_cast<int>(ymd.year()),
      static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
      static_cast<int>(clock.hours().count()), static_cast<int>(clock.minutes().count()),
      static_cast<int>(clock.seconds().count()), static_cast<int>(clock.subseconds().count()));
  assert(length == 24);
  return std::string(buffer, static_cast<size_t>(length));
}

Result<int64_t> parse_utc_timestamp(std::string_view text) {
  auto malformed = [&] {
    return format_error("timestamp \"" + std::string(text.substr(0, 40)) +
                        "\" is not of the form YYYY-MM-DDTHH:MM:SS.mmmZ");
  };
  if (text.size() != 24 || text[4] != '-' || text[7] != '-' || text[10] != 'T' || text[13] != ':' ||
      text[16] != ':' || text[19] != '.' || text[23] != 'Z') {
    return malformed();
  }
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0, ms = 0;
  if (!parse_digits(text, 0, 4, &y) || !parse_digits(text, 5, 2, &mo) ||
      !parse_digits(text, 8, 2, &d) || !parse_digits(text, 11, 2, &h) ||
      !parse_digits(text, 14, 2, &mi) || !parse_digits(text, 17, 2, &s) ||
      !parse_digits(text, 20, 3, &ms)) {
    return malformed();
  }
  using namespace std::chrono;
  const year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)},
                           day{static_cast<unsigned>(d)}};
  if (!ymd.ok() || y < 1970 || h > 23 || mi > 59 || s > 59) return malformed();
  const auto time = sys_days{ymd} + hours{h} + minutes{mi} + seconds{s} + milliseconds{ms};
  const int64_t unix_ms = duration_cast<milliseconds>(time.time_since_epoch()).count();
  assert(unix_ms >= 0 && unix_ms <= kUnixMsMax);
  assert(format_utc_timestamp(unix_ms) == text);
  return unix_ms;
}

const char* toolkit_version() { return DBX_REPORTS_TOOLKIT_VERSION; }

}  // namespace reports
