// Transactions in workloads: the steps that interleave them (generation)
// and their JSON form. Internal to workload.cc.
#pragma once

#include <cstdint>

#include "faultfs/status.h"
#include "json_util.h"
#include "torture/workload.h"

namespace torture::detail {

// Replaces a seeded share of `w`'s steps with transaction steps drawn on
// their own stream (streams::kTransactions): up to three open at once, over
// a few hot keys that the plain writes also write, every put's value unique.
void interleave_transactions(Workload* w);

json_util::Json txn_step_to_json(const TxnStep& txn);
[[nodiscard]] faultfs::Result<TxnStep> txn_step_from_json(const json_util::Json& step);
// "txn 2 get t0/k1", "txn 0 write put t1/k3 (9 B)", "txn 1 commit".
std::string describe_txn_step(const TxnStep& txn);

}  // namespace torture::detail
