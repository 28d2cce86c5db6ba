// FileWrapper and FileSystemWrapper: pass-through bases for decorators of the
// seam, in the manner of an Env wrapper.
//
// A decorator (counting, recording, refusing, injecting errors) derives from
// these and overrides only the calls it changes; every other call reaches the
// wrapped object unchanged. Listing every override by hand is how decorators
// drift: a method the seam gains later (lock_shared, available_bytes) falls
// through to the seam's default ("unsupported") instead of the wrapped file
// system, and the engine under test silently runs a different code path.
//
// Ownership: a FileWrapper owns the File it wraps; a FileSystemWrapper only
// refers to its FileSystem, which must outlive it. Thread-safety is the
// wrapped object's: the bases add no state.
#pragma once

#include <cassert>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "faultfs/file_system.h"

namespace faultfs {

class FileWrapper : public File {
 public:
  explicit FileWrapper(std::unique_ptr<File> target) : target_(std::move(target)) {
    assert(target_ != nullptr);
  }

  Result<size_t> read_at(uint64_t offset, std::span<char> buf) override {
    return target_->read_at(offset, buf);
  }
  Status append(std::string_view data) override { return target_->append(data); }
  Status write_at(uint64_t offset, std::string_view data) override {
    return target_->write_at(offset, data);
  }
  Status sync() override { return target_->sync(); }
  Status truncate(uint64_t size) override { return target_->truncate(size); }
  Result<uint64_t> size() override { return target_->size(); }
  Status close() override { return target_->close(); }
  const std::string& path() const override { return target_->path(); }
  // map_prefix is not forwarded: a wrapper that injects faults into reads, or
  // records them, must see every one. A wrapper without that need forwards it
  // itself.

 protected:
  File& target() { return *target_; }

 private:
  std::unique_ptr<File> target_;
};

class FileSystemWrapper : public FileSystem {
 public:
  explicit FileSystemWrapper(FileSystem& target) : target_(target) {}

  Result<std::unique_ptr<File>> open(const std::string& path, OpenMode mode) override {
    return target_.open(path, mode);
  }
  Status rename(const std::string& from, const std::string& to) override {
    return target_.rename(from, to);
  }
  Status remove(const std::string& path) override { return target_.remove(path); }
  Status mkdir(const std::string& path) override { return target_.mkdir(path); }
  Status rmdir(const std::string& path) override { return target_.rmdir(path); }
  Result<std::vector<std::string>> list(const std::string& path) override {
    return target_.list(path);
  }
  Status sync_dir(const std::string& path) override { return target_.sync_dir(path); }
  Result<std::unique_ptr<FileLock>> lock(const std::string& path) override {
    return target_.lock(path);
  }
  Result<std::unique_ptr<FileLock>> lock_shared(const std::string& path) override {
    return target_.lock_shared(path);
  }
  Result<uint64_t> file_size(const std::string& path) override { return target_.file_size(path); }
  Result<bool> exists(const std::string& path) override { return target_.exists(path); }
  Result<uint64_t> available_bytes(const std::string& path) override {
    return target_.available_bytes(path);
  }

  // The wrapped file system.
  FileSystem& target() { return target_; }

 private:
  FileSystem& target_;
};

}  // namespace faultfs
