// An in-memory faultfs::FileSystem for the WAL tests: files are byte strings
// the test can read and damage directly, and every write_at / read_at / sync
// is counted so that tests can pin the writer's I/O pattern.
#pragma once

#include <algorithm>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "faultfs/file_system.h"

namespace dbx::wal::testing {

struct WriteCall {
  std::string path;
  uint64_t offset = 0;
  uint64_t size_bytes = 0;
};

class MemFs final : public faultfs::FileSystem {
 public:
  // ---- Test controls (thread-safe) ----
  std::string bytes(const std::string& path) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = files_.find(path);
    return it == files_.end() ? std::string() : *it->second;
  }
  void set_bytes(const std::string& path, std::string data) {
    std::lock_guard<std::mutex> lock(mu_);
    auto& slot = files_[path];
    if (!slot) slot = std::make_shared<std::string>();
    *slot = std::move(data);
  }
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
  uint64_t read_calls() {
    std::lock_guard<std::mutex> lock(mu_);
    return read_calls_;
  }
  // The largest single read_at request: bounds what the reader allocated.
  uint64_t read_request_bytes_max() {
    std::lock_guard<std::mutex> lock(mu_);
    return read_request_bytes_max_;
  }
  // Bytes every read_at returned, summed: how often the reader copied each byte.
  uint64_t read_bytes_total() {
    std::lock_guard<std::mutex> lock(mu_);
    return read_bytes_total_;
  }
  // The next `count` write_at calls fail (after storing `stored_bytes` of them).
  void fail_writes(int count, uint64_t stored_bytes = 0) {
    std::lock_guard<std::mutex> lock(mu_);
    failing_writes_ = count;
    failing_write_stored_bytes_ = stored_bytes;
  }
  void fail_syncs(int count) {
    std::lock_guard<std::mutex> lock(mu_);
    failing_syncs_ = count;
  }

  // ---- faultfs::FileSystem ----
  faultfs::Result<std::unique_ptr<faultfs::File>> open(const std::string& path,
                                                       faultfs::OpenMode mode) override;
  faultfs::Status rename(const std::string& from, const std::string& to) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = files_.find(from);
    if (it == files_.end()) return not_found(from);
    files_[to] = it->second;
    files_.erase(it);
    return faultfs::Status::ok();
  }
  faultfs::Status remove(const std::string& path) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (files_.erase(path) == 0) return not_found(path);
    return faultfs::Status::ok();
  }
  faultfs::Status mkdir(const std::string& path) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (!dirs_.insert(path).second) {
      return faultfs::Status(faultfs::ErrorCode::kAlreadyExists, "mkdir " + path);
    }
    return faultfs::Status::ok();
  }
  faultfs::Result<std::vector<std::string>> list(const std::string& path) override {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<std::string> names;
    const std::string prefix = path + "/";
    for (const auto& [name, data] : files_) {
      if (name.rfind(prefix, 0) == 0) names.push_back(name.substr(prefix.size()));
    }
    std::sort(names.begin(), names.end());
    return names;
  }
  faultfs::Status sync_dir(const std::string&) override { return faultfs::Status::ok(); }
  faultfs::Result<std::unique_ptr<faultfs::FileLock>> lock(const std::string& path) override {
    return faultfs::Status(faultfs::ErrorCode::kInvalidArgument, "lock " + path + ": unsupported");
  }
  faultfs::Result<uint64_t> file_size(const std::string& path) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = files_.find(path);
    if (it == files_.end()) return not_found(path);
    return static_cast<uint64_t>(it->second->size());
  }
  faultfs::Result<bool> exists(const std::string& path) override {
    std::lock_guard<std::mutex> lock(mu_);
    return files_.count(path) > 0 || dirs_.count(path) > 0;
  }

 private:
  friend class MemFile;
  static faultfs::Status not_found(const std::string& path) {
    return faultfs::Status(faultfs::ErrorCode::kNotFound, path + ": not found");
  }

  std::mutex mu_;
  std::map<std::string, std::shared_ptr<std::string>> files_;
  std::set<std::string> dirs_;
  std::vector<WriteCall> writes_;
  uint64_t sync_calls_ = 0;
  uint64_t read_calls_ = 0;
  uint64_t read_request_bytes_max_ = 0;
  uint64_t read_bytes_total_ = 0;
  int failing_writes_ = 0;
  uint64_t failing_write_stored_bytes_ = 0;
  int failing_syncs_ = 0;
};

