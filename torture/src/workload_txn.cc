#include "workload_txn.h"

#include <array>
#include <cassert>
#include <random>
#include <string>
#include <vector>

#include "faultfs/status_macros.h"
#include "torture/seeds.h"

namespace torture {

const char* txn_action_name(TxnAction action) {
  switch (action) {
    case TxnAction::kBegin:
      return "begin";
    case TxnAction::kGet:
      return "get";
    case TxnAction::kWrite:
      return "write";
    case TxnAction::kCommit:
      return "commit";
    case TxnAction::kRollback:
      return "rollback";
  }
  return "?";
}

namespace detail {

using faultfs::Result;
using json_util::Json;

namespace {

// A third of the steps: a 100-step workload runs about eight transactions.
constexpr uint64_t kTxnStepPercent = 35;
// Slots a generated workload uses (kTxnSlotsMax bounds any workload).
constexpr uint32_t kSlotsDrawn = 3;
static_assert(kSlotsDrawn <= kTxnSlotsMax);
// Few hot keys, in tables the plain writes also use ("k0".."k3" of
// workload.cc's pool): transactions and plain writes meet on them.
constexpr std::array<const char*, 2> kTables = {"t0", "t1"};
constexpr uint32_t kHotKeys = 4;

class TxnDraw {
 public:
  explicit TxnDraw(uint64_t seed) : rng_(seed) {}

  uint64_t range(uint64_t lo, uint64_t hi) {
    return std::uniform_int_distribution<uint64_t>(lo, hi)(rng_);
  }
  bool percent(uint64_t p) { return range(0, 99) < p; }

  TxnStep next() {
    std::vector<uint32_t> open;
    for (uint32_t s = 0; s < kSlotsDrawn; ++s) {
      if (open_[s]) open.push_back(s);
    }
    TxnStep t;
    if (open.empty() || (open.size() < kSlotsDrawn && percent(25))) {
      t.slot = free_slot();
      t.action = TxnAction::kBegin;
      open_[t.slot] = true;
      return t;
    }
    t.slot = open[range(0, open.size() - 1)];
    const uint64_t r = range(0, 99);
    t.action = r < 40   ? TxnAction::kGet
               : r < 75 ? TxnAction::kWrite
               : r < 93 ? TxnAction::kCommit
                        : TxnAction::kRollback;
    const std::string table = kTables[range(0, kTables.size() - 1)];
    const std::string key = "k" + std::to_string(range(0, kHotKeys - 1));
    if (t.action == TxnAction::kGet) t.op = targets::Op::del(table, key);
    if (t.action == TxnAction::kWrite) {
      t.op = percent(20) ? targets::Op::del(table, key) : targets::Op::put(table, key, value());
    }
    if (t.action == TxnAction::kCommit || t.action == TxnAction::kRollback) open_[t.slot] = false;
    return t;
  }

 private:
  uint32_t free_slot() {
    for (uint32_t s = 0; s < kSlotsDrawn; ++s) {
      if (!open_[s]) return s;
    }
    assert(false && "no free slot");
    return 0;
  }
  // "x<n>:" and a few filler bytes: unique in the workload ("v<n>:" tags
  // the plain writes' values), so a value read names its one writer.
  std::string value() {
    std::string out = "x" + std::to_string(counter_++) + ":";
    const uint64_t filler = range(0, 12);
    for (uint64_t i = 0; i < filler; ++i) out.push_back(static_cast<char>('a' + range(0, 25)));
    return out;
  }

  std::mt19937_64 rng_;
  std::array<bool, kSlotsDrawn> open_{};
  uint64_t counter_ = 0;
};

}  // namespace

void interleave_transactions(Workload* w) {
  assert(w != nullptr);
  TxnDraw draw(derive_seed(w->seed, 0, streams::kTransactions));
  for (Step& step : w->steps) {
    if (!draw.percent(kTxnStepPercent)) continue;
    Step txn;
    txn.kind = StepKind::kTxn;
    txn.txn = draw.next();
    step = std::move(txn);
  }
}

Json txn_step_to_json(const TxnStep& txn) {
  Json j{{"kind", "txn"}, {"slot", txn.slot}, {"action", txn_action_name(txn.action)}};
  if (txn.action == TxnAction::kGet) {
    j["t"] = json_util::encode_bytes(txn.op.table);
    j["k"] = json_util::encode_bytes(txn.op.key);
  }
  if (txn.action == TxnAction::kWrite) j["write"] = json_util::write_to_json({txn.op});
  return j;
}

Result<TxnStep> txn_step_from_json(const Json& j) {
  TxnStep t;
  ASSIGN_OR_RETURN(auto slot, json_util::get_u64(j, "slot", "workload txn"));
  if (slot >= kTxnSlotsMax) return json_util::corrupt("workload txn", "slot out of range");
  t.slot = static_cast<uint32_t>(slot);
  ASSIGN_OR_RETURN(auto action, json_util::get_string(j, "action", "workload txn"));
  bool known = false;
  for (const TxnAction a : {TxnAction::kBegin, TxnAction::kGet, TxnAction::kWrite,
                            TxnAction::kCommit, TxnAction::kRollback}) {
    if (action == txn_action_name(a)) {
      t.action = a;
      known = true;
    }
  }
  if (!known) return json_util::corrupt("workload txn", "unknown action " + action);
  if (t.action == TxnAction::kGet) {
    ASSIGN_OR_RETURN(auto table, json_util::get_bytes(j, "t", kTableBytesMax, "workload txn"));
    ASSIGN_OR_RETURN(auto key, json_util::get_bytes(j, "k", kKeyBytesMax, "workload txn"));
    t.op = targets::Op::del(table, key);
  }
  if (t.action == TxnAction::kWrite) {
    const auto write = j.find("write");
    if (write == j.end()) return json_util::corrupt("workload txn", "write missing");
    ASSIGN_OR_RETURN(auto ops, json_util::write_from_json(*write, "workload txn"));
    if (ops.size() != 1) return json_util::corrupt("workload txn", "write is not one op");
    t.op = std::move(ops.front());
  }
  return t;
}

std::string describe_txn_step(const TxnStep& txn) {
  std::string out = "txn " + std::to_string(txn.slot) + " " + txn_action_name(txn.action);
  if (txn.action == TxnAction::kGet || txn.action == TxnAction::kWrite) {
    if (txn.action == TxnAction::kWrite) {
      out += txn.op.kind == targets::OpKind::kPut ? " put" : " del";
    }
    out += " " + txn.op.table + "/" + json_util::encode_bytes(txn.op.key.substr(0, 32));
    if (txn.action == TxnAction::kWrite && txn.op.kind == targets::OpKind::kPut) {
      out += " (" + std::to_string(txn.op.value.size()) + " B)";
    }
  }
  return out;
}

}  // namespace detail
}  // namespace torture
