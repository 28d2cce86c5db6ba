// A target that keeps everything in memory: flush() and close() do nothing,
// and a reopen finds an empty database. Built twice (PROMISES): once
// claiming the checkpoint and close-syncs capabilities it does not have (the
// lab must catch the lie), once declaring it has neither (the lab must then
// hold nothing against it: no write is ever promised durable at None).
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "targets/plugin.h"

namespace {

using faultfs::Status;

class VolatileTarget final : public targets::Target {
 public:
  Status open(faultfs::FileSystem&, const std::string&, targets::Durability) override {
    std::lock_guard lock(mu_);
    // Recovery finds nothing: the state at sequence 0, numbered on from there.
    open_ = true;
    rows_.clear();
    seq_ = 0;
    return Status::ok();
  }
  faultfs::Result<uint64_t> apply(const targets::Write& write) override {
    std::lock_guard lock(mu_);
    if (!open_) return Status(faultfs::ErrorCode::kInvalidArgument, "closed");
    for (const targets::Op& op : write) {
      if (op.kind == targets::OpKind::kPut) {
        rows_[{op.table, op.key}] = op.value;
      } else {
        rows_.erase({op.table, op.key});
      }
    }
    return ++seq_;
  }
  Status background(std::chrono::nanoseconds) override { return Status::ok(); }
  Status flush() override { return Status::ok(); }
  faultfs::Result<targets::State> read_all() override {
    std::lock_guard lock(mu_);
    targets::State out;
    for (const auto& [key, value] : rows_) out.push_back({key.first, key.second, value});
    return out;
  }
  Status close() override {
    std::lock_guard lock(mu_);
    open_ = false;
    return Status::ok();
  }
  bool is_open() const override { return open_; }

 private:
  std::mutex mu_;
  bool open_ = false;
  uint64_t seq_ = 0;
  std::map<std::pair<std::string, std::string>, std::string> rows_;
};

std::vector<targets::TargetInfo> volatile_targets() {
  targets::TargetInfo info;
  info.name = PROMISES ? "volatile-claims-checkpoints" : "volatile-honest";
  info.description = "keeps everything in memory";
  info.known_bug = PROMISES;
  info.durabilities = {targets::Durability::kNone};
  info.make = [](const targets::TargetTuning&) { return std::make_unique<VolatileTarget>(); };
  info.capabilities.checkpoint = PROMISES;
  info.capabilities.close_syncs = PROMISES;
  return {info};
}

}  // namespace

DBX_LAB_PLUGIN(volatile_targets)
