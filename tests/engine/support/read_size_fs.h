// A FileSystem decorator that measures reads: the largest single read_at
// request (a bound on the buffer the caller allocated) and the bytes all
// read_at calls returned. Everything else passes through
// (FileSystemWrapper, FileWrapper).
#pragma once

#include <algorithm>
#include <atomic>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "faultfs/file_system.h"
#include "faultfs/file_system_wrapper.h"

namespace dbx::testing {

struct ReadSizes {
  std::atomic<uint64_t> calls{0};
  std::atomic<uint64_t> request_bytes_max{0};
  std::atomic<uint64_t> returned_bytes_total{0};
};

class ReadSizeFs final : public faultfs::FileSystemWrapper {
 public:
  explicit ReadSizeFs(faultfs::FileSystem& inner) : FileSystemWrapper(inner) {}
  ReadSizes& sizes() { return sizes_; }

  faultfs::Result<std::unique_ptr<faultfs::File>> open(const std::string& path,
                                                       faultfs::OpenMode mode) override {
    auto file = target().open(path, mode);
    if (!file.is_ok()) return file.status();
    return std::unique_ptr<faultfs::File>(new MeasuredFile(std::move(*file), sizes_));
  }

 private:
  class MeasuredFile final : public faultfs::FileWrapper {
   public:
    MeasuredFile(std::unique_ptr<faultfs::File> inner, ReadSizes& sizes)
        : FileWrapper(std::move(inner)), sizes_(sizes) {}
    faultfs::Result<size_t> read_at(uint64_t offset, std::span<char> buf) override {
      sizes_.calls.fetch_add(1);
      uint64_t seen = sizes_.request_bytes_max.load();
      while (seen < buf.size() &&
             !sizes_.request_bytes_max.compare_exchange_weak(seen, buf.size())) {
      }
      auto n = target().read_at(offset, buf);
      if (n.is_ok()) sizes_.returned_bytes_total.fetch_add(*n);
      return n;
    }

   private:
    ReadSizes& sizes_;
  };

  ReadSizes sizes_;
};

}  // namespace dbx::testing
