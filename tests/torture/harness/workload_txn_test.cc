// Transaction steps in workloads: drawn only when asked, on their own seed
// stream, with values no other write uses, and kept by the JSON form.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "torture/workload.h"

namespace torture {
namespace {

size_t txn_steps(const Workload& w) {
  size_t n = 0;
  for (const Step& s : w.steps) n += s.kind == StepKind::kTxn ? 1 : 0;
  return n;
}

TEST(WorkloadTransactions, OffByDefaultAndTheOtherStepsStayWhatTheyWere) {
  for (uint64_t seed = 0; seed < 20; ++seed) {
    const Workload plain = generate_workload(seed, WorkloadShape{100, true});
    const Workload txn = generate_workload(seed, WorkloadShape{100, true, true});
    EXPECT_EQ(txn_steps(plain), 0u);
    EXPECT_GT(txn_steps(txn), 10u) << seed;
    ASSERT_EQ(plain.steps.size(), txn.steps.size());
    for (size_t i = 0; i < plain.steps.size(); ++i) {
      if (txn.steps[i].kind == StepKind::kTxn) continue;
      EXPECT_EQ(txn.steps[i].kind, plain.steps[i].kind) << seed << " " << i;
      EXPECT_EQ(txn.steps[i].write, plain.steps[i].write) << seed << " " << i;
    }
  }
}

TEST(WorkloadTransactions, EveryTransactionalPutHasAValueNoOtherWriteUses) {
  for (uint64_t seed = 0; seed < 20; ++seed) {
    const Workload w = generate_workload(seed, WorkloadShape{200, false, true});
    std::set<std::string> txn_values;
    std::set<std::string> plain_values;
    for (const Step& s : w.steps) {
      if (s.kind == StepKind::kTxn && s.txn.action == TxnAction::kWrite &&
          s.txn.op.kind == targets::OpKind::kPut) {
        EXPECT_TRUE(txn_values.insert(s.txn.op.value).second) << s.txn.op.value;
      }
      for (const targets::Op& op : s.write) plain_values.insert(op.value);
    }
    for (const std::string& v : txn_values) EXPECT_EQ(plain_values.count(v), 0u) << v;
  }
}

TEST(WorkloadTransactions, JsonKeepsTransactionStepsAndWritesVersion2WithoutThem) {
  const Workload w = generate_workload(9, WorkloadShape{120, true, true});
  const std::string text = workload_to_json(w);
  EXPECT_NE(text.find("\"version\": 3"), std::string::npos);
  auto back = workload_from_json(text);
  ASSERT_TRUE(back.is_ok()) << back.status().to_string();
  EXPECT_EQ(back.value(), w);
  const std::string plain = workload_to_json(generate_workload(9, WorkloadShape{120, true}));
  EXPECT_NE(plain.find("\"version\": 2"), std::string::npos);
  // A transaction step in a version-2 document is refused, not misread.
  std::string old = text;
  old.replace(old.find("\"version\": 3"), 12, "\"version\": 2");
  EXPECT_FALSE(workload_from_json(old).is_ok());
}

TEST(WorkloadTransactions, AMalformedTransactionStepIsRefusedNamingIt) {
  const std::string base =
      R"({"format": "dbx-torture-workload", "version": 3, "seed": 1, "steps": [)";
  for (const char* step : {R"({"kind": "txn", "slot": 9, "action": "begin"})",
                           R"({"kind": "txn", "slot": 0, "action": "jump"})",
                           R"({"kind": "txn", "slot": 0, "action": "write"})",
                           R"({"kind": "txn", "slot": 0, "action": "get", "t": "=t0"})"}) {
    auto parsed = workload_from_json(base + step + "]}");
    ASSERT_FALSE(parsed.is_ok()) << step;
    EXPECT_NE(parsed.status().message().find("txn"), std::string::npos)
        << parsed.status().message();
  }
}

}  // namespace
}  // namespace torture
