// Decorators built on FileSystemWrapper pass through every call they do not
// change, including the seam's calls with defaults (lock_shared,
// available_bytes), which a hand-listed decorator silently answered with the
// default ("unsupported", "unknown") instead of the wrapped file system's.
#include "faultfs/file_system_wrapper.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "faultfs/fault_injection.h"
#include "faultfs/recorder.h"
#include "scratch_dir.h"

namespace faultfs {
namespace {

using testing::ScratchDir;

// A decorator that changes nothing: every call must reach the wrapped one.
class PassThroughFs final : public FileSystemWrapper {
 public:
  using FileSystemWrapper::FileSystemWrapper;
};

void expect_shared_lock_and_free_space_reach(FileSystem& fs, const std::string& dir) {
  const std::string lock_path = join_path(dir, "LOCK");
  auto created = posix_file_system().open(lock_path, OpenMode::kCreate);
  ASSERT_TRUE(created.is_ok()) << created.status().to_string();
  ASSERT_TRUE(created.value()->close().is_ok());

  auto shared = fs.lock_shared(lock_path);
  ASSERT_TRUE(shared.is_ok()) << "lock_shared did not reach POSIX: " << shared.status().to_string();
  auto second = fs.lock_shared(lock_path);
  EXPECT_TRUE(second.is_ok()) << "shared holders coexist: " << second.status().to_string();
  EXPECT_EQ(fs.lock(lock_path).status().code(), ErrorCode::kBusy) << "exclusive while shared";

  auto free_bytes = fs.available_bytes(dir);
  ASSERT_TRUE(free_bytes.is_ok()) << free_bytes.status().to_string();
  EXPECT_NE(free_bytes.value(), FileSystem::kUnknownAvailableBytes)
      << "available_bytes answered by the seam's default, not by POSIX";
}

TEST(FileSystemWrapper, ADecoratorWithNoOverridesPassesEveryCallThrough) {
  ScratchDir dir;
  PassThroughFs fs(posix_file_system());
  const std::string path = join_path(dir.path(), "f");
  auto file = fs.open(path, OpenMode::kCreate);
  ASSERT_TRUE(file.is_ok()) << file.status().to_string();
  ASSERT_TRUE(file.value()->append("abc").is_ok());
  ASSERT_TRUE(file.value()->sync().is_ok());
  ASSERT_TRUE(file.value()->close().is_ok());
  EXPECT_EQ(fs.file_size(path).value(), 3u);
  EXPECT_EQ(fs.list(dir.path()).value(), std::vector<std::string>{"f"});
  ASSERT_TRUE(fs.rename(path, join_path(dir.path(), "g")).is_ok());
  EXPECT_FALSE(fs.exists(path).value());
  EXPECT_TRUE(fs.exists(join_path(dir.path(), "g")).value());
  const std::string sub = join_path(dir.path(), "sub");
  ASSERT_TRUE(fs.mkdir(sub).is_ok());
  ASSERT_TRUE(fs.rmdir(sub).is_ok()) << "rmdir did not reach POSIX";
  EXPECT_FALSE(fs.exists(sub).value());
  expect_shared_lock_and_free_space_reach(fs, dir.path());
}

TEST(FileSystemWrapper, FaultInjectionFsForwardsSharedLocksAndFreeSpace) {
  ScratchDir dir;
  FaultInjectionFs fs(posix_file_system());
  expect_shared_lock_and_free_space_reach(fs, dir.path());
  EXPECT_EQ(fs.injected_total(), 0u);
}

TEST(FileSystemWrapper, RecorderForwardsSharedLocksAndFreeSpace) {
  ScratchDir dir;
  auto recorder = Recorder::create(posix_file_system(), join_path(dir.path(), "trace"));
  ASSERT_TRUE(recorder.is_ok()) << recorder.status().to_string();
  const uint64_t records_before = recorder.value()->records_written();
  expect_shared_lock_and_free_space_reach(*recorder.value(), dir.path());
  EXPECT_EQ(recorder.value()->records_written(), records_before) << "reads are not recorded";
}

class UpperCaseFile final : public FileWrapper {
 public:
  using FileWrapper::FileWrapper;
  Status append(std::string_view data) override {
    std::string upper(data);
    for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return target().append(upper);
  }
};

TEST(FileWrapper, OverridesOnlyWhatItChangesAndPassesTheRestThrough) {
  ScratchDir dir;
  const std::string path = join_path(dir.path(), "f");
  auto inner = posix_file_system().open(path, OpenMode::kCreate);
  ASSERT_TRUE(inner.is_ok()) << inner.status().to_string();
  UpperCaseFile file(std::move(inner).value());
  EXPECT_EQ(file.path(), path);
  ASSERT_TRUE(file.append("ab").is_ok());
  ASSERT_TRUE(file.write_at(2, "cd").is_ok());
  EXPECT_EQ(file.size().value(), 4u);
  std::string buf(4, '\0');
  EXPECT_EQ(file.read_at(0, buf).value(), 4u);
  EXPECT_EQ(buf, "ABcd");
  ASSERT_TRUE(file.truncate(1).is_ok());
  ASSERT_TRUE(file.sync().is_ok());
  EXPECT_TRUE(file.close().is_ok());
  EXPECT_EQ(posix_file_system().file_size(path).value(), 1u);
}

}  // namespace
}  // namespace faultfs
