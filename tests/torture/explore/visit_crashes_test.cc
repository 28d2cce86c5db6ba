// SimFs::visit_crashes: the exhaustive walk of one state's crash images,
// with an early stop, a budget, and fingerprints that name images across
// states.
#include <gtest/gtest.h>

#include <memory>
#include <random>
#include <set>

#include "faultfs/sim_fs.h"

namespace faultfs {
namespace {

// Two files with two un-synced appends each, and their pending entries.
std::unique_ptr<SimFs> pending_state() {
  auto fs = std::make_unique<SimFs>();
  for (const char* name : {"a", "b"}) {
    auto f = fs->open(name, OpenMode::kCreate);
    EXPECT_TRUE(f.is_ok());
    EXPECT_TRUE((*f)->append("one").is_ok());
    EXPECT_TRUE((*f)->append("two").is_ok());
  }
  return fs;
}

CrashOptions options(CrashPolicy policy) {
  CrashOptions o;
  o.policy = policy;
  return o;
}

TEST(VisitCrashes, VisitsEveryDistinctImageOnceAndSaysComplete) {
  auto fs = pending_state();
  std::mt19937_64 rng(1);
  std::set<ImageFingerprint> seen;
  size_t visits = 0;
  const CrashVisit walk =
      fs->visit_crashes(options(CrashPolicy::kReorder), 1 << 16, rng,
                        [&](const CrashChoice& choice, const ImageFingerprint& fingerprint) {
                          ++visits;
                          seen.insert(fingerprint);
                          auto image = fs->clone();  // Allowed: no FileSystem call on fs.
                          EXPECT_NE(image, nullptr);
                          EXPECT_EQ(choice.options.policy, CrashPolicy::kReorder);
                          return true;
                        });
  EXPECT_TRUE(walk.complete);
  EXPECT_FALSE(walk.stopped);
  EXPECT_EQ(walk.distinct, visits);
  EXPECT_EQ(seen.size(), visits);  // No image twice.
  std::mt19937_64 rng2(1);
  const auto all = fs->enumerate_crashes(options(CrashPolicy::kReorder), 1 << 20, rng2);
  EXPECT_EQ(visits, all.size());
}

TEST(VisitCrashes, FingerprintIsTheRebuiltImages) {
  auto fs = pending_state();
  std::mt19937_64 rng(2);
  std::vector<std::pair<CrashChoice, ImageFingerprint>> found;
  const CrashVisit walk = fs->visit_crashes(options(CrashPolicy::kPrefix), 1 << 16, rng,
                                            [&](const CrashChoice& c, const ImageFingerprint& f) {
                                              found.emplace_back(c, f);
                                              return true;
                                            });
  ASSERT_TRUE(walk.complete);
  ASSERT_GT(found.size(), 1u);
  for (const auto& [choice, fingerprint] : found) {
    auto image = fs->crash_with(options(CrashPolicy::kPrefix), choice);
    ASSERT_TRUE(image.is_ok()) << image.status().to_string();
    EXPECT_EQ((*image)->fingerprint(), fingerprint);
  }
  // The drop image is one of prefix's: same bytes, same fingerprint, though
  // it comes from another policy's walk.
  std::mt19937_64 rng3(3);
  auto dropped = fs->crash(options(CrashPolicy::kDrop), rng3);
  bool matched = false;
  for (const auto& entry : found) matched = matched || entry.second == dropped->fingerprint();
  EXPECT_TRUE(matched);
}

// Under kLostFile the walk's own digest is the whole image's and is handed
// on as it is; under kCorrupt the visitor's is computed apart. Either way it
// is the fingerprint of the image the choice rebuilds.
TEST(VisitCrashes, LostFileAndCorruptFingerprintsAreTheRebuiltImages) {
  auto fs = pending_state();
  for (const CrashPolicy policy : {CrashPolicy::kLostFile, CrashPolicy::kCorrupt}) {
    std::mt19937_64 rng(6);
    std::vector<std::pair<CrashChoice, ImageFingerprint>> found;
    const CrashVisit walk = fs->visit_crashes(options(policy), 1 << 16, rng,
                                              [&](const CrashChoice& c, const ImageFingerprint& f) {
                                                found.emplace_back(c, f);
                                                return true;
                                              });
    ASSERT_TRUE(walk.complete) << crash_policy_name(policy);
    ASSERT_GT(found.size(), 1u) << crash_policy_name(policy);
    for (const auto& [choice, fingerprint] : found) {
      auto image = fs->crash_with(options(policy), choice);
      ASSERT_TRUE(image.is_ok()) << image.status().to_string();
      EXPECT_EQ((*image)->fingerprint(), fingerprint) << crash_policy_name(policy);
    }
  }
}

TEST(VisitCrashes, VisitorStopsTheWalk) {
  auto fs = pending_state();
  std::mt19937_64 rng(4);
  size_t visits = 0;
  const CrashVisit walk =
      fs->visit_crashes(options(CrashPolicy::kTorn), 1 << 16, rng,
                        [&](const CrashChoice&, const ImageFingerprint&) { return ++visits < 2; });
  EXPECT_EQ(visits, 2u);
  EXPECT_TRUE(walk.stopped);
  EXPECT_FALSE(walk.complete);
}

TEST(VisitCrashes, OverBudgetIsNotComplete) {
  auto fs = pending_state();
  std::mt19937_64 rng(5);
  const CrashVisit walk =
      fs->visit_crashes(options(CrashPolicy::kTorn), 3, rng,
                        [&](const CrashChoice&, const ImageFingerprint&) { return true; });
  EXPECT_FALSE(walk.complete);
  EXPECT_FALSE(walk.stopped);
  EXPECT_LE(walk.candidates, 3u);
}

}  // namespace
}  // namespace faultfs
