// A read window over the log file: the reader asks for byte ranges, the window
// fetches them in large chunks so that a walk over many small records costs
// one read_at per chunk, not one per record.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "faultfs/file_system.h"
#include "faultfs/status.h"
#include "wal/wal_format.h"

namespace dbx::wal {

class LogWindow {
 public:
  // Bytes fetched per read_at when a request is smaller: one read_at per
  // ~6,000 small records. 256 KiB, 512 KiB and 2 MiB were no faster on the
  // 1,000,000-record log of bench/wal (the copy out of the page cache and the
  // checksums dominate, not the calls).
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
  // A forward walk reads each byte of the file from the file system once: a
  // range that straddles the window's end keeps the bytes already fetched.
  [[nodiscard]] faultfs::Result<std::string_view> view(uint64_t offset, uint64_t length) {
    // Inline: a walk asks for two ranges per record, and nearly all of them
    // lie in the window already.
    if (offset >= window_offset_ && offset - window_offset_ <= window_bytes_ &&
        length <= window_bytes_ - (offset - window_offset_)) {
      return std::string_view(buffer_.get() + (offset - window_offset_), length);
    }
    return view_after_fill(offset, length);
  }

  // Whether every byte in [offset, file end) is zero.
  [[nodiscard]] faultfs::Result<bool> zero_from(uint64_t offset);

 private:
  // view() of a range the window does not hold: refills it first.
  [[nodiscard]] faultfs::Result<std::string_view> view_after_fill(uint64_t offset, uint64_t length);
  // Refills the window to hold [offset, offset + fetch_bytes).
  [[nodiscard]] faultfs::Status fill(uint64_t offset, uint64_t fetch_bytes);

  faultfs::File& file_;
  const uint64_t file_size_bytes_;
  // The window holds file bytes [window_offset_, window_offset_ + window_bytes_)
  // at buffer_[0, window_bytes_); window_bytes_ <= capacity_bytes_.
  uint64_t window_offset_ = 0;
  uint64_t window_bytes_ = 0;
  // Grown, never shrunk, and not zero-filled: every byte in the window was read.
  std::unique_ptr<char[]> buffer_;
  uint64_t capacity_bytes_ = 0;
};

}  // namespace dbx::wal
