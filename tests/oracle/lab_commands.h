// The stateful property's commands: insert, remove, batch, flush, reopen,
// kill, crash(policy, seed) and fail_writeback over a LabSut. A command is a
// value: its show() is enough to replay it, crash choices included (the seed
// picks the choice from the same pre-crash state).
#pragma once

#include <rapidcheck.h>
#include <rapidcheck/state.h>

#include <cstdint>
#include <ostream>
#include <string>

#include "lab_sut.h"

namespace oracle {
// Lets RapidCheck print the generated durability of a failing case.
inline void showValue(Durability d, std::ostream& os) { os << durability_name(d); }
}  // namespace oracle

namespace oracle::testing {

struct LabModel {
  const LabConfig* config = nullptr;
  Durability durability = Durability::kLazy;
};

using LabCommand = rc::state::Command<LabModel, LabSut>;

// Few keys and tables, so that overwrites and deletes hit; values long enough
// to span several 64-byte sectors, so that torn writes cut through records.
inline rc::Gen<std::string> gen_table() { return rc::gen::element<std::string>("t0", "t1"); }
inline rc::Gen<std::string> gen_key() {
  return rc::gen::map(rc::gen::inRange(0, 6), [](int i) {
    std::string key = "k";  // Appends only: GCC 12 -O3 -Wrestrict false positive.
    key += std::to_string(i);
    return key;
  });
}
inline rc::Gen<std::string> gen_value() {
  return rc::gen::map(rc::gen::pair(rc::gen::inRange(0, 10000), rc::gen::inRange(1, 160)),
                      [](const std::pair<int, int>& p) {
                        std::string v = "v";
                        v += std::to_string(p.first);
                        v += ':';
                        v.resize(static_cast<size_t>(p.second) + v.size(), 'x');
                        return v;
                      });
}

inline void show_op(std::ostream& os, const Op& op) {
  if (op.kind == OpKind::kPut) {
    os << "put " << op.table << "/" << op.key << "=" << op.value.substr(0, op.value.find(':'))
       << "(" << op.value.size() << "B)";
  } else {
    os << "del " << op.table << "/" << op.key;
  }
}

struct Insert : LabCommand {
  Op op = Op::put(*gen_table(), *gen_key(), *gen_value());
  void run(const LabModel&, LabSut& sut) const override { sut.write({op}); }
  void show(std::ostream& os) const override { show_op(os, op); }
};

struct Remove : LabCommand {
  Op op = Op::del(*gen_table(), *gen_key());
  void run(const LabModel&, LabSut& sut) const override { sut.write({op}); }
  void show(std::ostream& os) const override { show_op(os, op); }
};

struct Batch : LabCommand {
  Write ops;
  Batch() {
    const int n = *rc::gen::inRange(2, 5);
    for (int i = 0; i < n; ++i) {
      if (*rc::gen::inRange(0, 4) == 0) {
        ops.push_back(Op::del(*gen_table(), *gen_key()));
      } else {
        ops.push_back(Op::put(*gen_table(), *gen_key(), *gen_value()));
      }
    }
  }
  void run(const LabModel&, LabSut& sut) const override { sut.write(ops); }
  void show(std::ostream& os) const override {
    os << "batch{";
    for (size_t i = 0; i < ops.size(); ++i) {
      if (i > 0) os << ", ";
      show_op(os, ops[i]);
    }
    os << "}";
  }
};

struct Flush : LabCommand {
  void run(const LabModel&, LabSut& sut) const override { sut.flush(); }
  void show(std::ostream& os) const override { os << "flush"; }
};

struct Reopen : LabCommand {
  void run(const LabModel&, LabSut& sut) const override { sut.reopen(); }
  void show(std::ostream& os) const override { os << "reopen"; }
};

struct Kill : LabCommand {
  void run(const LabModel&, LabSut& sut) const override { sut.kill(); }
  void show(std::ostream& os) const override { os << "kill"; }
};

struct Crash : LabCommand {
  faultfs::CrashOptions options;
  uint64_t seed = 0;
  explicit Crash(const LabModel& model) {
    RC_PRE(!model.config->policies.empty());
    options.policy = *rc::gen::elementOf(model.config->policies);
    options.fs_model = *rc::gen::element(faultfs::FsModel::kPosix, faultfs::FsModel::kExt4Ordered);
    options.sector_bytes = 64;
    seed = *rc::gen::arbitrary<uint64_t>();
  }
  void run(const LabModel&, LabSut& sut) const override { sut.crash(options, seed); }
  void show(std::ostream& os) const override {
    os << "crash(" << faultfs::crash_policy_name(options.policy) << ", "
       << faultfs::fs_model_name(options.fs_model) << ", sector=" << options.sector_bytes
       << ", seed=" << seed << ")";
  }
};

struct FailWriteback : LabCommand {
  bool reopen_after = false;
  explicit FailWriteback(const LabModel& model) {
    RC_PRE(model.config->inject_writeback_failures);
    reopen_after = *rc::gen::arbitrary<bool>();
  }
  void run(const LabModel&, LabSut& sut) const override { sut.fail_writeback_then(reopen_after); }
  void show(std::ostream& os) const override {
    os << "fail_writeback+" << (reopen_after ? "reopen" : "flush");
  }
};

// One property case: a durability level, then a command list.
inline void run_lab_case(const LabConfig& config) {
  LabModel model;
  model.config = &config;
  model.durability = *rc::gen::elementOf(config.durabilities);
  RC_TAG(durability_name(model.durability));
  LabSut sut(config, model.durability);
  rc::state::check(
      model, sut,
      rc::state::gen::execOneOfWithArgs<Insert, Insert, Insert, Remove, Batch, Batch, Flush, Reopen,
                                        Kill, Crash, Crash, FailWriteback>());
}

}  // namespace oracle::testing
