// Sequential reader of the entries of `db`, with large reads.
//
// Open and compaction walk every committed entry; one read_at per entry would
// make open cost a system call per key. The scanner reads kReadChunkBytes at a
// time and hands out verified entries that point into its buffer.
//
// Bounds: the buffer never exceeds max(kReadChunkBytes, kEntryBytesMax), and an
// entry's length is checked against the limits and against `end` before the
// buffer grows for it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "faultfs/file_system.h"
#include "wos/wos_format.h"
#include "wos/wos_seal.h"

namespace dbx::wos {

class EntryScanner {
 public:
  // Scans [begin, end) of `file` (named `path` in errors). `end` must not
  // exceed the file's size; the caller checked it against the file.
  // Entries are decoded by `codec` as those of a db of `generation`.
  EntryScanner(faultfs::File& file, std::string path, uint64_t begin, uint64_t end,
               const EntryCodec& codec, uint64_t generation);

  struct Item {
    uint64_t offset = 0;   // The entry's first byte in the file.
    std::string_view raw;  // All its bytes, checksum included.
    EntryView entry;       // Decoded views into `raw`.
  };
  // The next verified entry, or nullopt once `end` is reached exactly. The
  // views are valid until the next call. An entry that crosses `end` or fails
  // its checksum is kCorruption naming the file and the entry's offset.
  [[nodiscard]] faultfs::Result<std::optional<Item>> next();

  uint64_t read_calls() const { return read_calls_; }

 private:
  // Makes the buffer hold at least `need` bytes from position_ on.
  [[nodiscard]] faultfs::Status fill(uint64_t need);

  faultfs::File& file_;
  const std::string path_;
  const EntryCodec& codec_;
  const uint64_t generation_;
  std::string plain_;  // A sealed entry's opened bytes: the views point here.
  const uint64_t end_;
  uint64_t position_;   // File offset of the next entry.
  std::string buffer_;  // File bytes [buffer_offset_, buffer_offset_ + buffer_.size()).
  uint64_t buffer_offset_;
  uint64_t read_calls_ = 0;
};

}  // namespace dbx::wos
