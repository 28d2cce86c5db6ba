#include "wos/wos_entry_writer.h"

#include <cassert>

#include "wos/wos_format.h"

namespace dbx::wos {

EntryWriter::EntryWriter(faultfs::File& file, uint64_t start_offset, const EntryCodec& codec,
                         uint64_t generation)
    : file_(file), codec_(codec), generation_(generation), offset_(start_offset) {}

faultfs::Status EntryWriter::add_entry(uint8_t type, std::string_view table, std::string_view key,
                                       std::string_view value) {
  const size_t before = buffer_.size();
  codec_.append(&buffer_, generation_, offset_, type, table, key, value, &seal_scratch_);
  offset_ += buffer_.size() - before;
  return flush_if_full();
}

faultfs::Status EntryWriter::add_raw(std::string_view bytes) {
  buffer_.append(bytes);
  offset_ += bytes.size();
  return flush_if_full();
}

faultfs::Status EntryWriter::flush_if_full() {
  if (buffer_.size() < kWriteChunkBytes) return faultfs::Status::ok();
  return finish();
}

faultfs::Status EntryWriter::finish() {
  if (buffer_.empty()) return faultfs::Status::ok();
  faultfs::Status appended = file_.append(buffer_);
  buffer_.clear();
  return appended;
}

}  // namespace dbx::wos
