// Writes a sample report for the checks that parse it with real parsers
// (check_report.py) and for looking at the page in a browser:
//   reports_sample_report REPORT_DIR JUNIT_FILE pass|fail|hostile
#include <cstdio>
#include <string_view>

#include "report_fixtures.h"
#include "reports/report_files.h"

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: %s REPORT_DIR JUNIT_FILE pass|fail|hostile\n", argv[0]);
    return 2;
  }
  const std::string_view kind = argv[3];
  reports::Summary summary;
  if (kind == "pass") {
    summary = reports::testing::passing_summary();
  } else if (kind == "fail") {
    summary = reports::testing::failing_summary();
  } else if (kind == "hostile") {
    summary = reports::testing::hostile_summary();
  } else {
    std::fprintf(stderr, "unknown kind %s\n", argv[3]);
    return 2;
  }
  reports::Status status = reports::write_report_dir(summary, argv[1]);
  if (status.is_ok()) status = reports::write_junit_file(summary, argv[2]);
  if (!status.is_ok()) {
    std::fprintf(stderr, "%s\n", status.message().c_str());
    return 1;
  }
  return 0;
}
