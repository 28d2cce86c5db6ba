// index.html: well formed, self-contained, and showing what a person needs:
// the verdict, the fault model, the charts, and every violation's replay line.
#include "reports/html_report.h"

#include <gtest/gtest.h>

#include "markup_check.h"
#include "report_fixtures.h"

namespace reports {
namespace {

using testing::check_markup;
using testing::failing_summary;
using testing::hostile_summary;
using testing::Markup;
using testing::passing_summary;

size_t count_of(const std::string& haystack, const std::string& needle) {
  size_t count = 0;
  for (size_t at = haystack.find(needle); at != std::string::npos;
       at = haystack.find(needle, at + 1)) {
    count++;
  }
  return count;
}

TEST(HtmlReport, PassingCampaignIsWellFormedWithPassVerdictAndBothCharts) {
  const std::string html = render_html_report(passing_summary());
  EXPECT_EQ(check_markup(html, Markup::kHtml), "");
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(html.find("<section class=\"verdict pass\"><div class=\"word\">PASS</div>"),
            std::string::npos);
  EXPECT_EQ(html.find(">FAIL<"), std::string::npos);
  EXPECT_NE(html.find("No violation in 89,595 crash states from 812 workloads"), std::string::npos);
  EXPECT_EQ(count_of(html, "<svg class=\"chart"), 2u);
  EXPECT_NE(html.find("aria-label=\"Crash states per policy\""), std::string::npos);
  EXPECT_NE(html.find("<polyline class=\"rate\""), std::string::npos);
  EXPECT_EQ(count_of(html, "<rect "), 5u);  // One bar per policy.
  EXPECT_EQ(html.find("id=\"violations\""), std::string::npos);
}

TEST(HtmlReport, FailingCampaignShowsFailVerdictAndEveryViolationWithItsReplayLine) {
  const Summary summary = failing_summary();
  const std::string html = render_html_report(summary);
  EXPECT_EQ(check_markup(html, Markup::kHtml), "");
  EXPECT_NE(html.find("<section class=\"verdict fail\"><div class=\"word\">FAIL</div>"),
            std::string::npos);
  EXPECT_NE(html.find("3 violations in 89,595 crash states"), std::string::npos);
  EXPECT_NE(html.find("Kinds: 1 hole, 2 lost_acknowledged_write"), std::string::npos);
  EXPECT_EQ(count_of(html, "<article class=\"violation\""), 3u);
  for (const Violation& v : summary.violations) {
    EXPECT_NE(html.find("<pre>" + v.replay + "</pre><button class=\"copy\""), std::string::npos)
        << v.id;
    EXPECT_NE(html.find("id=\"violation-" + v.id + "\""), std::string::npos);
  }
  EXPECT_NE(html.find("<code>users:u17</code><code>users:u18</code><span class=\"muted\">and 10 "
                      "more</span>"),
            std::string::npos);
  EXPECT_NE(html.find("the recovered state equals p = 17"), std::string::npos);
  EXPECT_NE(html.find("<td class=\"num hit\">"), std::string::npos);  // Coverage grid marks it.
}

TEST(HtmlReport, DeclaresTheFaultModelWithWhatIsBeyondTheContract) {
  const std::string html = render_html_report(passing_summary());
  EXPECT_NE(html.find("Declared fault model"), std::string::npos);
  EXPECT_NE(html.find("Sector size: <b>512 bytes</b>"), std::string::npos);
  EXPECT_NE(html.find("File-system model: <b>posix</b>"), std::string::npos);
  EXPECT_NE(html.find("<b>Beyond the contract</b>"), std::string::npos);
  EXPECT_NE(html.find("corrupt: flipped bits / lost sectors in durable data"), std::string::npos);
  EXPECT_NE(html.find("37 faults fired"), std::string::npos);
}

TEST(HtmlReport, HostileTextIsEscapedEverywhere) {
  const std::string html = render_html_report(hostile_summary());
  EXPECT_EQ(check_markup(html, Markup::kHtml), "");
  // The page's own script is the only <script> element.
  EXPECT_EQ(count_of(html, "<script>"), 1u);
  EXPECT_NE(html.find("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;quoted&quot;"),
            std::string::npos);
  EXPECT_EQ(html.find('\x01'), std::string::npos);
  EXPECT_EQ(html.find('\xFF'), std::string::npos);
  EXPECT_NE(html.find("<title>dbx-torture FAIL \xC2\xB7 &lt;script&gt;"), std::string::npos);
}

TEST(HtmlReport, IsSelfContainedWithNothingFetchedFromTheNetwork) {
  const std::string html = render_html_report(failing_summary());
  EXPECT_EQ(html.find("<link"), std::string::npos);
  EXPECT_EQ(html.find("src="), std::string::npos);
  EXPECT_EQ(html.find("@import"), std::string::npos);
  EXPECT_EQ(html.find("url("), std::string::npos);
  EXPECT_EQ(html.find("https://"), std::string::npos);
  // The SVG namespace is an identifier, not a fetch; nothing else names http.
  EXPECT_EQ(count_of(html, "http://"), count_of(html, "xmlns=\"http://www.w3.org/2000/svg\""));
}

TEST(HtmlReport, EmptyCampaignWarnsThatThePassProvesNothing) {
  Summary summary = passing_summary();
  summary.counters = Counters();
  summary.rate_series.clear();
  summary.elapsed_s = 0;
  const std::string html = render_html_report(summary);
  EXPECT_EQ(check_markup(html, Markup::kHtml), "");
  EXPECT_NE(html.find("No crash state was judged: this verdict proves nothing."),
            std::string::npos);
  EXPECT_NE(html.find("no rate samples recorded"), std::string::npos);
}

TEST(HtmlReport, PartialShardSetIsFlagged) {
  Summary summary = passing_summary();
  summary.config.shard = Shard{4, {0, 2}};
  const std::string html = render_html_report(summary);
  EXPECT_NE(html.find("Partial campaign: 2 of 4 shards."), std::string::npos);
}

TEST(HtmlReport, ViolationsBeyondTheDisplayLimitAreCountedNotDropped) {
  Summary summary = passing_summary();
  for (size_t i = 0; i < kHtmlViolationsMax + 3; i++) {
    summary.violations.push_back(
        testing::sample_violation(testing::numbered_id(i), "lazy", "torn", "sim"));
  }
  const std::string html = render_html_report(summary);
  EXPECT_EQ(check_markup(html, Markup::kHtml), "");
  EXPECT_EQ(count_of(html, "<article class=\"violation\""), kHtmlViolationsMax);
  EXPECT_NE(html.find("3 more violations are listed in summary.json."), std::string::npos);
}

}  // namespace
}  // namespace reports
