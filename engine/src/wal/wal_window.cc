#include "wal/wal_window.h"

#include <algorithm>
#include <cassert>
#include <cstring>
#include <span>

#include "faultfs/status_macros.h"

namespace dbx::wal {

LogWindow::LogWindow(faultfs::File& file, uint64_t file_size_bytes)
    : file_(file), file_size_bytes_(file_size_bytes) {}

faultfs::Result<std::string_view> LogWindow::view_after_fill(uint64_t offset, uint64_t length) {
  assert(length <= kViewBytesMax);
  assert(offset <= file_size_bytes_ && length <= file_size_bytes_ - offset);
  const uint64_t fetch_bytes = std::min(std::max(length, kChunkBytes), file_size_bytes_ - offset);
  assert(fetch_bytes >= length);
  assert(fetch_bytes <= std::max(kViewBytesMax, kChunkBytes));
  RETURN_IF_ERROR(fill(offset, fetch_bytes));
  assert(window_offset_ == offset && window_bytes_ >= length);
  return std::string_view(buffer_.get(), length);
}

faultfs::Status LogWindow::fill(uint64_t offset, uint64_t fetch_bytes) {
  assert(fetch_bytes <= file_size_bytes_ - offset);
  // The bytes of [offset, window end) already held: a forward walk asks for
  // ranges that straddle the window's end, and reading them again would copy
  // them twice.
  const uint64_t window_end = window_offset_ + window_bytes_;
  const uint64_t kept_bytes =
      offset >= window_offset_ && offset < window_end ? window_end - offset : 0;
  assert(kept_bytes < fetch_bytes);
  if (fetch_bytes > capacity_bytes_) {
    // Only a frame larger than a chunk grows the buffer, and its length was
    // checked against kViewBytesMax and the file size by the caller.
    auto grown = std::make_unique_for_overwrite<char[]>(fetch_bytes);
    if (kept_bytes > 0) {
      std::memcpy(grown.get(), buffer_.get() + (offset - window_offset_), kept_bytes);
    }
    buffer_ = std::move(grown);
    capacity_bytes_ = fetch_bytes;
  } else if (kept_bytes > 0) {
    std::memmove(buffer_.get(), buffer_.get() + (offset - window_offset_), kept_bytes);
  }
  window_offset_ = offset;
  window_bytes_ = kept_bytes;
  uint64_t done = kept_bytes;
  while (done < fetch_bytes) {
    auto n =
        file_.read_at(offset + done, std::span<char>(buffer_.get() + done, fetch_bytes - done));
    if (!n.is_ok()) {
      window_bytes_ = 0;
      return n.status();
    }
    if (*n == 0) {
      // The size was taken at open; the log must not shrink while it is read.
      window_bytes_ = 0;
      return faultfs::Status(
          faultfs::ErrorCode::kIoError,
          path() + " offset " + std::to_string(offset + done) + ": file shrank while being read");
    }
    assert(*n <= fetch_bytes - done);
    done += *n;
  }
  assert(done == fetch_bytes);
  window_bytes_ = fetch_bytes;
  return faultfs::Status::ok();
}

faultfs::Result<bool> LogWindow::zero_from(uint64_t offset) {
  assert(offset <= file_size_bytes_);
  while (offset < file_size_bytes_) {
    const uint64_t length = std::min(kChunkBytes, file_size_bytes_ - offset);
    ASSIGN_OR_RETURN(auto bytes, view(offset, length));
    if (!all_zero(bytes)) return false;
    offset += length;
  }
  return true;
}

}  // namespace dbx::wal
