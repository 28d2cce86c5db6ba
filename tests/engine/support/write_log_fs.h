// A FileSystem decorator that records every write (path, offset, size) and
// counts file syncs, so a test can pin a writer's exact I/O pattern; it can
// also make the next write fail after storing only its first bytes (a short
// write that then reports EIO). Everything else passes through
// (FileSystemWrapper, FileWrapper).
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "faultfs/file_system.h"
#include "faultfs/file_system_wrapper.h"

namespace dbx::testing {

struct WriteCall {
  std::string path;
  uint64_t offset = 0;
  uint64_t size_bytes = 0;
};

class WriteLogFs final : public faultfs::FileSystemWrapper {
 public:
  explicit WriteLogFs(faultfs::FileSystem& inner) : FileSystemWrapper(inner) {}

  std::vector<WriteCall> writes() {
    std::lock_guard<std::mutex> lock(mu_);
    return writes_;
  }
  void clear_writes() {
    std::lock_guard<std::mutex> lock(mu_);
    writes_.clear();
  }
  uint64_t sync_calls() {
    std::lock_guard<std::mutex> lock(mu_);
    return sync_calls_;
  }
  // The next write stores only its first `stored_bytes` bytes, then fails
  // with kIoError.
  void fail_next_write(uint64_t stored_bytes) {
    std::lock_guard<std::mutex> lock(mu_);
    fail_next_write_ = true;
    failing_write_stored_bytes_ = stored_bytes;
  }

  faultfs::Result<std::unique_ptr<faultfs::File>> open(const std::string& path,
                                                       faultfs::OpenMode mode) override {
    auto file = target().open(path, mode);
    if (!file.is_ok()) return file.status();
    return std::unique_ptr<faultfs::File>(new LoggedFile(std::move(*file), *this));
  }

 private:
  class LoggedFile final : public faultfs::FileWrapper {
   public:
    LoggedFile(std::unique_ptr<faultfs::File> inner, WriteLogFs& fs)
        : FileWrapper(std::move(inner)), fs_(fs) {}
    faultfs::Status append(std::string_view data) override {
      auto end = target().size();
      if (!end.is_ok()) return end.status();
      return write_at(*end, data);
    }
    faultfs::Status write_at(uint64_t offset, std::string_view data) override {
      bool fail = false;
      uint64_t stored = data.size();
      {
        std::lock_guard<std::mutex> lock(fs_.mu_);
        fs_.writes_.push_back(WriteCall{path(), offset, data.size()});
        if (fs_.fail_next_write_) {
          fs_.fail_next_write_ = false;
          fail = true;
          stored = std::min<uint64_t>(stored, fs_.failing_write_stored_bytes_);
        }
      }
      if (stored > 0) {
        if (auto s = target().write_at(offset, data.substr(0, stored)); !s.is_ok()) return s;
      }
      if (fail) return faultfs::Status(faultfs::ErrorCode::kIoError, "pwrite " + path() + ": EIO");
      return faultfs::Status::ok();
    }
    faultfs::Status sync() override {
      {
        std::lock_guard<std::mutex> lock(fs_.mu_);
        fs_.sync_calls_ += 1;
      }
      return target().sync();
    }

   private:
    WriteLogFs& fs_;
  };

  std::mutex mu_;
  std::vector<WriteCall> writes_;
  uint64_t sync_calls_ = 0;
  bool fail_next_write_ = false;
  uint64_t failing_write_stored_bytes_ = 0;
};

}  // namespace dbx::testing
