// Crafted on-disk lengths must never size an allocation. This binary replaces
// the global operator new to record the largest single allocation, so it runs
// on its own (the other WOS tests allocate 16 MiB values on purpose).
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>

#include "faultfs/crc32c.h"
#include "util/coding.h"
#include "wos/wos_format.h"
#include "wos_test_util.h"

namespace {
std::atomic<size_t> largest_allocation_bytes{0};
}  // namespace

// Kept out of line: inlined into a caller, GCC pairs the malloc/free inside
// with the caller's new/delete and reports a mismatch that is not there.
[[gnu::noinline]] void* operator new(size_t size) {
  size_t seen = largest_allocation_bytes.load();
  while (size > seen && !largest_allocation_bytes.compare_exchange_weak(seen, size)) {
  }
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
[[gnu::noinline]] void operator delete(void* p) noexcept { std::free(p); }
[[gnu::noinline]] void operator delete(void* p, size_t) noexcept { std::free(p); }

namespace dbx::wos::testing {
namespace {

// Every allocation while opening a tiny store with a crafted length stays far
// below the crafted length: the limit check comes first.
constexpr size_t kAllocationBytesMax = 4 * kReadChunkBytes;

std::unique_ptr<faultfs::SimFs> one_entry_store() {
  auto fs = make_fs();
  auto store = open_ok(*fs);
  Delta delta;
  delta.put("t", "k", "v");
  expect_ok(store->apply(delta, 1));
  return fs;
}

TEST(WosAlloc, CraftedFourGibValueLengthWithValidChecksumDoesNotAllocate) {
  auto fs = one_entry_store();
  std::string db = sim_bytes(*fs, kDbPath);
  char* entry = db.data() + kDbHeaderBytes;
  coding::encode_fixed32(entry + 12, 0xffffffffu);
  const size_t size = entry_bytes(1, 1, 1);
  coding::encode_fixed32(entry, faultfs::crc32c::mask(faultfs::crc32c::value(entry + 4, size - 4)));
  set_contents(*fs, kDbPath, db);
  largest_allocation_bytes = 0;
  auto store = WosStore::open(*fs, kWosDir);
  EXPECT_FALSE(store.is_ok());
  EXPECT_EQ(store.status().code(), faultfs::ErrorCode::kCorruption);
  EXPECT_LT(largest_allocation_bytes.load(), kAllocationBytesMax);
}

TEST(WosAlloc, CraftedFourGibKeyLengthDoesNotAllocate) {
  auto fs = one_entry_store();
  std::string db = sim_bytes(*fs, kDbPath);
  coding::encode_fixed32(db.data() + kDbHeaderBytes + 8, 0xfffffff0u);
  set_contents(*fs, kDbPath, db);
  largest_allocation_bytes = 0;
  auto store = WosStore::open(*fs, kWosDir);
  EXPECT_FALSE(store.is_ok());
  EXPECT_EQ(store.status().code(), faultfs::ErrorCode::kCorruption);
  EXPECT_LT(largest_allocation_bytes.load(), kAllocationBytesMax);
}

TEST(WosAlloc, CraftedFourGibConfLengthsDoNotAllocate) {
  auto fs = one_entry_store();
  Conf conf;
  conf.generation = 1;
  conf.db_length = uint64_t{4} << 30;
  conf.live_bytes = (uint64_t{4} << 30) - kDbHeaderBytes;
  conf.live_entries = uint64_t{1} << 32;
  set_contents(*fs, kConfPath, encode_conf(conf));
  largest_allocation_bytes = 0;
  auto store = WosStore::open(*fs, kWosDir);
  EXPECT_FALSE(store.is_ok());
  EXPECT_EQ(store.status().code(), faultfs::ErrorCode::kCorruption);
  EXPECT_LT(largest_allocation_bytes.load(), kAllocationBytesMax);
}

TEST(WosAlloc, HugeConfFileIsRejectedWithoutReadingIt) {
  auto fs = one_entry_store();
  set_contents(*fs, kConfPath, std::string(8 << 20, 'c'));
  largest_allocation_bytes = 0;
  auto store = WosStore::open(*fs, kWosDir);
  EXPECT_FALSE(store.is_ok());
  EXPECT_EQ(store.status().code(), faultfs::ErrorCode::kCorruption);
  EXPECT_LT(largest_allocation_bytes.load(), kAllocationBytesMax);
}

}  // namespace
}  // namespace dbx::wos::testing
