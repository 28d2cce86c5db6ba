// Helpers shared by the oracle's unit tests: a history in memory and short
// ways to log writes and judge states.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "oracle/bounds.h"
#include "oracle/checker.h"
#include "oracle/history.h"

namespace oracle::testing {

// prefix + n, by appending: GCC 12 at -O3 flags `"literal" + std::string`
// with a false -Wrestrict.
inline std::string numbered(const char* prefix, int n) {
  std::string out = prefix;
  out += std::to_string(n);
  return out;
}

class OracleFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = History::open(":memory:");
    ASSERT_TRUE(opened.is_ok()) << opened.status().to_string();
    history_ = std::move(opened).value();
  }

  // Logs `write` as issued and, when `ack`, as acknowledged.
  uint64_t issue(const Write& write, bool ack) {
    auto seq = history_->record_pending(write);
    EXPECT_TRUE(seq.is_ok()) << seq.status().to_string();
    if (!seq.is_ok()) return 0;
    if (ack) {
      const faultfs::Status s = history_->record_ack(seq.value());
      EXPECT_TRUE(s.is_ok()) << s.to_string();
    }
    return seq.value();
  }
  uint64_t put(const std::string& key, const std::string& value, bool ack = true) {
    return issue({Op::put("t", key, value)}, ack);
  }
  uint64_t del(const std::string& key, bool ack = true) { return issue({Op::del("t", key)}, ack); }

  void sync(SyncKind kind, bool complete = true) {
    ASSERT_TRUE(history_->record_sync_begin(kind).is_ok());
    if (complete) {
      ASSERT_TRUE(history_->record_sync_end(kind, true).is_ok());
    }
  }

  Bounds bounds(Durability durability, CrashKind kind) const {
    return compute_bounds(history_->summary(), durability, kind);
  }

  Verdict judge(const Bounds& b, State recovered) {
    Checker checker(*history_);
    auto verdict = checker.check(b, std::move(recovered));
    EXPECT_TRUE(verdict.is_ok()) << verdict.status().to_string();
    if (!verdict.is_ok()) return Verdict{};
    return verdict.value();
  }

  static Entry row(const std::string& key, const std::string& value) {
    return Entry{"t", key, value};
  }

  std::unique_ptr<History> history_;
};

// Asserts a violation of `kind`, printing the verdict when it is not.
inline void expect_violation(const Verdict& v, ViolationKind kind) {
  EXPECT_FALSE(v.ok) << v.to_string();
  ASSERT_TRUE(v.kind.has_value()) << v.to_string();
  EXPECT_EQ(violation_kind_name(*v.kind), std::string(violation_kind_name(kind))) << v.to_string();
}

inline void expect_ok(const Verdict& v, uint64_t p) {
  EXPECT_TRUE(v.ok) << v.to_string();
  EXPECT_EQ(v.p, p) << v.to_string();
}

}  // namespace oracle::testing
