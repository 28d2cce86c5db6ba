// Loading target plugins (targets/plugin.h): a good plugin's targets join the
// registry once; anything else is refused with a reason and adds nothing.
#include <gtest/gtest.h>

#include <string>

#include "targets/plugin.h"
#include "targets/target.h"

namespace targets::testing {
namespace {

size_t registry_size() { return target_registry().size(); }

TEST(PluginLoader, AGoodPluginAddsItsTargetsOnceEvenWhenLoadedTwice) {
  const size_t before = registry_size();
  ASSERT_TRUE(load_target_plugin(EXAMPLE_PLUGIN).is_ok());
  ASSERT_EQ(registry_size(), before + 2);
  const TargetInfo* clean = find_target("example-log");
  ASSERT_NE(clean, nullptr);
  EXPECT_FALSE(clean->known_bug);
  EXPECT_FALSE(clean->capabilities.creates_dir);
  ASSERT_NE(find_target("example-log-no-sync"), nullptr);
  EXPECT_TRUE(find_target("example-log-no-sync")->known_bug);
  EXPECT_NE(clean->make({}), nullptr);
  EXPECT_TRUE(load_target_plugin(EXAMPLE_PLUGIN).is_ok());
  EXPECT_EQ(registry_size(), before + 2);
}

TEST(PluginLoader, AMissingFileIsNotFound) {
  const size_t before = registry_size();
  const faultfs::Status s = load_target_plugin("/nonexistent/libnothing.so");
  EXPECT_EQ(s.code(), faultfs::ErrorCode::kNotFound) << s.to_string();
  EXPECT_EQ(registry_size(), before);
}

TEST(PluginLoader, ALibraryWithoutTheEntryPointIsRefused) {
  const size_t before = registry_size();
  const faultfs::Status s = load_target_plugin(NOT_A_PLUGIN);
  EXPECT_EQ(s.code(), faultfs::ErrorCode::kInvalidArgument) << s.to_string();
  EXPECT_NE(s.message().find(kPluginEntryPoint), std::string::npos) << s.message();
  EXPECT_EQ(registry_size(), before);
}

TEST(PluginLoader, APluginOfAnotherSeamVersionIsRefused) {
  const size_t before = registry_size();
  const faultfs::Status s = load_target_plugin(OTHER_ABI_PLUGIN);
  EXPECT_EQ(s.code(), faultfs::ErrorCode::kInvalidArgument) << s.to_string();
  EXPECT_NE(s.message().find("another"), std::string::npos) << s.message();
  EXPECT_EQ(registry_size(), before);
}

TEST(PluginLoader, ATargetNamedLikeABuiltInOneIsRefused) {
  const size_t before = registry_size();
  const faultfs::Status s = load_target_plugin(TAKEN_NAME_PLUGIN);
  EXPECT_EQ(s.code(), faultfs::ErrorCode::kInvalidArgument) << s.to_string();
  EXPECT_NE(s.message().find("already registered"), std::string::npos) << s.message();
  EXPECT_EQ(registry_size(), before);
  EXPECT_EQ(find_target("dbx"), &target_registry().front());
}

TEST(TargetRegistry, AddTargetsRefusesABadEntryAndAddsNothing) {
  const size_t before = registry_size();
  TargetInfo good;
  good.name = "registry-test-good";
  good.description = "fine";
  good.durabilities = {Durability::kFull};
  good.make = [](const TargetTuning&) { return std::unique_ptr<Target>(); };
  TargetInfo bad = good;
  bad.name = "Bad_Name";
  EXPECT_FALSE(add_targets({good, bad}).is_ok());
  EXPECT_EQ(registry_size(), before);
  TargetInfo no_levels = good;
  no_levels.name = "registry-test-no-levels";
  no_levels.durabilities.clear();
  EXPECT_FALSE(add_targets({no_levels}).is_ok());
  ASSERT_TRUE(add_targets({good}).is_ok());
  EXPECT_EQ(registry_size(), before + 1);
  EXPECT_NE(find_target("registry-test-good"), nullptr);
}

TEST(TargetCapabilities, NamesListWhatATargetHas) {
  EXPECT_EQ(capability_names({}), "checkpoint,close-syncs,harness-clock,creates-dir");
  EXPECT_EQ(capability_names({false, false, false, false}), "none");
  EXPECT_EQ(capability_names({false, true, false, true}), "close-syncs,creates-dir");
}

}  // namespace
}  // namespace targets::testing
