#include "wal/wal_window.h"

#include <algorithm>
#include <cassert>
#include <span>

namespace dbx::wal {

LogWindow::LogWindow(faultfs::File& file, uint64_t file_size_bytes)
    : file_(file), file_size_bytes_(file_size_bytes) {}

faultfs::Result<std::string_view> LogWindow::view(uint64_t offset, uint64_t length) {
  assert(length <= kViewBytesMax);
  assert(offset <= file_size_bytes_ && length <= file_size_bytes_ - offset);
  const uint64_t window_end = window_offset_ + window_.size();
  if (offset >= window_offset_ && offset + length <= window_end) {
    return std::string_view(window_).substr(offset - window_offset_, length);
  }
  const uint64_t fetch_bytes = std::min(std::max(length, kChunkBytes), file_size_bytes_ - offset);
  assert(fetch_bytes >= length);
  assert(fetch_bytes <= std::max(kViewBytesMax, kChunkBytes));
  window_.resize(fetch_bytes);
  window_offset_ = offset;
  uint64_t done = 0;
  while (done < fetch_bytes) {
    auto n =
        file_.read_at(offset + done, std::span<char>(window_.data() + done, fetch_bytes - done));
    if (!n.is_ok()) {
      window_.clear();
      return n.status();
    }
    if (*n == 0) {
      // The size was taken at open; the log must not shrink while it is read.
      window_.clear();
      return faultfs::Status(
          faultfs::ErrorCode::kIoError,
          path() + " offset " + std::to_string(offset + done) + ": file shrank while being read");
    }
    done += *n;
  }
  assert(done == fetch_bytes);
  return std::string_view(window_).substr(0, length);
}

faultfs::Result<bool> LogWindow::zero_from(uint64_t offset) {
  assert(offset <= file_size_bytes_);
  while (offset < file_size_bytes_) {
    const uint64_t length = std::min(kChunkBytes, file_size_bytes_ - offset);
    auto bytes = view(offset, length);
    if (!bytes.is_ok()) return bytes.status();
    if (!all_zero(*bytes)) return false;
    offset += length;
  }
  return true;
}

}  // namespace dbx::wal
