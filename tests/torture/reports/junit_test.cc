// JUnit XML: one testcase per durability x policy x mode, failures carrying
// the kind and the replay line, everything escaped and well formed.
#include "reports/junit.h"

#include <gtest/gtest.h>

#include <regex>
#include <set>

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

std::set<std::string> testcase_names(const std::string& xml) {
  std::set<std::string> names;
  const std::regex pattern("<testcase name=\"([^\"]*)\"");
  for (auto it = std::sregex_iterator(xml.begin(), xml.end(), pattern);
       it != std::sregex_iterator(); ++it) {
    names.insert((*it)[1].str());
  }
  return names;
}

TEST(JunitXml, OneTestcasePerDurabilityPolicyModeCombination) {
  const std::string xml = render_junit_xml(passing_summary());
  EXPECT_EQ(check_markup(xml, Markup::kXml), "");
  std::set<std::string> expected;
  for (const char* d : {"none", "lazy", "full"}) {
    for (const char* p : {"drop", "prefix", "reorder", "torn", "corrupt"}) {
      for (const char* m : {"sim", "fork"}) {
        expected.insert(std::string(d) + "." + p + "." + m);
      }
    }
  }
  EXPECT_EQ(testcase_names(xml), expected);
  EXPECT_EQ(count_of(xml, "<testcase "), 30u);
  EXPECT_EQ(count_of(xml, "classname=\"dbx-torture.dbx\""), 30u);
  EXPECT_EQ(count_of(xml, "<failure"), 0u);
}

TEST(JunitXml, SuiteAttributesCountTestsFailuresSkipsAndTime) {
  const std::string xml = render_junit_xml(failing_summary());
  EXPECT_NE(xml.find("<testsuites name=\"dbx-torture\" tests=\"30\" failures=\"2\" errors=\"0\" "
                     "time=\"60.250\">"),
            std::string::npos)
      << xml.substr(0, 300);
  EXPECT_NE(xml.find("<testsuite name=\"dbx-torture.dbx\" tests=\"30\" failures=\"2\" errors=\"0\" "
                     "skipped=\"0\" time=\"60.250\" timestamp=\"2024-05-01T12:34:56\" "
                     "hostname=\"ci-runner-1\">"),
            std::string::npos);
  EXPECT_NE(xml.find("<property name=\"seed\" value=\"42\"/>"), std::string::npos);
}

TEST(JunitXml, FailuresCarryTheViolationKindAndEveryReplayLine) {
  const Summary summary = failing_summary();
  const std::string xml = render_junit_xml(summary);
  EXPECT_EQ(check_markup(xml, Markup::kXml), "");
  EXPECT_EQ(count_of(xml, "<failure "), 2u);
  EXPECT_NE(xml.find("<testcase name=\"lazy.torn.sim\" classname=\"dbx-torture.dbx\""),
            std::string::npos);
  EXPECT_NE(xml.find("<failure message=\"lost_acknowledged_write: 2 violation(s); replay: "
                     "dbx-torture replay report/failures/s0-w17-c3\" "
                     "type=\"lost_acknowledged_write\">"),
            std::string::npos);
  EXPECT_NE(xml.find("type=\"hole\""), std::string::npos);
  for (const Violation& v : summary.violations) {
    EXPECT_NE(xml.find("replay:   " + v.replay), std::string::npos) << v.id;
  }
}

TEST(JunitXml, EscapesMarkupQuotesAmpersandsAndDropsForbiddenCharacters) {
  const std::string xml = render_junit_xml(hostile_summary());
  EXPECT_EQ(check_markup(xml, Markup::kXml), "");
  EXPECT_EQ(xml.find("<script>"), std::string::npos);
  EXPECT_NE(xml.find("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;quoted&quot; "
                     "&#39;single&#39; &amp;amp;"),
            std::string::npos);
  EXPECT_NE(xml.find("classname=\"dbx-torture.&lt;script&gt;"), std::string::npos);
  EXPECT_EQ(xml.find('\x01'), std::string::npos);  // XML 1.0 forbids it even as a reference.
  EXPECT_EQ(xml.find('\xFF'), std::string::npos);  // Invalid UTF-8 never reaches the file.
  EXPECT_NE(xml.find("caf\xC3\xA9"), std::string::npos);
}

TEST(JunitXml, CombinationWithNoCrashStateIsSkipped) {
  Summary summary = passing_summary();
  summary.counters.crash_states_by_case[CaseKey{"none", "corrupt", "fork"}] = 0;
  const std::string xml = render_junit_xml(summary);
  EXPECT_NE(xml.find("skipped=\"1\""), std::string::npos);
  EXPECT_NE(xml.find("<testcase name=\"none.corrupt.fork\" classname=\"dbx-torture.dbx\" "
                     "time=\"0.000\">\n      <skipped"),
            std::string::npos);
}

TEST(JunitXml, UnknownPerCaseCountsSkipNothingAndSplitTimeEvenly) {
  Summary summary = passing_summary();
  summary.counters.crash_states_by_case.clear();
  summary.elapsed_s = 30;
  const std::string xml = render_junit_xml(summary);
  EXPECT_NE(xml.find("skipped=\"0\""), std::string::npos);
  EXPECT_EQ(count_of(xml, "time=\"1.000\""), 30u);
}

TEST(JunitXml, ViolationOutsideTheConfiguredListsStillGetsAFailingTestcase) {
  Summary summary = failing_summary();
  summary.violations[2].policy = "process_kill";
  const std::string xml = render_junit_xml(summary);
  EXPECT_EQ(count_of(xml, "<testcase "), 31u);
  EXPECT_NE(xml.find("<testcase name=\"full.process_kill.fork\""), std::string::npos);
  EXPECT_EQ(count_of(xml, "<failure "), 2u);
}

TEST(JunitXml, ManyViolationsInOneCaseAreListedUpToTheLimit) {
  Summary summary = passing_summary();
  for (size_t i = 0; i < kJunitViolationsPerCaseMax + 5; i++) {
    summary.violations.push_back(
        testing::sample_violation(testing::numbered_id(i), "lazy", "torn", "sim"));
  }
  const std::string xml = render_junit_xml(summary);
  EXPECT_EQ(count_of(xml, "  replay:   "), kJunitViolationsPerCaseMax);
  EXPECT_NE(xml.find("... and 5 more violations (see summary.json)"), std::string::npos);
  EXPECT_EQ(check_markup(xml, Markup::kXml), "");
}

TEST(MarkupCheck, CatchesUnbalancedAndUnescapedMarkup) {
  EXPECT_EQ(check_markup("<a><b/></a>", Markup::kXml), "");
  EXPECT_NE(check_markup("<a><b></a></b>", Markup::kXml), "");
  EXPECT_NE(check_markup("<a>x & y</a>", Markup::kXml), "");
  EXPECT_NE(check_markup("<a t=\"<\"/>", Markup::kXml), "");
  EXPECT_NE(check_markup("<a>", Markup::kXml), "");
  EXPECT_NE(check_markup("<a/><b/>", Markup::kXml), "");
  EXPECT_EQ(check_markup("<html><meta charset=\"utf-8\"><p>x &amp; y</p></html>", Markup::kHtml),
            "");
}

}  // namespace
}  // namespace reports
