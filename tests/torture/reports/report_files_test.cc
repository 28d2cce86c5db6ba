// Reports on disk: the report folder round trip, atomic writes, and clear
// errors for unwritable folders, missing and oversized files.
#include "reports/report_files.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "report_fixtures.h"

namespace reports {
namespace {

namespace fs = std::filesystem;

class ReportFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("dbx_reports_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(ReportFilesTest, ReportFolderRoundTripsAndHoldsSummaryAndIndex) {
  const Summary summary = testing::failing_summary();
  const fs::path report = dir_ / "nested" / "report";
  Status written = write_report_dir(summary, report);
  ASSERT_TRUE(written.is_ok()) << written.message();
  EXPECT_TRUE(fs::is_regular_file(report / kSummaryFileName));
  EXPECT_TRUE(fs::is_regular_file(report / kIndexFileName));
  EXPECT_FALSE(fs::exists(report / "summary.json.tmp"));
  Result<Summary> read = read_report_dir(report);
  ASSERT_TRUE(read.is_ok()) << read.status().message();
  EXPECT_EQ(read.value(), summary);
}

TEST_F(ReportFilesTest, RewritingAReportReplacesItWhole) {
  ASSERT_TRUE(write_report_dir(testing::failing_summary(), dir_).is_ok());
  ASSERT_TRUE(write_report_dir(testing::passing_summary(), dir_).is_ok());
  Result<Summary> read = read_report_dir(dir_);
  ASSERT_TRUE(read.is_ok()) << read.status().message();
  EXPECT_EQ(read.value(), testing::passing_summary());
}

TEST_F(ReportFilesTest, UnwritableReportFolderIsAnErrorNamingThePath) {
  const fs::path blocker = dir_ / "file";
  std::ofstream(blocker) << "not a folder";
  Status written = write_report_dir(testing::passing_summary(), blocker / "report");
  ASSERT_FALSE(written.is_ok());
  EXPECT_NE(written.message().find((blocker / "report").string()), std::string::npos)
      << written.message();
}

TEST_F(ReportFilesTest, MalformedSummaryIsRefusedAndNothingIsWritten) {
  Summary bad = testing::passing_summary();
  bad.config.durability.clear();
  Status written = write_report_dir(bad, dir_ / "r");
  ASSERT_FALSE(written.is_ok());
  EXPECT_EQ(written.message(),
            "refusing to write a malformed report: durability: must list at least one name");
  EXPECT_FALSE(fs::exists(dir_ / "r"));
  EXPECT_FALSE(write_junit_file(bad, dir_ / "junit.xml").is_ok());
}

TEST_F(ReportFilesTest, MissingSummaryIsAnErrorNamingTheFile) {
  Result<Summary> read = read_report_dir(dir_);
  ASSERT_FALSE(read.is_ok());
  EXPECT_NE(read.status().message().find((dir_ / "summary.json").string()), std::string::npos);
}

TEST_F(ReportFilesTest, CorruptSummaryIsAnErrorNamingTheFileAndTheKey) {
  std::ofstream(dir_ / kSummaryFileName) << "{\"format\": \"dbx-torture-summary\"}";
  Result<Summary> read = read_report_dir(dir_);
  ASSERT_FALSE(read.is_ok());
  EXPECT_EQ(read.status().message(),
            (dir_ / "summary.json").string() + ": format_version: missing");
}

TEST_F(ReportFilesTest, FileLargerThanTheLimitIsRefusedBeforeReading) {
  std::ofstream(dir_ / "big") << std::string(100, 'x');
  Result<std::string> read = read_file(dir_ / "big", 99);
  ASSERT_FALSE(read.is_ok());
  EXPECT_NE(read.status().message().find("100 bytes, more than 99"), std::string::npos);
  EXPECT_FALSE(read_file(dir_, 99).is_ok());  // A folder is not a file.
}

TEST_F(ReportFilesTest, JunitFileIsWrittenWhereAsked) {
  ASSERT_TRUE(write_junit_file(testing::failing_summary(), dir_ / "junit.xml").is_ok());
  Result<std::string> xml = read_file(dir_ / "junit.xml", 1 << 20);
  ASSERT_TRUE(xml.is_ok());
  EXPECT_EQ(xml.value().rfind("<?xml version=\"1.0\" encoding=\"UTF-8\"?>", 0), 0u);
  EXPECT_FALSE(write_junit_file(testing::failing_summary(), dir_ / "no" / "junit.xml").is_ok());
}

}  // namespace
}  // namespace reports
