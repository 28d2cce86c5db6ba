// I/O errors during apply(): before the first sync the store stays usable;
// from the first sync or rename on it refuses applies until reopened, and
// memory never moves ahead of the disk.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "support/counting_fs.h"
#include "wos_test_util.h"

namespace dbx::wos::testing {
namespace {

using dbx::testing::CountingFs;

// A SimFs seen through a CountingFs, whose injection fails one chosen call.
struct FailingFs {
  std::unique_ptr<faultfs::SimFs> sim = make_fs();
  CountingFs fs{*sim};
  std::shared_ptr<bool> fired = std::make_shared<bool>(false);

  // Fails the next `op` ("write", "sync", "rename") on `path` once, with
  // kIoError and no effect: an I/O error, after which calls work again.
  void fail_once(const std::string& op, const std::string& path) {
    *fired = false;
    fs.counters().fail = [op, path, fired = fired](const std::string& o, const std::string& p) {
      if (*fired || o != op || p != path) return faultfs::Status::ok();
      *fired = true;
      return faultfs::Status(faultfs::ErrorCode::kIoError, "injected: " + o + " " + p);
    };
  }
};

TEST(WosIoError, ApplyFailingBeforeItsFirstSyncLeavesTheStoreUsable) {
  FailingFs failing;
  auto store = open_ok(failing.fs);
  ASSERT_NE(store, nullptr);
  Delta first;
  first.put("t", "a", "a1");
  expect_ok(store->apply(first, 1));
  Delta second;
  second.put("t", "a", "a2");
  second.put("t", "b", "b2");
  failing.fail_once("write", kDbPath);  // The append of the delta's entries.
  const faultfs::Status failed = store->apply(second, 2);
  EXPECT_TRUE(*failing.fired);
  EXPECT_EQ(failed.code(), faultfs::ErrorCode::kIoError);
  EXPECT_EQ(store->checkpoint_sequence(), 1u);
  EXPECT_FALSE(store->contains("t", "b"));
  expect_ok(store->apply(second, 2));
  store = open_ok(failing.fs);
  ASSERT_NE(store, nullptr);
  State expected = {{"t", {{"a", "a2"}, {"b", "b2"}}}};
  EXPECT_EQ(dump(*store), expected);
}

TEST(WosIoError, ApplyFailingAtItsSyncRefusesFurtherAppliesUntilReopen) {
  FailingFs failing;
  auto store = open_ok(failing.fs);
  ASSERT_NE(store, nullptr);
  Delta first;
  first.put("t", "a", "a1");
  expect_ok(store->apply(first, 1));
  Delta second;
  second.put("t", "a", "a2");
  failing.fail_once("sync", kDbPath);  // Append, then the failing sync of db.
  EXPECT_EQ(store->apply(second, 2).code(), faultfs::ErrorCode::kIoError);
  EXPECT_TRUE(*failing.fired);
  auto value = store->get("t", "a");
  ASSERT_TRUE(value.is_ok());
  EXPECT_EQ(value->value_or(""), "a1") << "memory moved although the apply failed";
  // A retried sync proves nothing: the store refuses until reopened.
  EXPECT_EQ(store->apply(second, 2).code(), faultfs::ErrorCode::kIoError);
  store = open_ok(failing.fs);
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->checkpoint_sequence(), 1u);
  expect_ok(store->apply(second, 2));
  EXPECT_EQ(store->get("t", "a")->value_or(""), "a2");
}

TEST(WosIoError, CompactionFailingAtItsRenameRefusesFurtherAppliesAndKeepsServingReads) {
  FailingFs failing;
  auto store = open_ok(failing.fs);
  ASSERT_NE(store, nullptr);
  Delta fill;
  for (int k = 0; k < 8; ++k) fill.put("t", "k" + std::to_string(k), std::string(80 << 10, 'o'));
  expect_ok(store->apply(fill, 1));
  Delta churn;
  for (int k = 0; k < 7; ++k) churn.put("t", "k" + std::to_string(k), std::string(80 << 10, 'n'));
  churn.remove("t", "k7");
  // open db.tmp, one append (header + entries < 1 MiB), sync, then the
  // rename of db.tmp over db fails.
  failing.fail_once("rename", kDbPath);
  EXPECT_EQ(store->apply(churn, 2).code(), faultfs::ErrorCode::kIoError);
  EXPECT_TRUE(*failing.fired);
  EXPECT_EQ(store->generation(), 1u);
  EXPECT_EQ(store->get("t", "k7")->value_or(""), std::string(80 << 10, 'o'));
  Delta more;
  more.put("t", "x", "x");
  EXPECT_EQ(store->apply(more, 3).code(), faultfs::ErrorCode::kIoError);
  store = open_ok(failing.fs);
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->checkpoint_sequence(), 1u);
  expect_ok(store->apply(churn, 2));
  EXPECT_EQ(store->generation(), 2u);
}

}  // namespace
}  // namespace dbx::wos::testing
