// read_log_views allocates nothing per record: the heap allocations of a read
// do not grow with the number of records. A binary of its own, because it
// replaces the global operator new to count.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>

#include "wal_test_util.h"

namespace {

std::atomic<uint64_t> g_allocations{0};

void* counted_allocation(std::size_t size) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}

}  // namespace

void* operator new(std::size_t size) { return counted_allocation(size); }
void* operator new[](std::size_t size) { return counted_allocation(size); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }

namespace dbx::wal::testing {
namespace {

Record batch_record(uint64_t sequence) {
  Record r;
  r.kind = RecordKind::kBatch;
  r.sequence = sequence;
  r.mutations.push_back(Mutation{false, "users", std::string(40, 'k'), std::string(300, 'v')});
  r.mutations.push_back(Mutation{true, "users", "bob", ""});
  r.mutations.push_back(Mutation{false, "orders", "o1", "x"});
  return r;
}

// A log of `count` records: inserts with heap-sized keys and values, a batch
// every tenth record, and a delete every seventh.
faultfs::SimFs& write_log(faultfs::SimFs& fs, uint64_t count) {
  auto writer = create_writer(fs);
  for (uint64_t seq = 1; seq <= count; ++seq) {
    if (seq % 10 == 0) {
      append_record(*writer, batch_record(seq));
    } else if (seq % 7 == 0) {
      append_record(*writer, delete_record(seq, "t", std::string(32, 'd')));
    } else {
      append_record(*writer, insert_record(seq, "kv", std::string(16, 'k'), std::string(100, 'v')));
    }
  }
  EXPECT_TRUE(writer->close().is_ok());
  return fs;
}

struct CountedRead {
  uint64_t allocations = 0;
  uint64_t records = 0;
  uint64_t user_bytes = 0;
};

CountedRead count_view_read(faultfs::SimFs& fs) {
  CountedRead out;
  // The visitor is built outside the counted span: only the read is measured.
  const RecordViewVisitor visit = [&out](const RecordView& view) {
    for (const MutationView& m : view.mutations) out.user_bytes += m.key.size() + m.value.size();
    return faultfs::Status();
  };
  const uint64_t before = g_allocations.load();
  auto summary = read_log_views(fs, kLogPath, TailMode::kStrict, 0, visit);
  out.allocations = g_allocations.load() - before;
  EXPECT_TRUE(summary.is_ok()) << summary.status().to_string();
  if (summary.is_ok()) out.records = summary->records_read;
  return out;
}

TEST(WalAlloc, ViewReadAllocationsDoNotGrowWithTheRecordCount) {
  faultfs::SimFs small_fs;
  faultfs::SimFs large_fs;
  const CountedRead small = count_view_read(write_log(small_fs, 100));
  const CountedRead large = count_view_read(write_log(large_fs, 20'000));
  ASSERT_EQ(small.records, 100u);
  ASSERT_EQ(large.records, 20'000u);
  EXPECT_GT(large.user_bytes, small.user_bytes);
  // Opening the file, one window buffer, one scratch vector: a constant.
  EXPECT_EQ(large.allocations, small.allocations);
  EXPECT_LE(large.allocations, 10u);
}

TEST(WalAlloc, RecordReadAllocatesPerRecordWhichIsWhatViewsAvoid) {
  // Pins the premise of read_log_views: the owning path pays per record.
  faultfs::SimFs fs;
  write_log(fs, 1000);
  const uint64_t before = g_allocations.load();
  auto summary =
      read_log(fs, kLogPath, TailMode::kStrict, 0, [](Record&) { return faultfs::Status(); });
  const uint64_t allocations = g_allocations.load() - before;
  ASSERT_TRUE(summary.is_ok());
  EXPECT_GE(allocations, 2 * summary->records_read);
}

}  // namespace
}  // namespace dbx::wal::testing
