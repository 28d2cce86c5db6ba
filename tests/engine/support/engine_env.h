// The file system an engine test runs on: the real POSIX one under a temp
// directory, or a fresh SimFs. Tests parameterised on FsKind run once on each
// ("Posix" / "SimFs" in their names).
#pragma once

#include <memory>
#include <string>

#include "dbx/options.h"
#include "faultfs/file_system.h"
#include "faultfs/sim_fs.h"
#include "support/temp_dir.h"

namespace dbx::testing {

enum class FsKind { kPosix, kSimFs };

inline std::string fs_kind_name(FsKind kind) { return kind == FsKind::kPosix ? "Posix" : "SimFs"; }

class EngineEnv {
 public:
  explicit EngineEnv(FsKind kind) : kind_(kind) {
    if (kind_ == FsKind::kSimFs) {
      sim_ = std::make_unique<faultfs::SimFs>();
      // The parent of the database exists and is durable before the test, as a
      // real directory would be.
      if (!sim_->create_dirs_durable("/work").is_ok()) std::abort();
    }
  }

  faultfs::FileSystem& fs() {
    if (sim_) return *sim_;
    return faultfs::posix_file_system();
  }
  faultfs::SimFs* sim() { return sim_.get(); }
  std::string db() const { return sim_ ? std::string("/work/db") : tmp_.db(); }
  std::string file(const std::string& name) const { return db() + "/" + name; }

  Options options(Durability durability = Durability::kLazy) {
    Options options;
    options.durability = durability;
    options.file_system = &fs();
    return options;
  }

  // After a simulated power loss: the engine reopens on this image.
  void replace_sim(std::unique_ptr<faultfs::SimFs> image) { sim_ = std::move(image); }

 private:
  FsKind kind_;
  TempDir tmp_;
  std::unique_ptr<faultfs::SimFs> sim_;
};

struct FsKindName {
  std::string operator()(const ::testing::TestParamInfo<FsKind>& info) const {
    return fs_kind_name(info.param);
  }
};

}  // namespace dbx::testing
