// A record that a flush, a close or a background sync made durable is never
// dropped as a crash's torn tail: damaging it later is corruption.
#include <gtest/gtest.h>

#include <filesystem>
#include <thread>

#include "integrity_util.h"
#include "support/temp_dir.h"

namespace dbx::testing {
namespace {

namespace fs = std::filesystem;

class SyncedRecordTest : public ::testing::Test {
 protected:
  std::string dir() const { return tmp_.db(); }
  std::string wal() const { return dir() + "/wal.log"; }
  TempDir tmp_;
};

TEST_F(SyncedRecordTest, BitFlipAfterLazyBurstAndCleanCloseIsCorruption) {
  {
    auto db = Database::open(dir(), integrity_options());
    insert_rows(*db, 0, 2000);
    db->close();
  }
  flip_bit_in_record(wal(), 1000);
  expect_strict_corruption(dir(), {"wal.log"});
  {
    auto db = Database::open(dir(), integrity_options(RecoveryMode::kTolerateTail));
    EXPECT_EQ(expect_prefix(*db, 999), 999u);
    db->close();
  }
}

TEST_F(SyncedRecordTest, BitFlipAfterLazyBurstSkippedInSkipCorrupted) {
  {
    auto db = Database::open(dir(), integrity_options());
    insert_rows(*db, 0, 2000);
    db->close();
  }
  flip_bit_in_record(wal(), 1000);
  auto db = Database::open(dir(), integrity_options(RecoveryMode::kSkipCorrupted));
  EXPECT_EQ(db->count("t"), 1999u);
  EXPECT_FALSE(db->get("t", row_key(999)).has_value());
  EXPECT_TRUE(db->get("t", row_key(1999)).has_value());
  db->close();
}

// The image a power loss would leave right after a background sync, with no
// write after it: the files as they are while the handle is still open.
TEST_F(SyncedRecordTest, BitFlipRightAfterBackgroundSyncIsCorruption) {
  const std::string image = tmp_.root() + "/image";
  Options options = integrity_options();
  options.sync_interval = std::chrono::milliseconds(20);
  auto db = Database::open(dir(), options);
  insert_rows(*db, 0, 100);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  fs::copy(dir(), image, fs::copy_options::recursive);
  db->close();
  fs::remove(image + "/LOCK");
  flip_bit_in_record(image + "/wal.log", 100);
  expect_strict_corruption(image, {"wal.log"});
  auto tolerant = Database::open(image, integrity_options(RecoveryMode::kTolerateTail));
  EXPECT_EQ(expect_prefix(*tolerant, 99), 99u);
  tolerant->close();
}

// Without a sync nothing proves the last record durable: a crash may tear it.
TEST_F(SyncedRecordTest, UnsyncedTornRecordIsStillATornTail) {
  const std::string image = tmp_.root() + "/image";
  auto db = Database::open(dir(), integrity_options());
  insert_rows(*db, 0, 100);
  fs::copy(dir(), image, fs::copy_options::recursive);
  db->close();
  fs::remove(image + "/LOCK");
  flip_bit_in_record(image + "/wal.log", 100);
  auto reopened = Database::open(image, integrity_options());
  EXPECT_EQ(expect_prefix(*reopened, 99), 99u);
  reopened->close();
}

}  // namespace
}  // namespace dbx::testing
