// The Target seam: the registry the torture CLI lists, and the contract every
// correct target keeps across a clean close.
#include "targets/target.h"

#include <gtest/gtest.h>

#include <random>
#include <set>

#include "faultfs/sim_fs.h"

namespace targets::testing {
namespace {

TEST(TargetRegistry, ListsDbxFirstThenUniqueKebabCaseDoubles) {
  const auto& registry = target_registry();
  ASSERT_GE(registry.size(), 9u);
  EXPECT_EQ(registry.front().name, "dbx");
  EXPECT_FALSE(registry.front().known_bug);
  std::set<std::string> names;
  size_t doubles = 0;
  for (const TargetInfo& info : registry) {
    EXPECT_TRUE(names.insert(info.name).second) << "duplicate " << info.name;
    EXPECT_EQ(info.name.find_first_not_of("abcdefghijklmnopqrstuvwxyz-"), std::string::npos)
        << info.name;
    EXPECT_FALSE(info.description.empty()) << info.name;
    EXPECT_FALSE(info.durabilities.empty()) << info.name;
    ASSERT_TRUE(info.make) << info.name;
    EXPECT_NE(info.make({}), nullptr) << info.name;
    doubles += info.known_bug ? 1 : 0;
  }
  // The classic recovery bugs, one per weakness a judge rule closes,
  // recoveries that abort or never return, a trap for the next generation,
  // a bug only scaled-down tuning reaches, one per isolation anomaly, and
  // nonces restarted at every open.
  EXPECT_EQ(doubles, 23u);  // And SQLite judged above its synchronous level.
  EXPECT_EQ(find_target("no-such-target"), nullptr);
  EXPECT_EQ(find_target("mini-kv"), &registry[1]);
}

TEST(TargetErrors, OnlyRefusalsAreKnownToStoreNothing) {
  using faultfs::ErrorCode;
  using faultfs::Status;
  EXPECT_FALSE(write_maybe_applied(Status(ErrorCode::kInvalidArgument, "read_only")));
  EXPECT_FALSE(write_maybe_applied(Status(ErrorCode::kBusy, "locked")));
  EXPECT_FALSE(write_maybe_applied(Status(ErrorCode::kConflict, "write_conflict")));
  EXPECT_TRUE(write_maybe_applied(Status(ErrorCode::kIoError, "fdatasync")));
  EXPECT_TRUE(write_maybe_applied(Status(ErrorCode::kNoSpace, "append")));
  EXPECT_TRUE(write_maybe_applied(Status(ErrorCode::kPermissionDenied, "open wos/db.tmp")));
  EXPECT_TRUE(write_maybe_applied(Status(ErrorCode::kShortWrite, "append")));
}

// A target's name as a test name: gtest allows no '-'.
std::string test_name(const ::testing::TestParamInfo<std::string>& param_info) {
  std::string name = param_info.param;
  for (char& c : name) {
    if (c == '-') c = '_';
  }
  return name;
}

class CorrectTarget : public ::testing::TestWithParam<std::string> {};

TEST_P(CorrectTarget, CleanCloseKeepsEveryWriteInEveryDurability) {
  const TargetInfo* info = find_target(GetParam());
  ASSERT_NE(info, nullptr);
  for (Durability d : {Durability::kNone, Durability::kLazy, Durability::kFull}) {
    faultfs::SimFs fs;
    auto target = info->make({});
    ASSERT_TRUE(target->open(fs, "db", d).is_ok()) << durability_name(d);
    EXPECT_FALSE(target->open(fs, "db", d).is_ok()) << "a second open must be refused";
    ASSERT_TRUE(target->apply({Op::put("t", "b", "2")}).is_ok());
    ASSERT_TRUE(
        target->apply({Op::put("t", "a", "1"), Op::put("u", "z", ""), Op::del("t", "b")}).is_ok());
    EXPECT_FALSE(target->apply({}).is_ok());
    ASSERT_TRUE(target->flush().is_ok());
    ASSERT_TRUE(target->apply({Op::put("t", "c", "3")}).is_ok());
    const State expected = {Entry{"t", "a", "1"}, Entry{"t", "c", "3"}, Entry{"u", "z", ""}};
    auto before = target->read_all();
    ASSERT_TRUE(before.is_ok());
    EXPECT_EQ(before.value(), expected) << durability_name(d);
    ASSERT_TRUE(target->close().is_ok());
    EXPECT_FALSE(target->is_open());
    EXPECT_TRUE(target->close().is_ok()) << "close is idempotent";
    EXPECT_FALSE(target->read_all().is_ok());
    ASSERT_TRUE(target->open(fs, "db", d).is_ok());
    auto after = target->read_all();
    ASSERT_TRUE(after.is_ok());
    EXPECT_EQ(after.value(), expected) << durability_name(d);
  }
}

INSTANTIATE_TEST_SUITE_P(Registry, CorrectTarget, ::testing::Values("dbx", "dbx-txn", "mini-kv"),
                         test_name);

TEST(DbxTarget, InvalidInputIsARefusalThatStoresNothing) {
  faultfs::SimFs fs;
  auto target = find_target("dbx")->make({});
  ASSERT_TRUE(target->open(fs, "db", Durability::kFull).is_ok());
  const faultfs::Status s = target->apply({Op::put("", "k", "v")}).status();  // Empty table name.
  ASSERT_FALSE(s.is_ok());
  EXPECT_EQ(s.code(), faultfs::ErrorCode::kInvalidArgument) << s.to_string();
  EXPECT_FALSE(write_maybe_applied(s));
  auto state = target->read_all();
  ASSERT_TRUE(state.is_ok());
  EXPECT_TRUE(state.value().empty());
}

}  // namespace
}  // namespace targets::testing

