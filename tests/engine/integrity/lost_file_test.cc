// A store or a log lost, replaced or restored from an earlier point: the open
// must never serve a state the write history could not have produced, and a
// strict open reports every loss as corruption naming both files.
#include <gtest/gtest.h>

#include <filesystem>

#include "integrity_util.h"
#include "support/temp_dir.h"

namespace dbx::testing {
namespace {

namespace fs = std::filesystem;

class LostFileTest : public ::testing::Test {
 protected:
  std::string dir() const { return tmp_.db(); }
  std::string wal() const { return dir() + "/wal.log"; }
  std::string wos() const { return dir() + "/wos"; }

  // Rows [0, 500) checkpointed, rows [500, 1000) only in the log, clean close.
  void write_checkpoint_then_log() {
    auto db = Database::open(dir(), integrity_options());
    insert_rows(*db, 0, 500);
    db->flush();
    insert_rows(*db, 500, 1000);
    db->close();
  }

  // In kTolerateTail and kSkipCorrupted the log's surviving prefix is served
  // over the store, and a strict open afterwards accepts the recorded loss.
  void expect_tolerated_log_loss(RecoveryMode mode) {
    {
      auto db = Database::open(dir(), integrity_options(mode));
      expect_prefix(*db, 500);
      db->insert("t", row_key(5000), "later");
      db->close();
    }
    auto db = Database::open(dir(), integrity_options());
    EXPECT_EQ(db->get("t", row_key(5000)), "later");
    db->close();
  }

