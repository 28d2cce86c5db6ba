// Violations grouped by cause (kind, policy, crash operation and file), the
// seconds to the first violation, and a campaign a signal cut short: each is
// in summary.json (and reads back), JUnit and index.html.
#include <gtest/gtest.h>

#include "report_fixtures.h"
#include "reports/html_report.h"
#include "reports/junit.h"
#include "reports/merge.h"
#include "reports/summary_json.h"

namespace reports::testing {
namespace {

TEST(CauseGrouping, SameKindPolicyOperationAndFileIsOneCause) {
  Summary s = failing_summary();
  // Two lazy.torn violations at the same append: one cause; the hole is another.
  std::vector<CauseGroup> groups = group_by_cause(s.violations);
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_EQ(groups[0].cause.kind, "lost_acknowledged_write");
  EXPECT_EQ(groups[0].violations, 2u);
  EXPECT_EQ(groups[0].first_id, "s0-w17-c3");
  EXPECT_EQ(groups[1].cause.kind, "hole");
  // The same kind and policy at another file is another cause.
  s.violations[1].crash_file = "db/checkpoint";
  EXPECT_EQ(group_by_cause(s.violations).size(), 3u);
}

TEST(CauseGrouping, EmptyWithoutViolations) {
  EXPECT_TRUE(group_by_cause(passing_summary().violations).empty());
}

TEST(Interruption, RoundTripsThroughSummaryJsonWithCausesAndFirstViolation) {
  Summary s = failing_summary();
  s.interrupted = "SIGINT";
  s.first_violation_s = 1.25;
  const std::string json = summary_to_json(s);
  EXPECT_NE(json.find("\"interrupted\": \"SIGINT\""), std::string::npos);
  EXPECT_NE(json.find("\"distinct_causes\": 2"), std::string::npos);
  EXPECT_NE(json.find("\"first_violation_s\": 1.25"), std::string::npos);
  EXPECT_NE(json.find("\"crash_op\": \"append\""), std::string::npos);
  auto back = summary_from_json(json);
  ASSERT_TRUE(back.is_ok()) << back.status().message();
  EXPECT_EQ(back.value(), s);
}

TEST(Interruption, OlderSummariesWithoutTheNewKeysStillRead) {
  Summary s = failing_summary();
  std::string json = summary_to_json(s);
  for (const std::string key : {"\"interrupted\": null,", "\"first_violation_s\": null,"}) {
    const size_t at = json.find(key);
    ASSERT_NE(at, std::string::npos) << key;
    json.erase(at, key.size());
  }
  auto back = summary_from_json(json);
  ASSERT_TRUE(back.is_ok()) << back.status().message();
  EXPECT_TRUE(back.value().interrupted.empty());
}

TEST(Interruption, ValidateRejectsAFirstViolationWithoutViolationsAndBadNames) {
  Summary s = passing_summary();
  s.first_violation_s = 3;
  EXPECT_FALSE(validate(s).is_ok());
  s.first_violation_s.reset();
  s.interrupted = "SIG INT<";
  EXPECT_FALSE(validate(s).is_ok());
  s.interrupted = "SIGTERM";
  EXPECT_TRUE(validate(s).is_ok());
}

TEST(Interruption, JunitHasAnErrorCaseAndHtmlABanner) {
  Summary s = passing_summary();
  EXPECT_EQ(render_junit_xml(s).find("interrupted"), std::string::npos);
  s.interrupted = "SIGTERM";
  const std::string xml = render_junit_xml(s);
  EXPECT_NE(xml.find("<error message=\"campaign interrupted by SIGTERM"), std::string::npos);
  EXPECT_NE(xml.find("errors=\"1\""), std::string::npos);
  EXPECT_NE(xml.find("<property name=\"interrupted\" value=\"SIGTERM\"/>"), std::string::npos);
  const std::string html = render_html_report(s);
  EXPECT_NE(html.find("Interrupted by SIGTERM"), std::string::npos);
}

TEST(Interruption, HtmlListsEachCauseOnceAndTheTimeToTheFirstViolation) {
  Summary s = failing_summary();
  s.first_violation_s = 4;
  const std::string html = render_html_report(s);
  EXPECT_NE(html.find("id=\"causes\""), std::string::npos);
  EXPECT_NE(html.find("to the first violation"), std::string::npos);
  EXPECT_NE(html.find("<code>s0-w17-c3</code>"), std::string::npos);
  EXPECT_EQ(html.find("<code>s0-w18-c1</code>"), std::string::npos);
}

TEST(Interruption, MergeKeepsTheEarliestFirstViolationAndTheInterruption) {
  Summary a = failing_summary();
  a.first_violation_s = 9;
  Summary b = passing_summary();
  b.config.shard = Shard{2, {1}};
  a.config.shard = Shard{2, {0}};
  b.interrupted = "SIGINT";
  auto merged = merge_summaries({a, b});
  ASSERT_TRUE(merged.is_ok()) << merged.status().message();
  EXPECT_EQ(merged.value().first_violation_s, 9);
  EXPECT_EQ(merged.value().interrupted, "SIGINT");
}

}  // namespace
}  // namespace reports::testing
