// The WAL reader on arbitrary bytes. Input: one mode byte, then the file.
// Bit 0 of the mode byte picks the target: 0 reads the bytes as db/wal.log
// (the other bits pick the tail mode), 1 decodes them as one record payload
// (the other bits pick the kind) and checks that a decoded record re-encodes
// to a payload that decodes to the same record. Any crash, sanitizer report
// or failed DBX_ASSERT is a finding; error Statuses are the expected outcome.
#include <cstddef>
#include <cstdint>

#include "fuzz_input.h"
#include "wal/wal_reader.h"
#include "wal/wal_record.h"

namespace {

void read_as_log(std::string_view bytes, uint8_t mode_bits) {
  faultfs::SimFs fs;
  DBX_ASSERT(fs.mkdir("db").is_ok());
  dbx::fuzz::put_file(fs, "db/wal.log", bytes);
  const auto mode = static_cast<dbx::wal::TailMode>(mode_bits % 3);
  uint64_t visited = 0;
  auto summary = dbx::wal::read_log_views(fs, "db/wal.log", mode, /*min_relevant_sequence=*/0,
                                          [&](const dbx::wal::RecordView& view) {
                                            DBX_ASSERT(dbx::wal::well_formed(view));
                                            ++visited;
                                            return faultfs::Status::ok();
                                          });
  if (summary.is_ok()) {
    DBX_ASSERT(summary->records_read == visited);
    DBX_ASSERT(summary->end_offset <= bytes.size() || summary->records_read == 0);
  }
}

void decode_as_payload(std::string_view payload, uint8_t kind_bits) {
  const auto kind = static_cast<dbx::wal::RecordKind>(1 + kind_bits % 4);
  auto record = dbx::wal::decode_payload(kind, /*sequence=*/1, payload);
  if (!record.is_ok()) return;
  auto again = dbx::wal::decode_payload(kind, 1, dbx::wal::encode_payload(*record));
  DBX_ASSERT(again.is_ok() && *again == *record);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view bytes = dbx::fuzz::as_view(data + 1, size - 1);
  if (data[0] & 1) {
    decode_as_payload(bytes, data[0] >> 1);
  } else {
    read_as_log(bytes, data[0] >> 1);
  }
  return 0;
}
