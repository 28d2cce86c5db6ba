// Logical WAL records and their payload encoding (engine/doc/wal_format.md).
//
// A record is transaction-ready: a committed batch or transaction is one
// kBatch record, so it is in the log or out of it as a whole.
#pragma once

#include <cstdint>
#include <span>
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

// A mutation decoded in place: the views point into the payload bytes.
struct MutationView {
  bool is_delete = false;
  std::string_view table, key, value;  // value is empty for a delete.
};

// A record decoded in place. Valid while both the payload it was decoded from
// and the scratch vector its mutations live in are unchanged.
struct RecordView {
  RecordKind kind = RecordKind::kInsert;
  uint64_t sequence = 0;
  std::span<const MutationView> mutations;  // Same arity rules as Record::mutations.
};

// Decodes a payload read back from the log without copying its bytes: the
// mutations go to `scratch` (cleared first; its capacity is reused, so a
// caller that keeps one scratch vector allocates nothing in steady state).
// Any inconsistency (truncated field, trailing bytes, a zero count, a count
// larger than the bytes present, an unknown op, wrong arity for the kind) is
// a kInvalidArgument error whose message says what is wrong. A count is
// checked against the bytes present before anything is reserved for it.
[[nodiscard]] faultfs::Result<RecordView> decode_payload_views(RecordKind kind, uint64_t sequence,
                                                               std::string_view payload,
                                                               std::vector<MutationView>* scratch);

// The arity rules of well_formed(Record), for a view. decode_payload_views
// returns only views that satisfy it.
bool well_formed(const RecordView& view);

// An owning copy of `view`.
Record to_record(const RecordView& view);

// encode_payload_to for a view: the same bytes as for to_record(view).
// Precondition: well_formed(view).
void encode_payload_to(const RecordView& record, std::string* out);

// decode_payload_views followed by to_record: the same rules and the same
// errors. Never allocates more than a small multiple of payload.size().
[[nodiscard]] faultfs::Result<Record> decode_payload(RecordKind kind, uint64_t sequence,
                                                     std::string_view payload);

}  // namespace dbx::wal
