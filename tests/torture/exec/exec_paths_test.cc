// The preload's path resolution (targets/exec/preload/paths.cc), compiled
// into this test: what is inside the recording root, under which name.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "../cli/cli_run.h"
#include "paths.h"

namespace torture::testing {
namespace {

namespace fs = std::filesystem;

TEST(ExecPaths, OnlyNamesUnderTheRootAreRelative) {
  TempDir dir;
  fs::create_directories(dir / "root/sub");
  ASSERT_TRUE(dbx_exec::set_root((dir / "root").c_str()));
  const std::string root = dbx_exec::root();
  EXPECT_EQ(dbx_exec::relative_to_root(root), ".");
  EXPECT_EQ(dbx_exec::relative_to_root(root + "/sub/f"), "sub/f");
  EXPECT_EQ(dbx_exec::relative_to_root(root + "x/f"), std::nullopt);  // A sibling, not a child.
  EXPECT_EQ(dbx_exec::relative_to_root("/"), std::nullopt);
}

TEST(ExecPaths, EntriesResolveThroughDirfdDotDotAndSymlinkedParents) {
  TempDir dir;
  fs::create_directories(dir / "root/sub");
  fs::create_directory_symlink(dir / "root/sub", dir / "alias");
  ASSERT_TRUE(dbx_exec::set_root((dir / "root").c_str()));
  EXPECT_EQ(dbx_exec::resolve_entry(AT_FDCWD, (dir / "alias/new").c_str()), "sub/new");
  EXPECT_EQ(dbx_exec::resolve_entry(AT_FDCWD, (dir / "root/sub/../f").c_str()), "f");
  EXPECT_EQ(dbx_exec::resolve_entry(AT_FDCWD, (dir / "outside").c_str()), std::nullopt);
  const int sub = ::open((dir / "root/sub").c_str(), O_RDONLY | O_DIRECTORY);
  ASSERT_GE(sub, 0);
  EXPECT_EQ(dbx_exec::resolve_entry(sub, "g"), "sub/g");
  EXPECT_EQ(dbx_exec::resolve_entry(sub, "."), "sub");
  ::close(sub);
  // The final component is the entry itself, not what a symlink points to.
  fs::create_symlink(dir / "outside", dir / "root/link");
  EXPECT_EQ(dbx_exec::resolve_entry(AT_FDCWD, (dir / "root/link").c_str()), "link");
}

}  // namespace
}  // namespace torture::testing
