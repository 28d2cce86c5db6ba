// Transactions under the crash judge: DBX writing every write as a
// transaction passes, and a commit that is not one write is caught as a
// torn batch.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "cli_run.h"

namespace torture::testing {
namespace {

using Json = nlohmann::json;

Json summary_of(const std::string& report) {
  return Json::parse(slurp(report + "/summary.json"), nullptr, /*allow_exceptions=*/false);
}

TEST(TortureTransactions, DbxCommittingEveryWriteAsATransactionPasses) {
  TempDir t;
  const std::string report = t / "report";
  const CliResult r = run_torture(
      "run --target dbx-txn --workloads 24 --ops 60 --seed 11 --jobs 2 --quiet --report " + report,
      t);
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  const Json s = summary_of(report);
  ASSERT_TRUE(s.is_object());
  EXPECT_GT(s["crash_states"].get<uint64_t>(), 0u);
}

TEST(TortureTransactions, ACommitOfOneTransactionPerOperationIsCaughtAsATornBatch) {
  TempDir t;
  const std::string report = t / "report";
  const CliResult r = run_torture(
      "run --target txn-commit-per-op --mode sim --workloads 8 --ops 60 --seed 11 --jobs 2 "
      "--quiet --report " +
          report,
      t);
  ASSERT_EQ(r.code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("torn_batch"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace torture::testing
