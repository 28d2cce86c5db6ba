// A FileSystem decorator that measures reads: the largest single read_at
// request (a bound on the buffer the caller allocated) and the bytes all
// read_at calls returned. Everything else passes through to `inner`.
#pragma once

#include <algorithm>
#include <atomic>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "faultfs/file_system.h"

namespace dbx::testing {

struct ReadSizes {
  std::atomic<uint64_t> calls{0};
  std::atomic<uint64_t> request_bytes_max{0};
  std::atomic<uint64_t> returned_bytes_total{0};
};

class ReadSizeFs final : public faultfs::FileSystem {
 public:
  explicit ReadSizeFs(faultfs::FileSystem& inner) : inner_(inner) {}
  ReadSizes& sizes() { return sizes_; }

  faultfs::Result<std::unique_ptr<faultfs::File>> open(const std::string& path,
                                                       faultfs::OpenMode mode) override {
    auto file = inner_.open(path, mode);
    if (!file.is_ok()) return file.status();
    return std::unique_ptr<faultfs::File>(new MeasuredFile(std::move(*file), sizes_));
  }
  faultfs::Status rename(const std::string& from, const std::string& to) override {
    return inner_.rename(from, to);
  }
  faultfs::Status remove(const std::string& path) override { return inner_.remove(path); }
  faultfs::Status mkdir(const std::string& path) override { return inner_.mkdir(path); }
  faultfs::Result<std::vector<std::string>> list(const std::string& path) override {
    return inner_.list(path);
  }
  faultfs::Status sync_dir(const std::string& path) override { return inner_.sync_dir(path); }
  faultfs::Result<std::unique_ptr<faultfs::FileLock>> lock(const std::string& path) override {
    return inner_.lock(path);
  }
  faultfs::Result<uint64_t> file_size(const std::string& path) override {
    return inner_.file_size(path);
  }
  faultfs::Result<bool> exists(const std::string& path) override { return inner_.exists(path); }

 private:
  class MeasuredFile final : public faultfs::File {
   public:
    MeasuredFile(std::unique_ptr<faultfs::File> inner, ReadSizes& sizes)
        : inner_(std::move(inner)), sizes_(sizes) {}
    faultfs::Result<size_t> read_at(uint64_t offset, std::span<char> buf) override {
      sizes_.calls.fetch_add(1);
      uint64_t seen = sizes_.request_bytes_max.load();
      while (seen < buf.size() &&
             !sizes_.request_bytes_max.compare_exchange_weak(seen, buf.size())) {
      }
      auto n = inner_->read_at(offset, buf);
      if (n.is_ok()) sizes_.returned_bytes_total.fetch_add(*n);
      return n;
    }
    faultfs::Status append(std::string_view data) override { return inner_->append(data); }
    faultfs::Status write_at(uint64_t offset, std::string_view data) override {
      return inner_->write_at(offset, data);
    }
    faultfs::Status sync() override { return inner_->sync(); }
    faultfs::Status truncate(uint64_t size) override { return inner_->truncate(size); }
    faultfs::Result<uint64_t> size() override { return inner_->size(); }
    faultfs::Status close() override { return inner_->close(); }
    const std::string& path() const override { return inner_->path(); }

   private:
    std::unique_ptr<faultfs::File> inner_;
    ReadSizes& sizes_;
  };

  faultfs::FileSystem& inner_;
  ReadSizes sizes_;
};

}  // namespace dbx::testing
