// I/O errors during apply(): before the first sync the store stays usable;
// from the first sync or rename on it refuses applies until reopened, and
// memory never moves ahead of the disk.
#include <gtest/gtest.h>

#include "wos_test_util.h"

namespace dbx::wos::testing {
namespace {

TEST(WosIoError, ApplyFailingBeforeItsFirstSyncLeavesTheStoreUsable) {
  auto fs = make_fs();
  auto store = open_ok(*fs);
  ASSERT_NE(store, nullptr);
  Delta first;
  first.put("t", "a", "a1");
  expect_ok(store->apply(first, 1));
  Delta second;
  second.put("t", "a", "a2");
  second.put("t", "b", "b2");
  fs->fail_once_after(0);  // The append of the delta's entries.
  const faultfs::Status failed = store->apply(second, 2);
  EXPECT_EQ(failed.code(), faultfs::ErrorCode::kIoError);
  EXPECT_EQ(store->checkpoint_sequence(), 1u);
  EXPECT_FALSE(store->contains("t", "b"));
  expect_ok(store->apply(second, 2));
  store = open_ok(*fs);
  ASSERT_NE(store, nullptr);
  State expected = {{"t", {{"a", "a2"}, {"b", "b2"}}}};
  EXPECT_EQ(dump(*store), expected);
}

TEST(WosIoError, ApplyFailingAtItsSyncRefusesFurtherAppliesUntilReopen) {
  auto fs = make_fs();
  auto store = open_ok(*fs);
  ASSERT_NE(store, nullptr);
  Delta first;
  first.put("t", "a", "a1");
  expect_ok(store->apply(first, 1));
  Delta second;
  second.put("t", "a", "a2");
  fs->fail_once_after(1);  // Append, then the failing sync of db.
  EXPECT_EQ(store->apply(second, 2).code(), faultfs::ErrorCode::kIoError);
  auto value = store->get("t", "a");
  ASSERT_TRUE(value.is_ok());
  EXPECT_EQ(value->value_or(""), "a1") << "memory moved although the apply failed";
  // A retried sync proves nothing: the store refuses until reopened.
  EXPECT_EQ(store->apply(second, 2).code(), faultfs::ErrorCode::kIoError);
  store = open_ok(*fs);
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->checkpoint_sequence(), 1u);
  expect_ok(store->apply(second, 2));
  EXPECT_EQ(store->get("t", "a")->value_or(""), "a2");
}

TEST(WosIoError, CompactionFailingAtItsRenameRefusesFurtherAppliesAndKeepsServingReads) {
  auto fs = make_fs();
  auto store = open_ok(*fs);
  ASSERT_NE(store, nullptr);
  Delta fill;
  for (int k = 0; k < 8; ++k) fill.put("t", "k" + std::to_string(k), std::string(80 << 10, 'o'));
  expect_ok(store->apply(fill, 1));
  Delta churn;
  for (int k = 0; k < 7; ++k) churn.put("t", "k" + std::to_string(k), std::string(80 << 10, 'n'));
  churn.remove("t", "k7");
  // open db.tmp, one append (header + entries < 1 MiB), sync, then the rename.
  fs->fail_once_after(3);
  EXPECT_EQ(store->apply(churn, 2).code(), faultfs::ErrorCode::kIoError);
  EXPECT_EQ(store->generation(), 1u);
  EXPECT_EQ(store->get("t", "k7")->value_or(""), std::string(80 << 10, 'o'));
  Delta more;
  more.put("t", "x", "x");
  EXPECT_EQ(store->apply(more, 3).code(), faultfs::ErrorCode::kIoError);
  store = open_ok(*fs);
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->checkpoint_sequence(), 1u);
  expect_ok(store->apply(churn, 2));
  EXPECT_EQ(store->generation(), 2u);
}

}  // namespace
}  // namespace dbx::wos::testing
