// File::map_prefix: POSIX maps a file's first bytes read-only; SimFs and the
// wrappers that must see every read (fault injection, the recorder, a plain
// FileWrapper) do not, so their callers keep reading through read_at.
#include <gtest/gtest.h>

#include <string>

#include "faultfs/fault_injection.h"
#include "faultfs/file_system_wrapper.h"
#include "faultfs/sim_fs.h"
#include "scratch_dir.h"

namespace faultfs {
namespace {

// The one file each test maps, in a fresh directory.
class MapScratch {
 public:
  std::string file() const { return join_path(dir_.path(), "f"); }

 private:
  testing::ScratchDir dir_;
};

std::unique_ptr<File> created_with(FileSystem& fs, const std::string& path,
                                   const std::string& data) {
  auto file = fs.open(path, OpenMode::kCreateTruncate);
  EXPECT_TRUE(file.is_ok()) << file.status().to_string();
  if (!file.is_ok()) return nullptr;
  EXPECT_TRUE(file.value()->append(data).is_ok());
  return std::move(file).value();
}

TEST(MapPrefix, PosixMapsTheFirstBytesAndTheMappingOutlivesTheHandle) {
  MapScratch scratch;
  auto file = created_with(posix_file_system(), scratch.file(), "hello world");
  ASSERT_NE(file, nullptr);
  auto mapped = file->map_prefix(5);
  ASSERT_TRUE(mapped.is_ok()) << mapped.status().to_string();
  ASSERT_NE(mapped.value(), nullptr) << "POSIX maps";
  EXPECT_EQ(mapped.value()->bytes(), "hello");
  // Appending past the mapped bytes leaves them as they were.
  ASSERT_TRUE(file->append(" and more").is_ok());
  ASSERT_TRUE(file->close().is_ok());
  EXPECT_EQ(mapped.value()->bytes(), "hello") << "still readable after close";
}

TEST(MapPrefix, PosixRefusesAnEmptyMappingAndOnePastTheEnd) {
  MapScratch scratch;
  auto file = created_with(posix_file_system(), scratch.file(), "0123456789");
  ASSERT_NE(file, nullptr);
  EXPECT_EQ(file->map_prefix(0).status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(file->map_prefix(11).status().code(), ErrorCode::kInvalidArgument);
  auto whole = file->map_prefix(10);
  ASSERT_TRUE(whole.is_ok()) << whole.status().to_string();
  EXPECT_EQ(whole.value()->bytes(), "0123456789");
  ASSERT_TRUE(file->close().is_ok());
  EXPECT_EQ(file->map_prefix(10).status().code(), ErrorCode::kInvalidArgument) << "closed";
}

TEST(MapPrefix, SimFsAndWrappersThatSeeEveryReadDoNotMap) {
  MapScratch scratch;
  SimFs sim;
  auto sim_file = created_with(sim, "f", "bytes");
  ASSERT_NE(sim_file, nullptr);
  auto from_sim = sim_file->map_prefix(5);
  ASSERT_TRUE(from_sim.is_ok());
  EXPECT_EQ(from_sim.value(), nullptr) << "SimFs reads must go through read_at";

  FaultInjectionFs faults(posix_file_system());
  auto injected = created_with(faults, scratch.file(), "bytes");
  ASSERT_NE(injected, nullptr);
  auto from_faults = injected->map_prefix(5);
  ASSERT_TRUE(from_faults.is_ok());
  EXPECT_EQ(from_faults.value(), nullptr) << "an injected read error must not be bypassed";

  auto inner = posix_file_system().open(scratch.file(), OpenMode::kRead);
  ASSERT_TRUE(inner.is_ok());
  FileWrapper wrapped(std::move(inner).value());
  auto from_wrapper = wrapped.map_prefix(5);
  ASSERT_TRUE(from_wrapper.is_ok());
  EXPECT_EQ(from_wrapper.value(), nullptr) << "a wrapper forwards map_prefix only on purpose";
}

}  // namespace
}  // namespace faultfs
