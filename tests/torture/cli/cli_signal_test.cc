// Ctrl-C and SIGTERM against a real dbx-torture process in fork mode (its
// workers fork children of their own): it must stop every process it
// started, write a complete report that says it was interrupted, and exit
// 130 / 143, or 1 when it found violations.
#include <gtest/gtest.h>
#include <sys/prctl.h>

#include <cerrno>
#include <chrono>
#include <thread>

#include "cli_spawn.h"
#include "reports/report_files.h"

namespace torture::testing {
namespace {

struct Interrupted {
  int code = -1;
  bool orphans = false;
  std::string out;
  std::string err;
};

Interrupted run_and_signal(const std::string& target, const std::string& mode, int signo,
                           const TempDir& t) {
  // This process becomes the reaper of anything the campaign leaves
  // behind: an orphan would be our child once the campaign is gone.
  EXPECT_EQ(::prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
  const pid_t pid = spawn_torture({"run", "--target", target, "--mode", mode, "--time", "60",
                                   "--seed", "1", "--jobs", "2", "--max-violations", "10000",
                                   "--quiet", "--report", t / "report", "--junit", t / "junit.xml"},
                                  t);
  std::this_thread::sleep_for(std::chrono::seconds(2));
  // As a terminal's Ctrl-C does: to the whole foreground process group.
  ::kill(-pid, signo);
  Interrupted r;
  const std::optional<int> status = wait_for(pid, std::chrono::seconds(30));
  EXPECT_TRUE(status.has_value()) << "dbx-torture did not stop within 30 s";
  if (status && WIFEXITED(*status)) r.code = WEXITSTATUS(*status);
  errno = 0;
  const pid_t left = ::waitpid(-1, nullptr, WNOHANG);
  r.orphans = !(left == -1 && errno == ECHILD);
  if (r.orphans) {
    while (::waitpid(-1, nullptr, 0) > 0) {
    }
  }
  r.out = slurp(t / "stdout.txt");
  r.err = slurp(t / "stderr.txt");
  return r;
}

void expect_interrupted_report(const TempDir& t, const std::string& signal_name) {
  auto summary = reports::read_report_dir(t / "report");
  ASSERT_TRUE(summary.is_ok()) << summary.status().message();
  EXPECT_EQ(summary.value().interrupted, signal_name);
  EXPECT_GT(summary.value().elapsed_s, 1.0);
  const std::string junit = slurp(t / "junit.xml");
  EXPECT_NE(junit.find("type=\"interrupted\""), std::string::npos) << junit;
  EXPECT_NE(junit.find("</testsuites>"), std::string::npos);
  const std::string html = slurp(t / "report/index.html");
  EXPECT_NE(html.find("Interrupted by " + signal_name), std::string::npos);
  EXPECT_NE(html.find("</html>"), std::string::npos);
}

TEST(TortureSignals, SigintStopsForkModeWorkersAndTheirChildrenAndReports) {
  TempDir t;
  const Interrupted r = run_and_signal("dbx", "fork", SIGINT, t);
  EXPECT_EQ(r.code, 130) << r.out << r.err;
  EXPECT_FALSE(r.orphans) << "a process of the campaign outlived it";
  EXPECT_NE(r.out.find("interrupted by SIGINT"), std::string::npos) << r.out;
  expect_interrupted_report(t, "SIGINT");
}

TEST(TortureSignals, SigtermExits143WithTheReport) {
  TempDir t;
  const Interrupted r = run_and_signal("mini-kv", "fork", SIGTERM, t);
  EXPECT_EQ(r.code, 143) << r.out << r.err;
  EXPECT_FALSE(r.orphans);
  expect_interrupted_report(t, "SIGTERM");
}

TEST(TortureSignals, InterruptedCampaignWithViolationsExits1) {
  TempDir t;
  const Interrupted r = run_and_signal("delete-not-logged", "sim", SIGTERM, t);
  EXPECT_EQ(r.code, 1) << r.out << r.err;
  EXPECT_FALSE(r.orphans);
  expect_interrupted_report(t, "SIGTERM");
  auto summary = reports::read_report_dir(t / "report");
  ASSERT_TRUE(summary.is_ok());
  EXPECT_FALSE(summary.value().violations.empty());
  ASSERT_TRUE(summary.value().first_violation_s.has_value());
  EXPECT_LE(*summary.value().first_violation_s, summary.value().elapsed_s);
}

}  // namespace
}  // namespace torture::testing
