// The helpers every writer leans on: escaping, UTF-8 repair, number and time
// formatting, display keys, the declared fault model, and validate().
#include <gtest/gtest.h>

#include "report_fixtures.h"
#include "reports/summary.h"
#include "svg_chart.h"
#include "text.h"

namespace reports {
namespace {

TEST(EscapeMarkup, EscapesTheFiveSpecialCharacters) {
  EXPECT_EQ(text::escape_markup("<a href=\"x\">Tom & 'Jerry'</a>"),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/a&gt;");
}

TEST(EscapeMarkup, ReplacesCharactersXmlForbidsButKeepsTabsAndNewlines) {
  EXPECT_EQ(text::escape_markup(std::string("a\x01"
                                            "b\x7F"
                                            "c\td\ne\rf",
                                            11)),
            "a\xEF\xBF\xBD"
            "b\xEF\xBF\xBD"
            "c\td\ne\rf");
  EXPECT_EQ(text::escape_markup(std::string("nul\0x", 5)), "nul\xEF\xBF\xBDx");
  EXPECT_EQ(text::escape_markup("\xEF\xBF\xBE"), "\xEF\xBF\xBD");  // U+FFFE.
}

TEST(SanitizeUtf8, KeepsWellFormedTextAndReplacesEachBadByte) {
  EXPECT_EQ(text::sanitize_utf8("caf\xC3\xA9 \xF0\x9F\x92\xA5"), "caf\xC3\xA9 \xF0\x9F\x92\xA5");
  EXPECT_EQ(text::sanitize_utf8("\xFF"), "\xEF\xBF\xBD");
  EXPECT_EQ(text::sanitize_utf8("\xC0\xAF"), "\xEF\xBF\xBD\xEF\xBF\xBD");  // Overlong '/'.
  EXPECT_EQ(text::sanitize_utf8("\xED\xA0\x80"),
            "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");                                // Surrogate.
  EXPECT_EQ(text::sanitize_utf8("\xF4\x90\x80\x80").substr(0, 3), "\xEF\xBF\xBD");  // > U+10FFFF.
  EXPECT_EQ(text::sanitize_utf8("ab\xE2\x82"), "ab\xEF\xBF\xBD\xEF\xBF\xBD");       // Truncated.
}

TEST(FormatNumbers, CountsGetThousandsSeparatorsAndFixedIgnoresLocale) {
  EXPECT_EQ(text::format_count(0), "0");
  EXPECT_EQ(text::format_count(999), "999");
  EXPECT_EQ(text::format_count(1000), "1,000");
  EXPECT_EQ(text::format_count(18446744073709551615ull), "18,446,744,073,709,551,615");
  EXPECT_EQ(text::format_fixed(2.5, 3), "2.500");
  EXPECT_EQ(text::format_fixed(1.0 / 0.0, 1), "0");
  EXPECT_EQ(text::format_rate(5321.4), "5,321");
  EXPECT_EQ(text::format_rate(0.25), "0.25");
}

TEST(FormatDuration, PicksTheUnitAPersonReads) {
  EXPECT_EQ(text::format_duration(0.85), "850 ms");
  EXPECT_EQ(text::format_duration(12.34), "12.3 s");
  EXPECT_EQ(text::format_duration(245), "4 min 05 s");
  EXPECT_EQ(text::format_duration(7380), "2 h 03 min");
  EXPECT_EQ(text::format_duration(-5), "0 ms");
}

TEST(DisplayKey, EscapesUnprintableBytesAndBoundsLength) {
  EXPECT_EQ(display_key(std::string("a\0b\\c\xFF", 6)), "a\\x00b\\\\c\\xFF");
  const std::string long_key(kDisplayKeyBytesMax + 10, 'k');
  EXPECT_EQ(display_key(long_key), std::string(kDisplayKeyBytesMax, 'k') + "...(+10 bytes)");
  EXPECT_EQ(display_key(""), "");
}

TEST(UtcTimestamp, FormatsAndParsesMillisecondsExactly) {
  EXPECT_EQ(format_utc_timestamp(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(format_utc_timestamp(1'714'566'896'789), "2024-05-01T12:34:56.789Z");
  EXPECT_EQ(format_utc_timestamp(kUnixMsMax), "9999-12-31T23:59:59.999Z");
  Result<int64_t> parsed = parse_utc_timestamp("2024-02-29T23:59:59.999Z");
  ASSERT_TRUE(parsed.is_ok());
  EXPECT_EQ(format_utc_timestamp(parsed.value()), "2024-02-29T23:59:59.999Z");
}

TEST(UtcTimestamp, RejectsEveryOtherShape) {
  for (const char* text :
       {"", "2024-05-01T12:34:56Z", "2024-05-01 12:34:56.789Z", "2023-02-29T00:00:00.000Z",
        "2024-13-01T00:00:00.000Z", "2024-05-01T24:00:00.000Z", "1969-12-31T23:59:59.999Z",
        "2024-05-01T12:34:56.78xZ", "+024-05-01T12:34:56.789Z"}) {
    EXPECT_FALSE(parse_utc_timestamp(text).is_ok()) << text;
  }
}

TEST(DescribeFaultModel, DescribesKnownPoliciesAndDeclaresCorruptBeyondTheContract) {
  const FaultModel model = describe_fault_model("ext4-ordered", {"drop", "torn", "mystery"}, 4096);
  EXPECT_EQ(model.sector_size_bytes, 4096u);
  EXPECT_EQ(model.fs_model, "ext4-ordered");
  ASSERT_EQ(model.policies.size(), 3u);
  EXPECT_NE(model.policies[1].description.find("sector granularity"), std::string::npos);
  EXPECT_NE(model.policies[2].description.find("does not describe"), std::string::npos);
  EXPECT_TRUE(model.beyond_contract.empty());
  const FaultModel with_corrupt = describe_fault_model("posix", {"corrupt"}, 512);
  ASSERT_EQ(with_corrupt.beyond_contract.size(), 1u);
  EXPECT_EQ(with_corrupt.beyond_contract[0].rfind("corrupt: flipped bits / lost sectors", 0), 0u);
}

TEST(Validate, AcceptsTheFixturesAndNamesTheFirstBrokenField) {
  EXPECT_TRUE(validate(testing::passing_summary()).is_ok());
  EXPECT_TRUE(validate(testing::failing_summary()).is_ok());
  EXPECT_TRUE(validate(testing::hostile_summary()).is_ok());
  Summary s = testing::failing_summary();
  s.violations[1].diff.closest_seq = 100;
  EXPECT_EQ(validate(s).message(),
            "violations_list[1].diff.closest_seq: 100 is outside the "
            "allowed range");
  s = testing::passing_summary();
  s.rate_series[3].crash_states = 0;
  EXPECT_EQ(validate(s).message(), "rate_series[3]: t_s and crash_states must not decrease");
  s = testing::passing_summary();
  s.finished_unix_ms = s.started_unix_ms - 1;
  EXPECT_EQ(validate(s).message(), "finished_at: before started_at or out of range");
  s = testing::passing_summary();
  s.config.threads = 0;
  EXPECT_EQ(validate(s).message(), "threads: must be >= 1");
  s = testing::passing_summary();
  s.counters.crash_states_by_mode["a.b"] = 1;  // A dot would break "lazy.torn.sim" names.
  EXPECT_EQ(validate(s).message(),
            "crash_states_by_mode key: \"a.b\" is not a name ([A-Za-z0-9_-], 1 to 64 bytes)");
}

TEST(SvgCharts, RatePointsMeasureBetweenSamplesFromAnImplicitStart) {
  const std::vector<RatePoint> series = {{2, 100}, {4, 500}, {4, 600}, {8, 600}};
  const std::vector<svg::Point> points = svg::rate_points(series, 100);
  // The zero-length interval at t=4 folds into the next: (600 - 500) / (8 - 4).
  ASSERT_EQ(points.size(), 3u);
  EXPECT_DOUBLE_EQ(points[0].x, 2);
  EXPECT_DOUBLE_EQ(points[0].y, 50);
  EXPECT_DOUBLE_EQ(points[1].y, 200);
  EXPECT_DOUBLE_EQ(points[2].x, 8);
  EXPECT_DOUBLE_EQ(points[2].y, 25);
  EXPECT_TRUE(svg::rate_points({}, 10).empty());
  std::vector<RatePoint> dense;
  for (int i = 1; i <= 1000; i++) dense.push_back({i * 0.1, static_cast<uint64_t>(i) * 5});
  const std::vector<svg::Point> thinned = svg::rate_points(dense, 50);
  ASSERT_EQ(thinned.size(), 50u);
  for (const svg::Point& p : thinned) EXPECT_NEAR(p.y, 50, 1e-6);
}

TEST(SvgCharts, CompactTickLabels) {
  EXPECT_EQ(svg::compact_number(0), "0");
  EXPECT_EQ(svg::compact_number(950), "950");
  EXPECT_EQ(svg::compact_number(1500), "1.5k");
  EXPECT_EQ(svg::compact_number(12000), "12k");
  EXPECT_EQ(svg::compact_number(3'200'000), "3.2M");
  EXPECT_EQ(svg::compact_number(2.5), "2.5");
}

TEST(SvgCharts, BarChartOfZerosAndEmptyInputStillRender) {
  const std::string zeros = svg::bar_chart({{"drop", 0}, {"torn", 0}}, "t");
  EXPECT_EQ(std::count(zeros.begin(), zeros.end(), '\n'), 0);
  EXPECT_NE(zeros.find("height=\"0.0\""), std::string::npos);
  EXPECT_NE(svg::bar_chart({}, "t").find("no crash states recorded"), std::string::npos);
  EXPECT_EQ(svg::bar_chart({{"a<b", 1}}, "t").find("a<b"), std::string::npos);
}

}  // namespace
}  // namespace reports