namespace targets::testing {
namespace {

State recover_after_power_loss(const TargetInfo& info, const faultfs::SimFs& fs) {
  std::mt19937_64 rng(1);
  faultfs::CrashChoice choice;
  // kDrop: exactly what was synced survives.
  std::unique_ptr<faultfs::SimFs> image =
      fs.crash(faultfs::CrashOptions{faultfs::CrashPolicy::kDrop}, rng, &choice);
  auto target = info.make({});
  EXPECT_TRUE(target->open(*image, "db", Durability::kLazy).is_ok());
  auto state = target->read_all();
  EXPECT_TRUE(state.is_ok());
  return state.is_ok() ? state.value() : State{};
}

class HarnessClock : public ::testing::TestWithParam<std::string> {};

TEST_P(HarnessClock, ApplyReturnsAscendingSequencesAndLazySyncsWhenBackgroundWorkIsDue) {
  const TargetInfo* info = find_target(GetParam());
  ASSERT_NE(info, nullptr);
  TargetTuning tuning;
  tuning.harness_clock = true;
  tuning.sync_interval = std::chrono::milliseconds(10);
  faultfs::SimFs fs;
  auto target = info->make(tuning);
  ASSERT_TRUE(target->open(fs, "db", Durability::kLazy).is_ok());
  auto first = target->apply({Op::put("t", "a", "1")});
  ASSERT_TRUE(first.is_ok());
  ASSERT_TRUE(target->background(std::chrono::milliseconds(0)).is_ok());  // The first is due.
  auto second = target->apply({Op::del("t", "b")});
  ASSERT_TRUE(second.is_ok());
  EXPECT_EQ(second.value(), first.value() + 1);
  ASSERT_TRUE(target->apply({Op::put("t", "c", "3")}).is_ok());
  ASSERT_TRUE(target->background(std::chrono::milliseconds(9)).is_ok());  // Not due yet.
  EXPECT_EQ(recover_after_power_loss(*info, fs), (State{Entry{"t", "a", "1"}}));
  ASSERT_TRUE(target->background(std::chrono::milliseconds(10)).is_ok());
  EXPECT_EQ(recover_after_power_loss(*info, fs),
            (State{Entry{"t", "a", "1"}, Entry{"t", "c", "3"}}));
}

INSTANTIATE_TEST_SUITE_P(Registry, HarnessClock, ::testing::Values("dbx", "mini-kv"), test_name);

TEST(HarnessClock, TheLazySyncDoublesDoNotSyncWhenDue) {
  for (const char* name : {"lazy-sync-never", "lazy-sync-late"}) {
    TargetTuning tuning;
    tuning.harness_clock = true;
    tuning.sync_interval = std::chrono::milliseconds(10);
    faultfs::SimFs fs;
    auto target = find_target(name)->make(tuning);
    ASSERT_TRUE(target->open(fs, "db", Durability::kLazy).is_ok());
    ASSERT_TRUE(target->background(std::chrono::milliseconds(0)).is_ok());
    ASSERT_TRUE(target->apply({Op::put("t", "a", "1")}).is_ok());
    ASSERT_TRUE(target->background(std::chrono::milliseconds(20)).is_ok());
    EXPECT_EQ(recover_after_power_loss(*find_target(name), fs), State{}) << name;
  }
}

}  // namespace
}  // namespace targets::testing
