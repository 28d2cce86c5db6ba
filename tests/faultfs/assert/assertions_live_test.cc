// With DBX_ASSERTIONS=ON (the test and torture builds), plain assert() and the
// SimFs full-state check run even though the build is optimized.
#include <gtest/gtest.h>

#include <cassert>

#include "sim_state.h"

namespace faultfs::testing {
namespace {

bool asserts_live() {
#ifdef NDEBUG
  return false;
#else
  return true;
#endif
}

TEST(AssertionsLive, NdebugMatchesTheBuildOption) {
  EXPECT_EQ(asserts_live(), DBX_EXPECT_LIVE_ASSERTS != 0);
}

TEST(AssertionsLiveDeathTest, SimStateCheckPassesOnAConsistentState) {
  if (!asserts_live()) GTEST_SKIP() << "assert() is compiled out in this build";
  sim::State state;
  state.check();  // Only the root: consistent.
  SUCCEED();
}

TEST(AssertionsLiveDeathTest, SimStateCheckCatchesAMiscountedPendingQueue) {
  if (!asserts_live()) GTEST_SKIP() << "assert() is compiled out in this build";
  sim::State state;
  state.pending_file_changes = 1;  // No file has a pending change.
  EXPECT_DEATH(state.check(), "file_changes == pending_file_changes");
}

TEST(AssertionsLiveDeathTest, SimStateCheckCatchesALiveImageThatLostAWrite) {
  if (!asserts_live()) GTEST_SKIP() << "assert() is compiled out in this build";
  sim::State state;
  auto file = std::make_shared<sim::FileInode>();
  file->ino = state.next_ino++;
  sim::FileChange change = sim::FileChange::write(0, "abc");
  change.id = state.next_change_id++;
  file->pending.push_back(change);
  state.pending_file_changes = 1;
  state.files.emplace(file->ino, file);
  // The live image should hold "abc"; it is empty.
  EXPECT_DEATH(state.check(), "expect\\.size\\(\\) == file->live\\.size\\(\\)");
}

}  // namespace
}  // namespace faultfs::testing
