// ReadOnlyFs: a view of a FileSystem through which nothing can be written.
//
// A read-only open (Options::read_only) runs the ordinary recovery code on
// this view, so the guarantee "not a byte written" is enforced in one place
// rather than by every step of recovery remembering to skip its writes:
//  - reads, sizes, listings and existence checks pass through;
//  - an open for writing of an existing file (kReadWrite) is served by a
//    read-only open, whose writes, appends and truncations fail kReadOnly;
//  - creating a file (kCreate, kCreateTruncate), rename, mkdir, rmdir and lock()
//    fail kReadOnly, naming the path: recovery that cannot go on without them
//    (a database never created, an interrupted compaction to finish) fails;
//  - remove() hides the file from this view only, so that recovery's tidying
//    of leftover temporaries reads as done, consistently, and writes nothing;
//  - sync() and sync_dir() succeed without a system call: this view has
//    written nothing, so everything it wrote is durable.
#pragma once

#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "faultfs/file_system.h"
#include "faultfs/file_system_wrapper.h"

namespace dbx {

// available_bytes() passes through (FileSystemWrapper); every other call is
// filtered as above.
class ReadOnlyFs final : public faultfs::FileSystemWrapper {
 public:
  explicit ReadOnlyFs(faultfs::FileSystem& inner) : FileSystemWrapper(inner) {}

  faultfs::Result<std::unique_ptr<faultfs::File>> open(const std::string& path,
                                                       faultfs::OpenMode mode) override;
  faultfs::Status rename(const std::string& from, const std::string& to) override;
  faultfs::Status remove(const std::string& path) override;
  faultfs::Status mkdir(const std::string& path) override;
  faultfs::Status rmdir(const std::string& path) override;
  faultfs::Result<std::vector<std::string>> list(const std::string& path) override;
  faultfs::Status sync_dir(const std::string& path) override;
  faultfs::Result<std::unique_ptr<faultfs::FileLock>> lock(const std::string& path) override;
  faultfs::Result<std::unique_ptr<faultfs::FileLock>> lock_shared(const std::string& path) override;
  faultfs::Result<uint64_t> file_size(const std::string& path) override;
  faultfs::Result<bool> exists(const std::string& path) override;

 private:
  bool hidden(const std::string& path) const;

  mutable std::mutex hidden_mutex_;
  std::set<std::string> hidden_;  // Paths remove()d through this view.
};

// The lock of a read-only open: a shared lock on `lock_path` when the file
// exists and opens read-only, else none (logged at info, with the reason).
// Throws busy while a writer holds the LOCK.
std::unique_ptr<faultfs::FileLock> lock_for_read_only_open(faultfs::FileSystem& fs,
                                                           const std::string& lock_path);

// The kReadOnly refusal of `operation` on `path`.
faultfs::Status read_only_refusal(const std::string& operation, const std::string& path);

}  // namespace dbx
