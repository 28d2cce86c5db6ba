// summary.json's exploration object: written, read back unchanged, refused
// when it claims coverage it does not have, and shown in index.html.
#include <gtest/gtest.h>

#include "../reports/report_fixtures.h"
#include "reports/html_report.h"
#include "reports/summary_json.h"

namespace reports {
namespace {

Summary explored() {
  Summary s = testing::passing_summary();
  Exploration e;
  e.max_ops = 2;
  e.ops_from = {"put", "flush"};
  e.alphabet = {"put k1=v1", "put k1=v2", "put k2=v1", "put k2=v2", "flush"};
  e.fs_models = {"posix"};
  e.workloads = 31;
  e.runs = 31;
  e.runs_done = 31;
  e.points = 900;
  e.enumerations = 3600;
  e.images = 7000;
  e.duplicates = 40;
  e.skipped = 5000;
  e.covered = true;
  e.coverage = "covered all of it";
  s.exploration = e;
  return s;
}

TEST(ExplorationReport, RoundTripsThroughSummaryJson) {
  Summary s = explored();
  s.exploration->enumerations_partial = 3;
  s.exploration->partial_by_policy = {{"corrupt", 3}};
  s.exploration->sampled = 12;
  s.exploration->covered = false;
  s.exploration->coverage = "covered 31 of 31 runs whole (100.0%): 3 walks sampled";
  auto back = summary_from_json(summary_to_json(s));
  ASSERT_TRUE(back.is_ok()) << back.status().to_string();
  EXPECT_EQ(back.value(), s);
}

TEST(ExplorationReport, AbsentInAnOrdinaryCampaign) {
  const Summary s = testing::passing_summary();
  EXPECT_EQ(summary_to_json(s).find("\"exploration\""), std::string::npos);
  auto back = summary_from_json(summary_to_json(s));
  ASSERT_TRUE(back.is_ok());
  EXPECT_FALSE(back->exploration.has_value());
}

TEST(ExplorationReport, CoveredWithRunsLeftOutIsInvalid) {
  Summary s = explored();
  s.exploration->runs_done = 30;
  EXPECT_FALSE(validate(s).is_ok());
  s = explored();
  s.exploration->enumerations_partial = 1;
  s.exploration->enumerations = 3600;
  EXPECT_FALSE(validate(s).is_ok());
  s = explored();
  s.exploration->runs_done = 32;
  s.exploration->covered = false;
  EXPECT_FALSE(validate(s).is_ok());
  EXPECT_TRUE(validate(explored()).is_ok());
}

TEST(ExplorationReport, HtmlShowsTheCoverage) {
  const std::string html = render_html_report(explored());
  EXPECT_NE(html.find("id=\"exploration\""), std::string::npos);
  EXPECT_NE(html.find("covered all of it"), std::string::npos);
  EXPECT_EQ(render_html_report(testing::passing_summary()).find("id=\"exploration\""),
            std::string::npos);
}

}  // namespace
}  // namespace reports
