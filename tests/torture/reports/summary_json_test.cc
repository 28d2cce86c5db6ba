// summary.json: exact round trip, the keys the issue promises, and a reader
// that rejects every kind of malformed input with an error instead of a crash.
#include "reports/summary_json.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <limits>
#include <nlohmann/json.hpp>
#include <set>

#include "report_fixtures.h"

namespace reports {
namespace {

using nlohmann::json;
using testing::failing_summary;
using testing::passing_summary;

json to_dom(const Summary& summary) { return json::parse(summary_to_json(summary)); }

// The reader's error for `document`, or "" if it parsed.
std::string read_error(const json& document) {
  Result<Summary> result = summary_from_json(document.dump());
  return result.is_ok() ? "" : result.status().message();
}

TEST(SummaryJsonRoundTrip, PassingSummaryReadsBackIdentical) {
  const Summary original = passing_summary();
  Result<Summary> read = summary_from_json(summary_to_json(original));
  ASSERT_TRUE(read.is_ok()) << read.status().message();
  EXPECT_EQ(read.value(), original);
}

TEST(SummaryJsonRoundTrip, ViolationsWithAbsentSequencesReadBackIdentical) {
  Summary original = failing_summary();
  original.violations[0].diff.closest_seq.reset();
  original.violations[0].diff.recovered_seq.reset();
  original.config.time_limit_s.reset();
  original.config.workloads_limit = 5000;
  Result<Summary> read = summary_from_json(summary_to_json(original));
  ASSERT_TRUE(read.is_ok()) << read.status().message();
  EXPECT_EQ(read.value(), original);
  EXPECT_FALSE(read.value().violations[0].diff.recovered_seq.has_value());
}

TEST(SummaryJsonRoundTrip, UnicodeQuotesBackslashesAndControlBytesAreExact) {
  Summary original = failing_summary();
  original.violations[0].detail = "caf\xC3\xA9 \xF0\x9F\x92\xA5 \"q\" \\ \x01\t\n end";
  original.hostname = "h\xC3\xB6st";
  Result<Summary> read = summary_from_json(summary_to_json(original));
  ASSERT_TRUE(read.is_ok()) << read.status().message();
  EXPECT_EQ(read.value(), original);
}

TEST(SummaryJsonRoundTrip, SeedAndCountersAtUint64MaxSurvive) {
  Summary original = passing_summary();
  original.config.seed = std::numeric_limits<uint64_t>::max();
  original.counters.io_errors_injected = std::numeric_limits<uint64_t>::max();
  Result<Summary> read = summary_from_json(summary_to_json(original));
  ASSERT_TRUE(read.is_ok()) << read.status().message();
  EXPECT_EQ(read.value().config.seed, std::numeric_limits<uint64_t>::max());
}

TEST(SummaryJsonWriter, InvalidUtf8BecomesReplacementCharacterInsteadOfThrowing) {
  Summary original = failing_summary();
  original.violations[0].artifact = "failures/\xFF\xFE/x";
  const std::string text = summary_to_json(original);
  Result<Summary> read = summary_from_json(text);
  ASSERT_TRUE(read.is_ok()) << read.status().message();
  EXPECT_EQ(read.value().violations[0].artifact, "failures/\xEF\xBF\xBD\xEF\xBF\xBD/x");
}

TEST(SummaryJsonWriter, HasEveryTopLevelKeyTheIssueListsWithItsType) {
  const json dom = to_dom(failing_summary());
  for (const char* key : {"target", "fs_model", "engine_version", "toolkit_version"}) {
    EXPECT_TRUE(dom.at(key).is_string()) << key;
  }
  for (const char* key : {"durability", "modes", "policies", "violations_list"}) {
    EXPECT_TRUE(dom.at(key).is_array()) << key;
  }
  for (const char* key : {"seed", "workloads", "crash_states", "violations"}) {
    EXPECT_TRUE(dom.at(key).is_number_unsigned()) << key;
  }
  for (const char* key :
       {"crash_states_by_policy", "crash_states_by_mode", "fault_model", "shard"}) {
    EXPECT_TRUE(dom.at(key).is_object()) << key;
  }
  EXPECT_TRUE(dom.at("elapsed_s").is_number());
  EXPECT_TRUE(dom.at("crash_states_per_s").is_number());
  EXPECT_EQ(dom.at("violations").get<uint64_t>(), 3u);
  EXPECT_EQ(dom.at("crash_states_by_policy").at("torn").get<uint64_t>(),
            passing_summary().counters.crash_states_by_policy.at("torn"));
  for (const json& violation : dom.at("violations_list")) {
    for (const char* key : {"id", "kind", "durability", "policy", "mode", "artifact", "replay"}) {
      EXPECT_TRUE(violation.at(key).is_string()) << key;
    }
  }
  const json& model = dom.at("fault_model");
  EXPECT_EQ(model.at("sector_size_bytes").get<uint32_t>(), 512u);
  EXPECT_EQ(model.at("fs_model").get<std::string>(), "posix");
  EXPECT_EQ(model.at("policies").size(), 5u);
  ASSERT_EQ(model.at("beyond_contract").size(), 1u);
  EXPECT_NE(model.at("beyond_contract")[0].get<std::string>().find("only detection"),
            std::string::npos);
}

TEST(SummaryJsonReader, RejectsTextThatIsNotJson) {
  for (const char* text : {"", "{", "[1,2]", "null", "{\"target\":}", "42", "{} trailing"}) {
    Result<Summary> read = summary_from_json(text);
    ASSERT_FALSE(read.is_ok()) << text;
    EXPECT_FALSE(read.status().message().empty());
  }
}

TEST(SummaryJsonReader, RejectsEachMissingRequiredKeyNamingIt) {
  const json valid = to_dom(failing_summary());
  // Newer keys an older summary lacks (absent reads as unset), and the
  // cause list derived from violations_list.
  const std::set<std::string> optional = {
      "interrupted", "first_violation_s", "causes", "distinct_causes", "reach", "known_suppressed"};
  for (const auto& [key, value] : valid.items()) {
    if (optional.count(key) > 0) continue;
    json broken = valid;
    broken.erase(key);
    const std::string error = read_error(broken);
    EXPECT_NE(error.find(key), std::string::npos) << "key " << key << ": " << error;
  }
}

TEST(SummaryJsonReader, RejectsMissingNestedKeysNamingThePath) {
  const json valid = to_dom(failing_summary());
  json no_replay = valid;
  no_replay["violations_list"][1].erase("replay");
  EXPECT_EQ(read_error(no_replay), "violations_list[1].replay: missing");
  json no_sector = valid;
  no_sector["fault_model"].erase("sector_size_bytes");
  EXPECT_EQ(read_error(no_sector), "fault_model.sector_size_bytes: missing");
  json no_count = valid;
  no_count["shard"].erase("count");
  EXPECT_EQ(read_error(no_count), "shard.count: missing");
  json no_diff = valid;
  no_diff["violations_list"][0]["diff"].erase("missing");
  EXPECT_EQ(read_error(no_diff), "violations_list[0].diff.missing: missing");
}

TEST(SummaryJsonReader, RejectsWrongTypesNamingTheKey) {
  const json valid = to_dom(failing_summary());
  struct Case {
    json::json_pointer pointer;
    json value;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {json::json_pointer("/seed"), "42", "seed: expected an unsigned integer, got string"},
      {json::json_pointer("/crash_states"), -1, "crash_states: expected an unsigned integer"},
      {json::json_pointer("/crash_states"), 1.5, "crash_states: expected an unsigned integer"},
      {json::json_pointer("/durability"), "lazy", "durability: expected an array"},
      {json::json_pointer("/modes"), json::array({1}), "modes[0]: expected a string"},
      {json::json_pointer("/shard"), json::array(), "shard: expected an object"},
      {json::json_pointer("/threads"), 1ull << 32, "threads: 4294967296 does not fit 32 bits"},
      {json::json_pointer("/io_errors"), 1, "io_errors: expected true or false"},
      {json::json_pointer("/time_limit_s"), "60", "time_limit_s: expected a number"},
      {json::json_pointer("/fault_model"), json::array(), "fault_model: expected an object"},
      {json::json_pointer("/violations_list/0"), "v", "violations_list[0]: expected an object"},
      {json::json_pointer("/violations_list/2/replay"), 7,
       "violations_list[2].replay: expected a string"},
      {json::json_pointer("/violations_list/0/diff/closest_seq"), "19",
       "violations_list[0].diff.closest_seq: expected an unsigned integer"},
      {json::json_pointer("/crash_states_by_policy/torn"), "many",
       "crash_states_by_policy.torn: expected an unsigned integer"},
      {json::json_pointer("/rate_series/0/t_s"), nullptr, "rate_series[0].t_s: expected a number"},
      {json::json_pointer("/started_at"), 1714566896789, "started_at: expected a string"},
  };
  for (const Case& c : cases) {
    json broken = valid;
    broken[c.pointer] = c.value;
    const std::string error = read_error(broken);
    EXPECT_EQ(error.substr(0, c.expected.size()), c.expected) << c.pointer.to_string();
  }
}

TEST(SummaryJsonReader, RejectsOutOfRangeValuesThroughValidate) {
  const json valid = to_dom(failing_summary());
  struct Case {
    json::json_pointer pointer;
    json value;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {json::json_pointer("/elapsed_s"), -1.0, "elapsed_s: must be a finite number >= 0"},
      {json::json_pointer("/shard/count"), 0, "shard.count: 0 is not in [1, 65536]"},
      {json::json_pointer("/shard/indices"), json::array({1, 0}), "shard.indices: 1 is not below"},
      {json::json_pointer("/durability"), json::array(), "durability: must list at least one"},
      {json::json_pointer("/policies/0"), "to<rn", "policies[0]: \"to<rn\" is not a name"},
      {json::json_pointer("/violations_list/1/id"), "s0-w17-c3",
       "violations_list: id \"s0-w17-c3\" appears twice"},
      {json::json_pointer("/violations_list/0/id"), "../../etc", "violations_list[0].id:"},
      {json::json_pointer("/violations_list/0/replay"), "", "violations_list[0].replay: must not"},
      {json::json_pointer("/fault_model/fs_model"), "ext4-ordered", "fault_model.fs_model:"},
      {json::json_pointer("/format_version"), 2, "format_version: 2 is not 1"},
      {json::json_pointer("/format"), "other", "format: \"dbx-torture-summary\" expected"},
      {json::json_pointer("/started_at"), "2024-05-01 12:34:56", "started_at: timestamp"},
      {json::json_pointer("/finished_at"), "2024-02-30T00:00:00.000Z", "finished_at: timestamp"},
      {json::json_pointer("/violations_list/0/diff/first_wrong"), json::array({"a", "b"}),
       "violations_list[0].diff.first_wrong: 2 keys"},
  };
  for (const Case& c : cases) {
    json broken = valid;
    broken[c.pointer] = c.value;
    const std::string error = read_error(broken);
    EXPECT_EQ(error.substr(0, c.expected.size()), c.expected)
        << c.pointer.to_string() << ": " << error;
  }
}

TEST(SummaryJsonReader, RejectsViolationCountThatDisagreesWithTheList) {
  json broken = to_dom(failing_summary());
  broken["violations"] = 2;
  EXPECT_EQ(read_error(broken), "violations: 2 differs from the length of violations_list (3)");
}

TEST(SummaryJsonReader, RejectsCrashStatesPerSecondThatDisagreesWithTheCounts) {
  json broken = to_dom(passing_summary());
  broken["crash_states_per_s"] = broken["crash_states_per_s"].get<double>() * 2;
  EXPECT_EQ(read_error(broken).substr(0, 19), "crash_states_per_s:");
}

TEST(SummaryJsonReader, RejectsOverflowingNumberAsNotFinite) {
  std::string text = summary_to_json(passing_summary());
  const size_t at = text.find("\"elapsed_s\": ");
  ASSERT_NE(at, std::string::npos);
  text.insert(at + 13, "1e999");
  text.erase(at + 18, text.find(',', at) - (at + 18));
  Result<Summary> read = summary_from_json(text);
  EXPECT_FALSE(read.is_ok());
}

TEST(SummaryJsonReader, RejectsDeepNestingWithoutRecursing) {
  const std::string text(1'000'000, '[');
  Result<Summary> read = summary_from_json(text);
  ASSERT_FALSE(read.is_ok());
  EXPECT_EQ(read.status().message(), "summary.json: nested deeper than 16 levels");
}

TEST(SummaryJsonReader, RejectsDocumentsLargerThanTheLimit) {
  const std::string text(kSummaryJsonBytesMax + 1, ' ');
  Result<Summary> read = summary_from_json(text);
  ASSERT_FALSE(read.is_ok());
  EXPECT_NE(read.status().message().find("more than"), std::string::npos);
}

TEST(SummaryJsonReader, RejectsRawInvalidUtf8InsideStrings) {
  std::string text = summary_to_json(passing_summary());
  const size_t at = text.find("ci-runner-1");
  ASSERT_NE(at, std::string::npos);
  text[at] = '\xFF';
  EXPECT_FALSE(summary_from_json(text).is_ok());
}

TEST(SummaryJsonReader, IgnoresKeysANewerWriterAdded) {
  json document = to_dom(failing_summary());
  document["added_later"] = {{"anything", 1}};
  document["violations_list"][0]["added_later"] = true;
  Result<Summary> read = summary_from_json(document.dump());
  ASSERT_TRUE(read.is_ok()) << read.status().message();
  EXPECT_EQ(read.value(), failing_summary());
}

// A summary of an older build names the model "dir_mode": "strict" reads as
// posix (so old reports still merge); the retired "lenient" is refused.
TEST(SummaryJsonReader, OlderDirModeStrictReadsAsPosixAndLenientIsRefused) {
  json document = to_dom(passing_summary());
  ASSERT_EQ(document["fs_model"], "posix");
  for (json* object : {&document, &document["fault_model"]}) {
    object->erase("fs_model");
    (*object)["dir_mode"] = "strict";
  }
  Result<Summary> read = summary_from_json(document.dump());
  ASSERT_TRUE(read.is_ok()) << read.status().message();
  EXPECT_EQ(read.value(), passing_summary());
  document["dir_mode"] = "lenient";
  EXPECT_NE(read_error(document).find("dir_mode: \"lenient\" is a retired"), std::string::npos)
      << read_error(document);
}

// Any corruption of a valid document (byte flips, truncation) yields either a
// summary that passes validate() or an error; never a crash or an exception.
RC_GTEST_PROP(SummaryJsonReaderProperty, CorruptedDocumentNeverCrashes, ()) {
  std::string text = summary_to_json(failing_summary());
  const auto flips = *rc::gen::inRange<size_t>(0, 8);
  for (size_t i = 0; i < flips; i++) {
    const auto at = *rc::gen::inRange<size_t>(0, text.size());
    text[at] = *rc::gen::arbitrary<char>();
  }
  if (*rc::gen::arbitrary<bool>()) text.resize(*rc::gen::inRange<size_t>(0, text.size() + 1));
  Result<Summary> read = summary_from_json(text);
  if (read.is_ok()) {
    RC_ASSERT(validate(read.value()).is_ok());
  } else {
    RC_ASSERT(!read.status().message().empty());
  }
}

// Any valid summary built from arbitrary counts and texts reads back equal.
RC_GTEST_PROP(SummaryJsonRoundTripProperty, ArbitraryCountsAndTextReadBackEqual, ()) {
  Summary summary = failing_summary();
  summary.config.seed = *rc::gen::arbitrary<uint64_t>();
  summary.counters.workloads = *rc::gen::arbitrary<uint64_t>();
  summary.counters.crash_states_by_mode["sim"] = *rc::gen::arbitrary<uint64_t>();
  summary.elapsed_s = *rc::gen::inRange<uint32_t>(0, 1'000'000) / 7.0;
  summary.violations[1].detail =
      *rc::gen::container<std::string>(rc::gen::inRange<char>(0x20, 0x7F));
  summary.violations[2].diff.allowed_seq_hi = *rc::gen::inRange<uint64_t>(
      summary.violations[2].diff.allowed_seq_lo, std::numeric_limits<uint64_t>::max());
  Result<Summary> read = summary_from_json(summary_to_json(summary));
  RC_ASSERT(read.is_ok());
  RC_ASSERT(read.value() == summary);
}

}  // namespace
}  // namespace reports
