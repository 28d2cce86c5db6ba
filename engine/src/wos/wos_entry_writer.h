// Buffered appender for `db` and `db.tmp`: encodes entries into a buffer and
// appends it in pieces of about kWriteChunkBytes, so a flush of many small
// entries costs few system calls and a huge delta never sits whole in memory.
//
// It tracks the file offset each entry lands at; the caller hands that offset
// to the index only after the new checkpoint is durable.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "faultfs/file_system.h"
#include "wos/wos_seal.h"

namespace dbx::wos {

class EntryWriter {
 public:
  // `start_offset` is the file's size when writing begins: appends land there.
  // Entries are encoded by `codec` for a db of `generation` (the AD of a
  // sealed entry names both).
  EntryWriter(faultfs::File& file, uint64_t start_offset, const EntryCodec& codec,
              uint64_t generation);

  // The offset the next added bytes land at.
  uint64_t offset() const { return offset_; }

  [[nodiscard]] faultfs::Status add_entry(uint8_t type, std::string_view table,
                                          std::string_view key, std::string_view value);
  // Bytes already encoded (a db header, or an entry copied by compaction).
  [[nodiscard]] faultfs::Status add_raw(std::string_view bytes);
  // Appends whatever is buffered. Must be called before the file is synced.
  [[nodiscard]] faultfs::Status finish();

 private:
  [[nodiscard]] faultfs::Status flush_if_full();

  faultfs::File& file_;
  const EntryCodec& codec_;
  const uint64_t generation_;
  std::string buffer_;
  std::string seal_scratch_;  // A sealed entry's plain body (EntryCodec::append).
  uint64_t offset_;
};

}  // namespace dbx::wos