class MemFile final : public faultfs::File {
 public:
  MemFile(MemFs& fs, std::string path, std::shared_ptr<std::string> data, bool writable)
      : fs_(fs), path_(std::move(path)), data_(std::move(data)), writable_(writable) {}

  faultfs::Result<size_t> read_at(uint64_t offset, std::span<char> buf) override {
    std::lock_guard<std::mutex> lock(fs_.mu_);
    if (closed_) return closed();
    fs_.read_calls_ += 1;
    fs_.read_request_bytes_max_ = std::max<uint64_t>(fs_.read_request_bytes_max_, buf.size());
    if (offset >= data_->size()) return size_t{0};
    const size_t n = std::min<uint64_t>(buf.size(), data_->size() - offset);
    std::copy_n(data_->data() + offset, n, buf.data());
    fs_.read_bytes_total_ += n;
    return n;
  }
  faultfs::Status append(std::string_view data) override {
    uint64_t end = 0;
    {
      std::lock_guard<std::mutex> lock(fs_.mu_);
      end = data_->size();
    }
    return write_at(end, data);
  }
  faultfs::Status write_at(uint64_t offset, std::string_view data) override {
    std::lock_guard<std::mutex> lock(fs_.mu_);
    if (closed_ || !writable_) return closed();
    fs_.writes_.push_back(WriteCall{path_, offset, data.size()});
    uint64_t stored = data.size();
    const bool fail = fs_.failing_writes_ > 0;
    if (fail) {
      fs_.failing_writes_ -= 1;
      stored = std::min<uint64_t>(stored, fs_.failing_write_stored_bytes_);
    }
    if (stored > 0) {
      if (data_->size() < offset + stored) data_->resize(offset + stored, '\0');
      std::copy_n(data.data(), stored, data_->data() + offset);
    }
    if (fail) return faultfs::Status(faultfs::ErrorCode::kIoError, "pwrite " + path_ + ": EIO");
    return faultfs::Status::ok();
  }
  faultfs::Status sync() override {
    std::lock_guard<std::mutex> lock(fs_.mu_);
    if (closed_) return closed();
    fs_.sync_calls_ += 1;
    if (fs_.failing_syncs_ > 0) {
      fs_.failing_syncs_ -= 1;
      return faultfs::Status(faultfs::ErrorCode::kIoError, "fdatasync " + path_ + ": EIO");
    }
    return faultfs::Status::ok();
  }
  faultfs::Status truncate(uint64_t size) override {
    std::lock_guard<std::mutex> lock(fs_.mu_);
    if (closed_ || !writable_) return closed();
    data_->resize(size, '\0');
    return faultfs::Status::ok();
  }
  faultfs::Result<uint64_t> size() override {
    std::lock_guard<std::mutex> lock(fs_.mu_);
    if (closed_) return closed();
    return static_cast<uint64_t>(data_->size());
  }
  faultfs::Status close() override {
    std::lock_guard<std::mutex> lock(fs_.mu_);
    if (closed_) return closed();
    closed_ = true;
    return faultfs::Status::ok();
  }
  const std::string& path() const override { return path_; }

 private:
  faultfs::Status closed() const {
    return faultfs::Status(faultfs::ErrorCode::kInvalidArgument, path_ + ": closed or read-only");
  }

  MemFs& fs_;
  const std::string path_;
  std::shared_ptr<std::string> data_;
  const bool writable_;
  bool closed_ = false;
};

inline faultfs::Result<std::unique_ptr<faultfs::File>> MemFs::open(const std::string& path,
                                                                   faultfs::OpenMode mode) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = files_.find(path);
  if (it == files_.end()) {
    if (mode == faultfs::OpenMode::kRead || mode == faultfs::OpenMode::kReadWrite) {
      return not_found(path);
    }
    it = files_.emplace(path, std::make_shared<std::string>()).first;
  } else if (mode == faultfs::OpenMode::kCreateTruncate) {
    it->second->clear();
  }
  return std::unique_ptr<faultfs::File>(
      new MemFile(*this, path, it->second, mode != faultfs::OpenMode::kRead));
}

}  // namespace dbx::wal::testing
