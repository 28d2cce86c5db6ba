// Random histories of checkpoints against a model: every apply, every reopen,
// with compactions along the way (small minimum sizes are not configurable,
// so values are large enough to cross it within a short history).
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "wos_test_util.h"

namespace dbx::wos::testing {
namespace {

RC_GTEST_PROP(WosProperty, RandomCheckpointHistoriesMatchTheModelAcrossReopens, ()) {
  auto fs = make_fs();
  auto store = open_ok(*fs);
  RC_ASSERT(store != nullptr);
  State model;
  const int rounds = *rc::gen::inRange(1, 12);
  uint64_t sequence = 0;
  for (int round = 0; round < rounds; ++round) {
    Delta delta;
    const int ops = *rc::gen::inRange(0, 30);
    for (int i = 0; i < ops; ++i) {
      const std::string table = "t" + std::to_string(*rc::gen::inRange(0, 3));
      const std::string key(1, static_cast<char>(*rc::gen::inRange(0, 24)));
      if (*rc::gen::inRange(0, 4) == 0) {
        delta.remove(table, key);
      } else {
        const size_t bytes = *rc::gen::element<size_t>(0, 1, 100, 20000, 90000);
        delta.put(table, key, std::string(bytes, static_cast<char>('a' + round)));
      }
    }
    sequence += *rc::gen::inRange(delta.empty() ? 0 : 1, 3);
    RC_ASSERT(store->apply(delta, sequence).is_ok());
    apply_model(&model, delta);
    RC_ASSERT(dump(*store) == model);
    RC_ASSERT(store->file_bytes() <= 2 * store->live_bytes() + kCompactionMinBytes);
    if (*rc::gen::inRange(0, 3) == 0) {
      RC_ASSERT(store->close().is_ok());
      store = open_ok(*fs);
      RC_ASSERT(store != nullptr);
      RC_ASSERT(store->checkpoint_sequence() == sequence);
      RC_ASSERT(dump(*store) == model);
    }
  }
}

}  // namespace
}  // namespace dbx::wos::testing
