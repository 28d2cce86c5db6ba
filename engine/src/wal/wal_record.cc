#include "wal/wal_record.h"

#include <cassert>
#include <optional>
#include <span>

#include "faultfs/status_macros.h"
#include "util/coding.h"

namespace dbx::wal {
namespace {

// Op tags inside a kBatch payload. Zero is not used so that a zeroed payload
// byte cannot decode as a valid op.
constexpr uint8_t kOpPut = 1;
constexpr uint8_t kOpDelete = 2;
// The fewest bytes one batch mutation can occupy: its op tag and the two
// one-byte length prefixes of an empty table and key (a delete has no value).
constexpr uint64_t kMutationBytesMin = 3;

faultfs::Status invalid(RecordKind kind, const std::string& what) {
  return faultfs::Status(faultfs::ErrorCode::kInvalidArgument,
                         std::string(record_kind_name(kind)) + " payload: " + what);
}

// The arity rules of well_formed(), for Mutation and MutationView alike.
template <typename M>
bool arity_fits(RecordKind kind, std::span<const M> mutations) {
  switch (kind) {
    case RecordKind::kInsert:
      return mutations.size() == 1 && !mutations[0].is_delete;
    case RecordKind::kDelete:
      return mutations.size() == 1 && mutations[0].is_delete && mutations[0].value.empty();
    case RecordKind::kBatch:
      if (mutations.empty()) return false;
      for (const M& m : mutations) {
        if (m.is_delete && !m.value.empty()) return false;
      }
      return true;
    case RecordKind::kCheckpoint:
    case RecordKind::kSyncProof:
      return mutations.empty();
  }
  return false;
}

// Mutation and MutationView alike.
template <typename M>
void put_mutation_fields(const M& m, std::string* out) {
  coding::put_length_prefixed(out, m.table);
  coding::put_length_prefixed(out, m.key);
  if (!m.is_delete) coding::put_length_prefixed(out, m.value);
}

// Consumes a length-prefixed field of `in` into `field`; false when `in` is
// too short.
[[gnu::always_inline]] inline bool take_length_prefixed(std::string_view* in,
                                                        std::string_view* field) {
  const std::optional<std::string_view> taken = coding::get_length_prefixed(in);
  if (!taken) return false;
  *field = *taken;
  return true;
}

// Consumes table, key and (for a put) value from `in` into `m`, as views
// into `in`'s bytes.
[[gnu::always_inline]] inline faultfs::Status get_mutation_fields(RecordKind kind,
                                                                  std::string_view* in,
                                                                  MutationView* m) {
  if (!take_length_prefixed(in, &m->table)) return invalid(kind, "truncated table name");
  if (!take_length_prefixed(in, &m->key)) return invalid(kind, "truncated key");
  if (m->is_delete) {
    m->value = std::string_view();
    return faultfs::Status::ok();
  }
  if (!take_length_prefixed(in, &m->value)) return invalid(kind, "truncated value");
  return faultfs::Status::ok();
}

faultfs::Status decode_batch(std::string_view* in, std::vector<MutationView>* mutations) {
  assert(mutations->empty());
  const auto count = coding::get_varint64(in);
  if (!count) return invalid(RecordKind::kBatch, "truncated mutation count");
  if (*count == 0) return invalid(RecordKind::kBatch, "mutation count is 0");
  // Bound the count by the bytes present before reserving anything for it.
  if (*count > in->size() / kMutationBytesMin) {
    return invalid(RecordKind::kBatch, "mutation count " + std::to_string(*count) +
                                           " exceeds the " + std::to_string(in->size()) +
                                           " bytes present");
  }
  mutations->reserve(*count);
  for (uint64_t i = 0; i < *count; ++i) {
    if (in->empty()) {
      return invalid(RecordKind::kBatch, "truncated before mutation " + std::to_string(i));
    }
    const auto op = static_cast<uint8_t>(in->front());
    in->remove_prefix(1);
    if (op != kOpPut && op != kOpDelete) {
      return invalid(RecordKind::kBatch,
                     "unknown op " + std::to_string(op) + " in mutation " + std::to_string(i));
    }
    MutationView& m = mutations->emplace_back();
    m.is_delete = op == kOpDelete;
    RETURN_IF_ERROR(get_mutation_fields(RecordKind::kBatch, in, &m));
  }
  assert(mutations->size() == *count);
  return faultfs::Status::ok();
}

}  // namespace

bool well_formed(const Record& record) {
  return arity_fits(record.kind, std::span<const Mutation>(record.mutations));
}

namespace {

template <typename M>
void encode_mutations_to(RecordKind kind, std::span<const M> mutations, std::string* out) {
  out->clear();
  switch (kind) {
    case RecordKind::kInsert:
    case RecordKind::kDelete:
      put_mutation_fields(mutations[0], out);
      break;
    case RecordKind::kBatch:
      coding::put_varint64(out, mutations.size());
      for (const M& m : mutations) {
        out->push_back(static_cast<char>(m.is_delete ? kOpDelete : kOpPut));
        put_mutation_fields(m, out);
      }
      break;
    case RecordKind::kCheckpoint:
    case RecordKind::kSyncProof:
      break;  // Their sequences travel in the frame header.
  }
  assert(out->size() <= kMaxRecordPayloadBytes);
}

}  // namespace

void encode_payload_to(const Record& record, std::string* out) {
  assert(well_formed(record));
  encode_mutations_to<Mutation>(record.kind, record.mutations, out);
}

void encode_payload_to(const RecordView& record, std::string* out) {
  assert(well_formed(record));
  encode_mutations_to<MutationView>(record.kind, record.mutations, out);
}

bool well_formed(const RecordView& view) { return arity_fits(view.kind, view.mutations); }

std::string encode_payload(const Record& record) {
  std::string out;
  encode_payload_to(record, &out);
  return out;
}

faultfs::Result<RecordView> decode_payload_views(RecordKind kind, uint64_t sequence,
                                                 std::string_view payload,
                                                 std::vector<MutationView>* scratch) {
  assert(scratch != nullptr);
  scratch->clear();
  if (!is_valid_kind(static_cast<uint8_t>(kind))) {
    return faultfs::Status(
        faultfs::ErrorCode::kInvalidArgument,
        "payload of unknown record kind " + std::to_string(static_cast<unsigned>(kind)));
  }
  if (payload.size() > kMaxRecordPayloadBytes) {
    return invalid(kind, "length " + std::to_string(payload.size()) + " exceeds the maximum");
  }
  std::string_view in = payload;
  switch (kind) {
    case RecordKind::kInsert:
    case RecordKind::kDelete: {
      MutationView& m = scratch->emplace_back();
      m.is_delete = kind == RecordKind::kDelete;
      RETURN_IF_ERROR(get_mutation_fields(kind, &in, &m));
      break;
    }
    case RecordKind::kBatch: {
      RETURN_IF_ERROR(decode_batch(&in, scratch));
      break;
    }
    case RecordKind::kCheckpoint:
    case RecordKind::kSyncProof:
      break;
  }
  if (!in.empty()) {
    return invalid(kind, std::to_string(in.size()) + " trailing bytes after " +
                             std::to_string(payload.size() - in.size()) + " decoded");
  }
  const RecordView view{kind, sequence, std::span<const MutationView>(*scratch)};
  assert(well_formed(view));
  return view;
}

Record to_record(const RecordView& view) {
  Record record;
  record.kind = view.kind;
  record.sequence = view.sequence;
  record.mutations.reserve(view.mutations.size());
  for (const MutationView& m : view.mutations) {
    record.mutations.push_back(
        Mutation{m.is_delete, std::string(m.table), std::string(m.key), std::string(m.value)});
  }
  assert(record.mutations.size() == view.mutations.size());
  return record;
}

faultfs::Result<Record> decode_payload(RecordKind kind, uint64_t sequence,
                                       std::string_view payload) {
  std::vector<MutationView> scratch;
  ASSIGN_OR_RETURN(auto view, decode_payload_views(kind, sequence, payload, &scratch));
  Record record = to_record(view);
  assert(well_formed(record));
  return record;
}

}  // namespace dbx::wal
