// Payload encoding of logical WAL records: round trips and rejections.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "util/coding.h"
#include "wal_test_util.h"

namespace dbx::wal::testing {
namespace {

void expect_round_trip(const Record& r) {
  ASSERT_TRUE(well_formed(r));
  const std::string payload = encode_payload(r);
  auto decoded = decode_payload(r.kind, r.sequence, payload);
  ASSERT_TRUE(decoded.is_ok()) << decoded.status().to_string();
  EXPECT_EQ(*decoded, r);
}

void expect_rejected(RecordKind kind, std::string_view payload, std::string_view needle) {
  auto decoded = decode_payload(kind, 1, payload);
  ASSERT_FALSE(decoded.is_ok());
  EXPECT_EQ(decoded.status().code(), faultfs::ErrorCode::kInvalidArgument);
  EXPECT_NE(decoded.status().message().find(needle), std::string::npos)
      << decoded.status().message();
}

TEST(WalRecord, EveryKindRoundTrips) {
  expect_round_trip(insert_record(1, "t", "k", "v"));
  expect_round_trip(delete_record(2, "t", "k"));
  expect_round_trip(batch_spanning_tables());
  expect_round_trip(checkpoint_record(7));
}

TEST(WalRecord, BinaryKeysWithNulAndEmptyValuesRoundTrip) {
  expect_round_trip(insert_record(3, std::string("t\0b", 3), std::string("\0\0k\0", 4), ""));
  expect_round_trip(insert_record(4, "", "", ""));
  expect_round_trip(insert_record(5, "t", "k", std::string(300, '\0')));
}

TEST(WalRecord, CheckpointPayloadIsEmpty) {
  EXPECT_TRUE(encode_payload(checkpoint_record(9)).empty());
}

TEST(WalRecord, EveryTruncationOfEveryKindIsRejected) {
  for (const Record& r : {insert_record(1, "table", "key", "value"), delete_record(2, "tb", "k"),
                          batch_spanning_tables()}) {
    const std::string payload = encode_payload(r);
    for (size_t cut = 0; cut < payload.size(); ++cut) {
      auto decoded = decode_payload(r.kind, r.sequence, std::string_view(payload).substr(0, cut));
      ASSERT_FALSE(decoded.is_ok()) << record_kind_name(r.kind) << " cut at " << cut;
      EXPECT_EQ(decoded.status().code(), faultfs::ErrorCode::kInvalidArgument);
    }
  }
}

TEST(WalRecord, TrailingBytesAreRejected) {
  expect_rejected(RecordKind::kInsert, encode_payload(insert_record(1, "t", "k", "v")) + "x",
                  "trailing");
  expect_rejected(RecordKind::kBatch, encode_payload(batch_spanning_tables()) + '\0', "trailing");
  expect_rejected(RecordKind::kCheckpoint, "\x01", "trailing");
}

TEST(WalRecord, BatchCountAboveTheBytesPresentIsRejectedBeforeAllocating) {
  std::string payload;
  coding::put_varint64(&payload, uint64_t{1} << 60);
  payload += "\x01\x01t\x01k\x01v";
  expect_rejected(RecordKind::kBatch, payload, "exceeds");
}

TEST(WalRecord, BatchCountOneMoreThanEncodedIsRejected) {
  Record r = batch_spanning_tables();
  std::string payload = encode_payload(r);
  // The count is the first byte (4 < 128); claim one mutation more.
  payload[0] = static_cast<char>(r.mutations.size() + 1);
  auto decoded = decode_payload(RecordKind::kBatch, 1, payload);
  EXPECT_FALSE(decoded.is_ok());
}

TEST(WalRecord, EmptyBatchIsRejected) {
  expect_rejected(RecordKind::kBatch, std::string(1, '\0'), "count is 0");
}

TEST(WalRecord, UnknownBatchOpIsRejected) {
  expect_rejected(RecordKind::kBatch, std::string("\x01\x07\x01t\x01k", 6), "unknown op 7");
}

TEST(WalRecord, DeletePayloadDecodedAsInsertIsRejected) {
  // Wrong arity for the kind: a delete has no value field.
  expect_rejected(RecordKind::kInsert, encode_payload(delete_record(1, "t", "k")), "value");
}

TEST(WalRecord, UnknownKindIsRejected) {
  auto decoded = decode_payload(static_cast<RecordKind>(9), 1, "");
  ASSERT_FALSE(decoded.is_ok());
  EXPECT_EQ(decoded.status().code(), faultfs::ErrorCode::kInvalidArgument);
}

TEST(WalRecord, MalformedRecordsAreNotWellFormed) {
  Record two_inserts = insert_record(1, "t", "k", "v");
  two_inserts.mutations.push_back(two_inserts.mutations[0]);
  EXPECT_FALSE(well_formed(two_inserts));
  Record empty_batch;
  empty_batch.kind = RecordKind::kBatch;
  EXPECT_FALSE(well_formed(empty_batch));
  Record delete_as_insert = delete_record(1, "t", "k");
  delete_as_insert.kind = RecordKind::kInsert;
  EXPECT_FALSE(well_formed(delete_as_insert));
  Record checkpoint_with_data = checkpoint_record(1);
  checkpoint_with_data.mutations.push_back(Mutation{});
  EXPECT_FALSE(well_formed(checkpoint_with_data));
}

RC_GTEST_PROP(WalRecordProperty, AnyWellFormedBatchRoundTrips,
              (const std::vector<std::tuple<bool, std::string, std::string, std::string>>& ops,
               uint64_t sequence)) {
  RC_PRE(!ops.empty());
  const Record r = batch_of(ops, sequence);
  const std::string payload = encode_payload(r);
  auto decoded = decode_payload(r.kind, r.sequence, payload);
  RC_ASSERT(decoded.is_ok());
  RC_ASSERT(*decoded == r);
  // Any strict prefix is rejected: no truncation decodes to a smaller batch.
  const size_t cut = *rc::gen::inRange<size_t>(0, payload.size());
  RC_ASSERT(!decode_payload(r.kind, r.sequence, std::string_view(payload).substr(0, cut)).is_ok());
}

}  // namespace
}  // namespace dbx::wal::testing
