// The Judge's memo of ok verdicts: a state judged before gets the same
// verdict without a second check, and a state that differs in any one byte
// (wherever its value's bytes fall in the memo's hash) is judged on its own.
#include <gtest/gtest.h>

#include <string>

#include "oracle/bounds.h"
#include "oracle/history.h"
#include "targets/target.h"
#include "torture/judge.h"

namespace torture {
namespace {

class JudgeMemo : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = oracle::History::open(":memory:");
    ASSERT_TRUE(opened.is_ok()) << opened.status().to_string();
    history_ = std::move(opened).value();
    info_ = targets::find_target("dbx");
    ASSERT_NE(info_, nullptr);
  }

  // Logs an unacknowledged put of t/`key` = `value`.
  void put(const std::string& key, const std::string& value) {
    auto seq = history_->record_pending({oracle::Op::put("t", key, value)});
    ASSERT_TRUE(seq.is_ok()) << seq.status().to_string();
  }

  oracle::Bounds bounds() const {
    return oracle::compute_bounds(history_->summary(), oracle::Durability::kLazy,
                                  oracle::CrashKind::kPowerLoss);
  }

  std::unique_ptr<oracle::History> history_;
  const targets::TargetInfo* info_ = nullptr;
};

// 77 bytes: four full lanes of 32, a lone word, and a 5-byte tail.
std::string long_value() {
  std::string v;
  for (int i = 0; i < 77; ++i) v.push_back(static_cast<char>('a' + i % 26));
  return v;
}

TEST_F(JudgeMemo, AStateJudgedTwiceGetsOneCheckAndTheSameVerdict) {
  put("k", long_value());
  Judge judge(*info_, targets::Durability::kLazy, *history_);
  const targets::State state = {{"t", "k", long_value()}};
  auto first = judge.check_state(bounds(), state);
  ASSERT_TRUE(first.is_ok()) << first.status().to_string();
  EXPECT_TRUE(first->verdict.ok) << first->verdict.to_string();
  EXPECT_EQ(judge.memo_hits(), 0u);
  auto again = judge.check_state(bounds(), state);
  ASSERT_TRUE(again.is_ok()) << again.status().to_string();
  EXPECT_EQ(judge.memo_hits(), 1u);
  EXPECT_TRUE(again->verdict.ok);
  EXPECT_EQ(again->verdict.p, first->verdict.p);
}

TEST_F(JudgeMemo, AStateThatDiffersInAnyOneByteIsJudgedOnItsOwn) {
  put("k", long_value());
  Judge judge(*info_, targets::Durability::kLazy, *history_);
  auto ok = judge.check_state(bounds(), {{"t", "k", long_value()}});
  ASSERT_TRUE(ok.is_ok() && ok->verdict.ok);
  // Every byte of the value in turn: lanes, the lone word and the tail.
  for (size_t i = 0; i < long_value().size(); ++i) {
    std::string changed = long_value();
    changed[i] ^= 0x20;
    auto judged = judge.check_state(bounds(), {{"t", "k", changed}});
    ASSERT_TRUE(judged.is_ok()) << judged.status().to_string();
    EXPECT_FALSE(judged->verdict.ok) << "byte " << i << " changed yet the memo answered";
  }
  // One byte longer or shorter, and the key or table changed.
  for (const targets::State& other :
       {targets::State{{"t", "k", long_value() + "z"}},
        targets::State{{"t", "k", long_value().substr(1)}},
        targets::State{{"t", "K", long_value()}}, targets::State{{"u", "k", long_value()}}}) {
    auto judged = judge.check_state(bounds(), other);
    ASSERT_TRUE(judged.is_ok()) << judged.status().to_string();
    EXPECT_FALSE(judged->verdict.ok) << other[0].table << "/" << other[0].key;
  }
  EXPECT_EQ(judge.memo_hits(), 0u);
}

}  // namespace
}  // namespace torture
