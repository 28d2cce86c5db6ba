// A FileSystem decorator that counts calls per kind, so tests can assert how
// many syncs or reads the engine issued ("counted through the seam"), and can
// make chosen calls fail.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>

#include "faultfs/file_system.h"
#include "faultfs/file_system_wrapper.h"

namespace dbx::testing {

struct Counters {
  std::atomic<uint64_t> syncs{0};
  std::atomic<uint64_t> wal_syncs{0};
  std::atomic<uint64_t> sync_dirs{0};
  std::atomic<uint64_t> reads{0};
  std::atomic<uint64_t> writes{0};
  std::atomic<uint64_t> renames{0};
  // When set and returning a non-ok status for (operation, path), the call fails
  // with it instead of reaching the inner file system.
  std::function<faultfs::Status(const std::string& op, const std::string& path)> fail;
};

// Everything it does not count passes through (FileSystemWrapper).
class CountingFs final : public faultfs::FileSystemWrapper {
 public:
  explicit CountingFs(faultfs::FileSystem& inner) : FileSystemWrapper(inner) {}
  Counters& counters() { return counters_; }

  faultfs::Result<std::unique_ptr<faultfs::File>> open(const std::string& path,
                                                       faultfs::OpenMode mode) override;
  faultfs::Status rename(const std::string& from, const std::string& to) override;
  faultfs::Status sync_dir(const std::string& path) override;

  faultfs::Status maybe_fail(const std::string& op, const std::string& path) {
    if (counters_.fail) return counters_.fail(op, path);
    return faultfs::Status::ok();
  }

 private:
  Counters counters_;
};

}  // namespace dbx::testing
