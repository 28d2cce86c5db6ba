// The in-place payload decoder: it agrees with decode_payload (and with what
// was encoded) on every record kind and rejects every malformed payload with
// the same error, without copying a byte or allocating in steady state.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "util/coding.h"
#include "wal_test_util.h"

namespace dbx::wal::testing {
namespace {

// Every kind, NUL bytes, empty fields, and field lengths on both sides of the
// one-byte varint (127 / 128) and the two-byte one (16383 / 16384), where the
// decoder switches from its inline path to coding's generic one.
std::vector<Record> well_formed_records() {
  std::vector<Record> records = {
      insert_record(1, "t", "k", "v"),
      insert_record(2, std::string("t\0b", 3), std::string("\0\0k\0", 4), ""),
      insert_record(3, "", "", ""),
      delete_record(4, "t", "k"),
      delete_record(5, "", std::string(1, '\0')),
      batch_spanning_tables(),
      checkpoint_record(7),
  };
  for (const size_t length : {size_t{127}, size_t{128}, size_t{16383}, size_t{16384}}) {
    records.push_back(insert_record(10, std::string(length, 't'), "k", "v"));
    records.push_back(insert_record(11, "t", std::string(length, 'k'), "v"));
    records.push_back(insert_record(12, "t", "k", std::string(length, 'v')));
    records.push_back(delete_record(13, "t", std::string(length, 'k')));
  }
  return records;
}

struct Malformed {
  RecordKind kind;
  std::string payload;
  std::string needle;  // A part of the message decode_payload gives.
};

// The rejections wal_record_test pins for decode_payload, plus the ones only
// a varint-level fast path could get wrong.
std::vector<Malformed> malformed_payloads() {
  std::vector<Malformed> cases;
  for (const Record& r :
       {insert_record(1, "table", "key", "value"), delete_record(2, "tb", "k"),
        batch_spanning_tables(), insert_record(3, "t", "k", std::string(200, 'v'))}) {
    const std::string payload = encode_payload(r);
    // A cut batch may also claim more mutations than its bytes could hold.
    const std::string needle = r.kind == RecordKind::kBatch ? "batch payload: " : "truncated";
    for (size_t cut = 0; cut < payload.size(); ++cut) {
      cases.push_back({r.kind, payload.substr(0, cut), needle});
    }
  }
  cases.push_back(
      {RecordKind::kInsert, encode_payload(insert_record(1, "t", "k", "v")) + "x", "trailing"});
  cases.push_back({RecordKind::kBatch, encode_payload(batch_spanning_tables()) + '\0', "trailing"});
  cases.push_back({RecordKind::kCheckpoint, "\x01", "trailing"});
  std::string huge_count;
  coding::put_varint64(&huge_count, uint64_t{1} << 60);
  cases.push_back({RecordKind::kBatch, huge_count + "\x01\x01t\x01k\x01v", "exceeds"});
  std::string one_more = encode_payload(batch_spanning_tables());
  one_more[0] = static_cast<char>(batch_spanning_tables().mutations.size() + 1);
  cases.push_back({RecordKind::kBatch, one_more, "truncated before mutation 4"});
  cases.push_back({RecordKind::kBatch, std::string(1, '\0'), "count is 0"});
  cases.push_back({RecordKind::kBatch, std::string("\x01\x07\x01t\x01k", 6), "unknown op 7"});
  cases.push_back(
      {RecordKind::kInsert, encode_payload(delete_record(1, "t", "k")), "truncated value"});
  cases.push_back({static_cast<RecordKind>(9), "", "unknown record kind 9"});
  // A one-byte length that runs past the end, and a varint longer than 10 bytes.
  cases.push_back({RecordKind::kInsert,
                   "\x05"
                   "ab",
                   "truncated table name"});
  cases.push_back({RecordKind::kInsert, std::string(11, '\x80') + '\x01', "truncated table name"});
  // A two-byte length (200) with only 199 bytes behind it.
  cases.push_back({RecordKind::kDelete, "\x01t\xc8\x01" + std::string(199, 'k'), "truncated key"});
  return cases;
}

// Whether `part` lies inside `whole` (a view into it, not a copy).
bool points_into(std::string_view part, std::string_view whole) {
  return part.empty() ||
         (part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size());
}

TEST(WalRecordView, ViewDecoderAgreesWithDecodePayloadOnEveryKind) {
  std::vector<MutationView> scratch;
  for (const Record& r : well_formed_records()) {
    const std::string payload = encode_payload(r);
    auto view = decode_payload_views(r.kind, r.sequence, payload, &scratch);
    ASSERT_TRUE(view.is_ok()) << record_kind_name(r.kind) << ": " << view.status().to_string();
    EXPECT_TRUE(well_formed(*view));
    EXPECT_EQ(view->kind, r.kind);
    EXPECT_EQ(view->sequence, r.sequence);
    EXPECT_EQ(to_record(*view), r);
    auto record = decode_payload(r.kind, r.sequence, payload);
    ASSERT_TRUE(record.is_ok());
    EXPECT_EQ(to_record(*view), *record);
  }
}

TEST(WalRecordView, ViewsPointIntoThePayloadInsteadOfCopyingIt) {
  std::vector<MutationView> scratch;
  for (const Record& r : well_formed_records()) {
    const std::string payload = encode_payload(r);
    auto view = decode_payload_views(r.kind, r.sequence, payload, &scratch);
    ASSERT_TRUE(view.is_ok());
    ASSERT_EQ(view->mutations.size(), r.mutations.size());
    for (const MutationView& m : view->mutations) {
      EXPECT_TRUE(points_into(m.table, payload));
      EXPECT_TRUE(points_into(m.key, payload));
      EXPECT_TRUE(points_into(m.value, payload));
    }
    EXPECT_EQ(view->mutations.data(), scratch.data()) << "the mutations live in the scratch";
  }
}

TEST(WalRecordView, ViewDecoderRejectsEveryMalformedPayloadWithTheSameError) {
  std::vector<MutationView> scratch;
  const std::vector<Malformed> cases = malformed_payloads();
  ASSERT_GT(cases.size(), 100u);
  for (const Malformed& c : cases) {
    auto view = decode_payload_views(c.kind, 1, c.payload, &scratch);
    auto record = decode_payload(c.kind, 1, c.payload);
    ASSERT_FALSE(view.is_ok()) << c.needle << " (" << c.payload.size() << " bytes)";
    ASSERT_FALSE(record.is_ok());
    EXPECT_EQ(view.status().code(), faultfs::ErrorCode::kInvalidArgument);
    EXPECT_EQ(view.status().code(), record.status().code());
    EXPECT_EQ(view.status().message(), record.status().message());
    EXPECT_NE(view.status().message().find(c.needle), std::string::npos)
        << view.status().message() << " lacks '" << c.needle << "'";
  }
}

TEST(WalRecordView, NonCanonicalTwoByteLengthDecodesLikeTheGenericVarint) {
  // 0x85 0x00 is the length 5 in two bytes: not what the encoder writes, but
  // coding::get_length_prefixed accepts it, so the decoder must too.
  const std::string payload = std::string("\x85\x00", 2) + "table" + "\x01k" + "\x01v";
  std::vector<MutationView> scratch;
  auto view = decode_payload_views(RecordKind::kInsert, 1, payload, &scratch);
  ASSERT_TRUE(view.is_ok()) << view.status().to_string();
  EXPECT_EQ(to_record(*view), insert_record(1, "table", "k", "v"));
}

TEST(WalRecordView, ScratchIsReusedSoSteadyStateDecodingAllocatesNothing) {
  std::vector<MutationView> scratch;
  const std::string batch = encode_payload(batch_spanning_tables());
  const std::string insert = encode_payload(insert_record(2, "t", "k", "v"));
  ASSERT_TRUE(decode_payload_views(RecordKind::kBatch, 1, batch, &scratch).is_ok());
  const MutationView* grown = scratch.data();
  const size_t capacity = scratch.capacity();
  ASSERT_GE(capacity, batch_spanning_tables().mutations.size());
  for (int i = 0; i < 100; ++i) {
    auto a = decode_payload_views(RecordKind::kInsert, 2, insert, &scratch);
    ASSERT_TRUE(a.is_ok());
    EXPECT_EQ(a->mutations.size(), 1u) << "the scratch is cleared before each record";
    auto b = decode_payload_views(RecordKind::kBatch, 3, batch, &scratch);
    ASSERT_TRUE(b.is_ok());
    EXPECT_EQ(b->mutations.size(), batch_spanning_tables().mutations.size());
  }
  EXPECT_EQ(scratch.data(), grown) << "no reallocation once the scratch fits the largest batch";
  EXPECT_EQ(scratch.capacity(), capacity);
}

TEST(WalRecordView, CheckpointClearsAScratchLeftOverFromABatch) {
  std::vector<MutationView> scratch;
  ASSERT_TRUE(
      decode_payload_views(RecordKind::kBatch, 1, encode_payload(batch_spanning_tables()), &scratch)
          .is_ok());
  auto view = decode_payload_views(RecordKind::kCheckpoint, 9, "", &scratch);
  ASSERT_TRUE(view.is_ok());
  EXPECT_TRUE(view->mutations.empty());
  EXPECT_EQ(to_record(*view), checkpoint_record(9));
}

TEST(WalRecordView, BatchCountAboveTheBytesPresentReservesNothing) {
  std::string payload;
  coding::put_varint64(&payload, uint64_t{1} << 60);
  payload += "\x01\x01t\x01k\x01v";
  std::vector<MutationView> scratch;
  auto view = decode_payload_views(RecordKind::kBatch, 1, payload, &scratch);
  ASSERT_FALSE(view.is_ok());
  EXPECT_EQ(scratch.capacity(), 0u) << "the count is checked before reserving";
}

RC_GTEST_PROP(WalRecordViewProperty, AnyBatchAndAnyPrefixDecodeTheSameBothWays,
              (const std::vector<std::tuple<bool, std::string, std::string, std::string>>& ops,
               uint64_t sequence)) {
  RC_PRE(!ops.empty());
  const Record r = batch_of(ops, sequence);
  const std::string payload = encode_payload(r);
  std::vector<MutationView> scratch;
  auto view = decode_payload_views(r.kind, r.sequence, payload, &scratch);
  RC_ASSERT(view.is_ok());
  RC_ASSERT(to_record(*view) == r);
  const size_t cut = *rc::gen::inRange<size_t>(0, payload.size());
  const std::string_view prefix = std::string_view(payload).substr(0, cut);
  auto cut_view = decode_payload_views(r.kind, r.sequence, prefix, &scratch);
  auto cut_record = decode_payload(r.kind, r.sequence, prefix);
  RC_ASSERT(!cut_view.is_ok());
  RC_ASSERT(!cut_record.is_ok());
  RC_ASSERT(cut_view.status().message() == cut_record.status().message());
}

}  // namespace
}  // namespace dbx::wal::testing
