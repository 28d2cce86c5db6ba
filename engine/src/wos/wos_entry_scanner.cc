#include "wos/wos_entry_scanner.h"

#include <algorithm>
#include <cassert>
#include <span>

#include "faultfs/status_macros.h"

namespace dbx::wos {

EntryScanner::EntryScanner(faultfs::File& file, std::string path, uint64_t begin, uint64_t end,
                           const EntryCodec& codec, uint64_t generation)
    : file_(file),
      path_(std::move(path)),
      codec_(codec),
      generation_(generation),
      end_(end),
      position_(begin),
      buffer_offset_(begin) {
  assert(begin <= end);
}

faultfs::Status EntryScanner::fill(uint64_t need) {
  assert(need <= kStoredEntryBytesMax);
  assert(position_ + need <= end_);
  assert(position_ >= buffer_offset_ && position_ <= buffer_offset_ + buffer_.size());
  const uint64_t consumed = position_ - buffer_offset_;
  const uint64_t held = buffer_.size() - consumed;
  if (held >= need) return faultfs::Status::ok();
  // Keep the unconsumed tail, then read a whole chunk (or the whole entry when
  // it is larger) so that small entries cost a fraction of one call each.
  buffer_.erase(0, consumed);
  buffer_offset_ = position_;
  const uint64_t want =
      std::min<uint64_t>(std::max<uint64_t>(need, kReadChunkBytes), end_ - position_);
  assert(want >= need && want <= std::max<uint64_t>(kReadChunkBytes, kStoredEntryBytesMax));
  buffer_.resize(want);
  uint64_t have = held;
  while (have < want) {
    auto n =
        file_.read_at(buffer_offset_ + have, std::span<char>(buffer_.data() + have, want - have));
    read_calls_ += 1;
    if (!n.is_ok()) return n.status();
    if (*n == 0) {
      return corruption(path_, buffer_offset_ + have, "db ends before its committed length");
    }
    have += *n;
  }
  assert(buffer_.size() == want);
  return faultfs::Status::ok();
}

faultfs::Result<std::optional<EntryScanner::Item>> EntryScanner::next() {
  if (position_ == end_) return std::optional<Item>();
  assert(position_ < end_);
  if (end_ - position_ < kEntryHeaderBytes) {
    return corruption(path_, position_, "truncated entry header before the committed length");
  }
  RETURN_IF_ERROR(fill(kEntryHeaderBytes));
  const std::string_view head =
      std::string_view(buffer_).substr(position_ - buffer_offset_, kEntryHeaderBytes);
  ASSIGN_OR_RETURN(auto header, codec_.decode_header(head, path_, position_));
  const uint64_t total = header.total_bytes();
  if (total > end_ - position_) {
    return corruption(path_, position_, "entry crosses the committed length");
  }
  RETURN_IF_ERROR(fill(total));
  Item item;
  item.offset = position_;
  item.raw = std::string_view(buffer_).substr(position_ - buffer_offset_, total);
  ASSIGN_OR_RETURN(auto entry, codec_.decode(item.raw, path_, generation_, position_, &plain_));
  item.entry = entry;
  position_ += total;
  return std::optional<Item>(item);
}

}  // namespace dbx::wos
