// Properties tying the crash machinery together on random workloads: every
// sampled crash is a replayable choice whose image the enumeration lists,
// and enumerated choices give pairwise distinct images.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "sim_test_util.h"

namespace faultfs {
namespace {

// A random small workload over two directories; errors are part of it.
void random_workload(SimFs& fs) {
  static const char* kPaths[] = {"a", "b", "d/a", "d/b"};
  std::vector<std::unique_ptr<File>> files;
  // A head start so that most random steps find something to change.
  fs.mkdir("d").ignore_error();
  fs.sync_dir(".").ignore_error();
  for (const char* path : {"a", "d/a"}) {
    auto opened = fs.open(path, OpenMode::kCreate);
    if (opened.is_ok()) files.push_back(std::move(*opened));
  }
  const int steps = *rc::gen::inRange(1, 10);
  for (int i = 0; i < steps; ++i) {
    const int kind = *rc::gen::inRange(0, 12);
    const std::string path = kPaths[*rc::gen::inRange(0, 4)];
    const std::string other = kPaths[*rc::gen::inRange(0, 4)];
    const uint64_t offset = *rc::gen::inRange<uint64_t>(0, 1100);
    const std::string data(static_cast<size_t>(*rc::gen::inRange(1, 700)),
                           *rc::gen::inRange('a', 'z'));
    File* file = files.empty() ? nullptr : files[offset % files.size()].get();
    switch (kind) {
      case 0:
      case 9: {
        // kCreateTruncate truncates an existing file to zero: with a later
        // close, ext4-ordered's auto_da_alloc forces its appends.
        auto opened = fs.open(path, kind == 0 ? OpenMode::kCreate : OpenMode::kCreateTruncate);
        if (opened.is_ok()) files.push_back(std::move(*opened));
        break;
      }
      case 1:
        if (file) file->append(data).ignore_error();
        break;
      case 2:
        if (file) file->write_at(offset, data).ignore_error();
        break;
      case 3:
        if (file) file->truncate(offset).ignore_error();
        break;
      case 4:
        if (file) file->sync().ignore_error();
        break;
      case 5:
        fs.rename(path, other).ignore_error();
        break;
      case 6:
        fs.remove(path).ignore_error();
        break;
      case 7:
        fs.mkdir("d").ignore_error();
        break;
      case 8:
        fs.sync_dir(offset % 2 == 0 ? "." : "d").ignore_error();
        break;
      case 10:
        if (file) file->close().ignore_error();
        break;
      case 11:
        fs.rmdir("d").ignore_error();
        break;
    }
  }
}

// Enough to hold every image of most workloads; beyond it enumeration samples.
constexpr size_t kImagesMax = 512;

RC_GTEST_PROP(CrashProperty, SampledCrashesReplayAndLieInTheEnumeratedSet, ()) {
  SimFs fs;
  random_workload(fs);
  const auto policy = *rc::gen::element(CrashPolicy::kDrop, CrashPolicy::kPrefix,
                                        CrashPolicy::kReorder, CrashPolicy::kTorn);
  const auto mode = *rc::gen::element(FsModel::kPosix, FsModel::kExt4Ordered);
  const CrashOptions o = testing::options(policy, mode);
  std::mt19937_64 rng(*rc::gen::arbitrary<uint64_t>());
  const auto choices = fs.enumerate_crashes(o, kImagesMax, rng);
  RC_ASSERT(!choices.empty());
  std::set<std::string> enumerated;
  for (const CrashChoice& c : choices) {
    auto image = fs.crash_with(o, c);
    RC_ASSERT(image.is_ok());
    // Distinct choices, distinct images.
    RC_ASSERT(enumerated.insert((*image)->describe()).second);
  }
  const bool exhaustive = choices.size() < kImagesMax;
  for (int i = 0; i < 20; ++i) {
    CrashChoice choice;
    auto image = fs.crash(o, rng, &choice);
    auto parsed = CrashChoice::parse(choice.serialize());
    RC_ASSERT(parsed.is_ok());
    auto replayed = fs.crash_with(o, *parsed);
    RC_ASSERT(replayed.is_ok());
    RC_ASSERT((*replayed)->describe() == image->describe());
    // Garbage depends on the seed, so only garbage-free images must match.
    const bool garbage = choice.torn && choice.torn->fates.find('G') != std::string::npos;
    if (exhaustive && !garbage) RC_ASSERT(enumerated.count(image->describe()) == 1u);
  }
}

// A change of the brute-force model: a write, or a truncate when data is empty.
struct ModelChange {
  uint64_t offset = 0;
  std::string data;
};

std::string apply_model(std::string bytes, const ModelChange& c) {
  if (c.data.empty()) {
    bytes.resize(c.offset, '\0');
  } else {
    if (bytes.size() < c.offset + c.data.size()) bytes.resize(c.offset + c.data.size(), '\0');
    bytes.replace(c.offset, c.data.size(), c.data);
  }
  return bytes;
}

// Every subset of the changes in every order, applied to `base`.
void all_orders(const std::string& base, const std::vector<ModelChange>& changes,
                std::vector<bool>& used, std::set<std::string>& out) {
  out.insert(base);
  for (size_t i = 0; i < changes.size(); ++i) {
    if (used[i]) continue;
    used[i] = true;
    all_orders(apply_model(base, changes[i]), changes, used, out);
    used[i] = false;
  }
}

RC_GTEST_PROP(CrashProperty, ReorderImagesOfOneFileEqualEverySubsetInEveryOrder, ()) {
  SimFs fs;
  const std::string base(*rc::gen::inRange<size_t>(0, 24), '.');
  RC_ASSERT(testing::put_file(fs, "f", base, true, true).is_ok());
  auto file = fs.open("f", OpenMode::kReadWrite);
  RC_ASSERT(file.is_ok());
  std::vector<ModelChange> changes;
  const int count = *rc::gen::inRange(1, 6);
  for (int i = 0; i < count; ++i) {
    ModelChange c;
    c.offset = *rc::gen::inRange<uint64_t>(0, 24);
    if (*rc::gen::inRange(0, 4) != 0) {
      c.data = std::string(*rc::gen::inRange<size_t>(1, 8), static_cast<char>('A' + i));
      RC_ASSERT((*file)->write_at(c.offset, c.data).is_ok());
    } else {
      auto size = (*file)->size();
      RC_ASSERT(size.is_ok());
      if (*size == c.offset) continue;  // A no-op truncate queues nothing.
      RC_ASSERT((*file)->truncate(c.offset).is_ok());
    }
    changes.push_back(c);
  }
  std::set<std::string> expected;
  std::vector<bool> used(changes.size(), false);
  all_orders(base, changes, used, expected);
  std::set<std::string> got;
  for (const testing::Image& image :
       testing::enumerated_images(fs, testing::options(CrashPolicy::kReorder))) {
    got.insert(image.at("f"));
  }
  RC_ASSERT(got == expected);
}

}  // namespace
}  // namespace faultfs
