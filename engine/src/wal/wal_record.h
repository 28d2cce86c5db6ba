// Logical WAL records and their payload encoding (engine/doc/wal_format.md).
//
// A record is transaction-ready: a committed batch or transaction is one
// kBatch record, so it is in the log or out of it as a whole.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "faultfs/status.h"
#include "wal/wal_format.h"

namespace dbx::wal {

struct Mutation {
  bool is_delete = false;
  std::string table, key, value;  // value is empty for a delete.

  bool operator==(const Mutation&) const = default;
};

struct Record {
  RecordKind kind = RecordKind::kInsert;
  uint64_t sequence = 0;  // The write's sequence; for kCheckpoint: the checkpoint sequence.
  std::vector<Mutation> mutations;  // kInsert: 1 put; kDelete: 1 delete; kBatch: >= 1 puts/deletes
                                    // (any tables); kCheckpoint: none.

  bool operator==(const Record&) const = default;
};

// Whether `record` has the arity its kind requires (the precondition of the
// encoders; the decoder enforces the same rules on bytes read back).
bool well_formed(const Record& record);

// The payload bytes of `record` (no frame). Precondition: well_formed(record).
std::string encode_payload(const Record& record);

// As encode_payload, into `out` (cleared first) so that a caller can reuse one
// buffer across records without a heap allocation per record.
void encode_payload_to(const Record& record, std::string* out);

// Decodes a payload read back from the log. Any inconsistency (truncated
// field, trailing bytes, a count larger than the bytes present, wrong arity
// for the kind) is a kInvalidArgument error whose message says what is wrong.
// Never allocates more than a small multiple of payload.size().
[[nodiscard]] faultfs::Result<Record> decode_payload(RecordKind kind, uint64_t sequence,
                                                     std::string_view payload);

}  // namespace dbx::wal
