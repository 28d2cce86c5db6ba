// Doubles whose recovery does not return: the correct MiniKv engine, except
// that opening a directory a crash left mid-checkpoint (checkpoint.tmp still
// there) calls abort(), or never returns. A crash-torture campaign must turn
// each into a finding (target_crashed, target_hung) and carry on, instead of
// dying or hanging with it. A clean close never leaves checkpoint.tmp, so
// only crash states trip them.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "doubles/mini_kv.h"
#include "targets/target.h"

namespace targets::doubles {

enum class RecoveryFailure : uint8_t { kAbort, kHang };

class FragileRecoveryTarget final : public Target {
 public:
  FragileRecoveryTarget(RecoveryFailure failure, const TargetTuning& tuning)
      : failure_(failure), inner_(std::make_unique<MiniKvTarget>(Bug::kNone, tuning)) {}

  [[nodiscard]] faultfs::Status open(faultfs::FileSystem& fs, const std::string& dir,
                                     Durability durability) override;
  [[nodiscard]] faultfs::Result<uint64_t> apply(const Write& write) override {
    return inner_->apply(write);
  }
  [[nodiscard]] faultfs::Status background(std::chrono::nanoseconds now) override {
    return inner_->background(now);
  }
  [[nodiscard]] faultfs::Status flush() override { return inner_->flush(); }
  [[nodiscard]] faultfs::Result<State> read_all() override { return inner_->read_all(); }
  [[nodiscard]] faultfs::Status close() override { return inner_->close(); }
  bool is_open() const override { return inner_->is_open(); }

 private:
  const RecoveryFailure failure_;
  std::unique_ptr<MiniKvTarget> inner_;
};

}  // namespace targets::doubles
