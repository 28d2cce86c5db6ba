// A read window over the log file: the reader asks for byte ranges, the window
// fetches them in large chunks so that a walk over many small records costs
// one read_at per chunk, not one per record.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "faultfs/file_system.h"
#include "faultfs/status.h"
#include "wal/wal_format.h"

namespace dbx::wal {

class LogWindow {
 public:
  // Bytes fetched per read_at when a request is smaller.
  static constexpr uint64_t kChunkBytes = 1u << 20;
  // The largest range one view() may ask for: a whole record frame. The caller
  // checks a length read from disk against this and the file size first, so an
  // unchecked length never reaches an allocation.
  static constexpr uint64_t kViewBytesMax = frame_bytes(kMaxRecordPayloadBytes);

  // `file` must outlive the window; `file_size_bytes` is its size at open.
  LogWindow(faultfs::File& file, uint64_t file_size_bytes);

  uint64_t file_size_bytes() const { return file_size_bytes_; }
  const std::string& path() const { return file_.path(); }

  // The bytes [offset, offset + length), valid until the next call.
  // Preconditions: offset + length <= file_size_bytes(), length <= kViewBytesMax.
  [[nodiscard]] faultfs::Result<std::string_view> view(uint64_t offset, uint64_t length);

  // Whether every byte in [offset, file end) is zero.
  [[nodiscard]] faultfs::Result<bool> zero_from(uint64_t offset);

 private:
  faultfs::File& file_;
  const uint64_t file_size_bytes_;
  uint64_t window_offset_ = 0;
  std::string window_;  // Bytes [window_offset_, window_offset_ + window_.size()).
};

}  // namespace dbx::wal