  TempDir tmp_;
};

TEST_F(LostFileTest, WosDeletedBesideACutLogIsCorruption) {
  write_checkpoint_then_log();
  fs::remove_all(wos());
  expect_strict_corruption(dir(), {"wal.log", "conf"});
  // No prefix exists without the store: tolerating a tail cannot help.
  EXPECT_EQ(open_error(dir(), integrity_options(RecoveryMode::kTolerateTail))->code(),
            ErrorCode::kCorruption);
}

TEST_F(LostFileTest, OlderWosRestoredBesideNewerLogIsCorruption) {
  const std::string saved = tmp_.root() + "/saved-wos";
  {
    auto db = Database::open(dir(), integrity_options());
    insert_rows(*db, 0, 500);
    db->flush();
    fs::copy(wos(), saved, fs::copy_options::recursive);
    insert_rows(*db, 500, 1000);
    db->flush();
    insert_rows(*db, 1000, 1500);
    db->close();
  }
  fs::remove_all(wos());
  fs::copy(saved, wos(), fs::copy_options::recursive);
  expect_strict_corruption(dir(), {"wal.log", "conf", "500", "1000"});
  EXPECT_EQ(open_error(dir(), integrity_options(RecoveryMode::kTolerateTail))->code(),
            ErrorCode::kCorruption);
}

TEST_F(LostFileTest, ConfReplacedByAnOlderOneIsCorruption) {
  const std::string saved = tmp_.root() + "/saved-conf";
  {
    auto db = Database::open(dir(), integrity_options());
    insert_rows(*db, 0, 500);
    db->flush();
    fs::copy_file(wos() + "/conf", saved);
    insert_rows(*db, 500, 1000);
    db->flush();
    insert_rows(*db, 1000, 1100);
    db->close();
  }
  fs::copy_file(saved, wos() + "/conf", fs::copy_options::overwrite_existing);
  expect_strict_corruption(dir(), {"wal.log", "conf", "500", "1000"});
}

TEST_F(LostFileTest, WalDeletedWithRecordsAboveTheCheckpointIsCorruption) {
  write_checkpoint_then_log();
  fs::remove(wal());
  expect_strict_corruption(dir(), {"wal.log", "conf"});
  expect_tolerated_log_loss(RecoveryMode::kTolerateTail);
}

TEST_F(LostFileTest, WalZeroedWithRecordsAboveTheCheckpointIsCorruption) {
  write_checkpoint_then_log();
  write_bytes(wal(), std::string(fs::file_size(wal()), '\0'));
  expect_strict_corruption(dir(), {"wal.log", "conf"});
  expect_tolerated_log_loss(RecoveryMode::kSkipCorrupted);
}

TEST_F(LostFileTest, WalEmptiedWithRecordsAboveTheCheckpointIsCorruption) {
  write_checkpoint_then_log();
  fs::resize_file(wal(), 0);
  expect_strict_corruption(dir(), {"wal.log", "conf"});
  expect_tolerated_log_loss(RecoveryMode::kTolerateTail);
}

TEST_F(LostFileTest, WalTruncatedInsideItsRecordsIsCorruption) {
  write_checkpoint_then_log();
  const std::string log = read_bytes(wal());
  const int64_t record_750 = wal_frame_offset(log, 750);
  ASSERT_GT(record_750, 0);
  fs::resize_file(wal(), static_cast<uintmax_t>(record_750) + 13);
  expect_strict_corruption(dir(), {"wal.log", "conf", "1000"});
  {
    auto db = Database::open(dir(), integrity_options(RecoveryMode::kTolerateTail));
    EXPECT_EQ(expect_prefix(*db, 500), 749u);
    db->close();
  }
  expect_tolerated_log_loss(RecoveryMode::kTolerateTail);
}

TEST_F(LostFileTest, WalReplacedByGarbageIsCorruption) {
  write_checkpoint_then_log();
  std::string garbage(fs::file_size(wal()), 'x');
  write_bytes(wal(), garbage);
  expect_strict_corruption(dir(), {"wal.log"});
}

TEST_F(LostFileTest, UndamagedDatabaseStillOpensStrict) {
  write_checkpoint_then_log();
  auto db = Database::open(dir(), integrity_options());
  EXPECT_EQ(expect_prefix(*db, 1000), 1000u);
  db->close();
}

// None writes no records, yet its header-only log, rewritten at each
// checkpoint, still vouches for the store.
Options none_options() {
  Options options = integrity_options();
  options.durability = Durability::kNone;
  return options;
}

TEST_F(LostFileTest, NoneModeWosDeletedBesideItsHeaderOnlyLogIsCorruption) {
  {
    auto db = Database::open(dir(), none_options());
    insert_rows(*db, 0, 500);
    db->flush();
    insert_rows(*db, 500, 600);
    db->close();
  }
  // A header and one checkpoint record: no records, nothing preallocated.
  EXPECT_LE(fs::file_size(wal()), 4096u);
  fs::remove_all(wos());
  const std::optional<Error> error = open_error(dir(), none_options());
  ASSERT_TRUE(error.has_value()) << "None open of a database without its store succeeded";
  EXPECT_EQ(error->code(), ErrorCode::kCorruption) << error->what();
  EXPECT_NE(std::string(error->what()).find("conf"), std::string::npos) << error->what();
}

TEST_F(LostFileTest, NoneModeOlderWosRestoredIsCorruption) {
  const std::string saved = tmp_.root() + "/saved-wos";
  {
    auto db = Database::open(dir(), none_options());
    insert_rows(*db, 0, 500);
    db->flush();
    fs::copy(wos(), saved, fs::copy_options::recursive);
    insert_rows(*db, 500, 1000);
    db->close();
  }
  fs::remove_all(wos());
  fs::copy(saved, wos(), fs::copy_options::recursive);
  const std::optional<Error> error = open_error(dir(), none_options());
  ASSERT_TRUE(error.has_value()) << "None open of a rolled-back store succeeded";
  EXPECT_EQ(error->code(), ErrorCode::kCorruption) << error->what();
  EXPECT_NE(std::string(error->what()).find("500"), std::string::npos) << error->what();
}

// A None database from before the header-only log (no wal.log) loses nothing
// by it: it opens with every flushed row and gains the file.
TEST_F(LostFileTest, NoneModeDatabaseWithoutALogStillOpens) {
  {
    auto db = Database::open(dir(), none_options());
    insert_rows(*db, 0, 300);
    db->close();
  }
  fs::remove(wal());
  {
    auto db = Database::open(dir(), none_options());
    EXPECT_EQ(expect_prefix(*db, 300), 300u);
    db->close();
  }
  EXPECT_TRUE(fs::exists(wal()));
  auto db = Database::open(dir(), integrity_options());
  EXPECT_EQ(expect_prefix(*db, 300), 300u);
  db->close();
}

}  // namespace
}  // namespace dbx::testing
