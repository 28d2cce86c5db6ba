// A power loss at every step of rotate_key: in each crash image exactly one of
// the old and the new key opens the database, and it holds every row.
#include <gtest/gtest.h>

#include <random>
#include <tuple>

#include "encryption_test_util.h"

namespace dbx {
namespace {

using testing::kDbDir;

struct Image {
  std::unique_ptr<faultfs::SimFs> fs;
  std::string choice;
};

// Opens a copy of `image` with `config`: the rows, or the error code.
std::optional<testing::Rows> try_open(const faultfs::SimFs& image, const EncryptionConfig& config,
                                      ErrorCode* code) {
  auto fs = image.clone();
  Options options = testing::options_for(*fs, config, Durability::kFull);
  options.background_threads = false;
  try {
    auto db = Database::open(kDbDir, options);
    return testing::rows_of(*db);
  } catch (const Error& e) {
    *code = e.code();
    return std::nullopt;
  }
}

using Param = std::tuple<bool, faultfs::CrashPolicy>;
class RotateCrash : public ::testing::TestWithParam<Param> {};

TEST_P(RotateCrash, ExactlyOneKeyOpensEveryImageWithNoRowLost) {
  const auto [reencrypt, policy] = GetParam();
  testing::SimDb sim;
  const EncryptionConfig old_key = testing::raw_config(11);
  const EncryptionConfig new_key = testing::raw_config(12);
  Options options = testing::options_for(sim.fs, old_key, Durability::kFull);
  options.background_threads = false;
  testing::Rows expected;
  auto db = Database::open(kDbDir, options);
  for (int i = 0; i < 12; ++i) {
    const std::string key = "k" + std::to_string(i), value = "value-" + std::to_string(i * i);
    db->insert("t", key, value);
    expected[{"t", key}] = value;
    if (i == 5) db->flush();  // Half in the WOS, half only in the (synced) log.
  }
  std::mt19937_64 rng(1234);
  std::vector<Image> images;
  const faultfs::CrashOptions crash{policy, faultfs::FsModel::kPosix, 512};
  sim.fs.set_op_hook([&](const faultfs::OpEvent&) {
    faultfs::CrashChoice choice;
    auto image = sim.fs.crash(crash, rng, &choice);
    images.push_back({std::move(image), choice.serialize()});
  });
  db->rotate_key(new_key, reencrypt);
  sim.fs.set_op_hook(nullptr);
  db->close();
  ASSERT_GE(images.size(), reencrypt ? 10u : 3u);

  size_t opened_by_new = 0;
  for (const Image& image : images) {
    SCOPED_TRACE(image.choice);
    ErrorCode old_code = ErrorCode::kIoError, new_code = ErrorCode::kIoError;
    const auto with_old = try_open(*image.fs, old_key, &old_code);
    const auto with_new = try_open(*image.fs, new_key, &new_code);
    ASSERT_NE(with_old.has_value(), with_new.has_value()) << "exactly one key must open it";
    EXPECT_EQ(with_old ? new_code : old_code, ErrorCode::kInvalidKey);
    EXPECT_EQ(with_old ? *with_old : *with_new, expected);
    opened_by_new += with_new.has_value() ? 1 : 0;
  }
  // The images span the switch: some still need the old key, some the new.
  EXPECT_GT(opened_by_new, 0u);
  EXPECT_LT(opened_by_new, images.size());
}

INSTANTIATE_TEST_SUITE_P(Steps, RotateCrash,
                         ::testing::Combine(::testing::Bool(),
                                            ::testing::Values(faultfs::CrashPolicy::kDrop,
                                                              faultfs::CrashPolicy::kPrefix,
                                                              faultfs::CrashPolicy::kReorder,
                                                              faultfs::CrashPolicy::kTorn)));

}  // namespace
}  // namespace dbx
