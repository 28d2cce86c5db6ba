// FaultVfs: SQLite's file operations through a faultfs::FileSystem. What it
// owes SQLite (zero-filled short reads, locks, a WAL index), what it owes the
// crash model (a new journal's directory synced with its first sync, a
// delete's directory only when asked) and that no faultfs error reaches SQLite
// as success.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <cstring>
#include <memory>
#include <string>

#include "faultfs/fault_injection.h"
#include "faultfs/sim_fs.h"
#include "sqlite/fault_vfs.h"
#include "sqlite/vfs_locks.h"

namespace targets::sqlite::testing {
namespace {

// An sqlite3_file opened straight through the VFS's xOpen, closed at the end.
class RawFile {
 public:
  RawFile(FaultVfs& vfs, const char* path, int flags) : vfs_(sqlite3_vfs_find(vfs.name())) {
    file_ = static_cast<sqlite3_file*>(sqlite3_malloc(vfs_->szOsFile));
    rc_ = vfs_->xOpen(vfs_, path, file_, flags, nullptr);
  }
  ~RawFile() {
    if (rc_ == SQLITE_OK) {
      EXPECT_EQ(file_->pMethods->xClose(file_), SQLITE_OK);
    }
    sqlite3_free(file_);
  }
  int open_rc() const { return rc_; }
  const sqlite3_io_methods& io() const { return *file_->pMethods; }
  sqlite3_file* get() { return file_; }

 private:
  sqlite3_vfs* vfs_;
  sqlite3_file* file_;
  int rc_;
};

constexpr int kCreate = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;

TEST(FaultVfs, OneVfsPerFileSystemUnregisteredWithItsLastHolder) {
  faultfs::SimFs a;
  faultfs::SimFs b;
  std::shared_ptr<FaultVfs> first = FaultVfs::acquire(a);
  std::shared_ptr<FaultVfs> again = FaultVfs::acquire(a);
  std::shared_ptr<FaultVfs> other = FaultVfs::acquire(b);
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(first, again);
  EXPECT_STRNE(first->name(), other->name());
  const std::string name = first->name();
  ASSERT_NE(sqlite3_vfs_find(name.c_str()), nullptr);
  EXPECT_NE(sqlite3_vfs_find(nullptr), sqlite3_vfs_find(name.c_str())) << "never the default";
  first.reset();
  EXPECT_NE(sqlite3_vfs_find(name.c_str()), nullptr) << "still held";
  again.reset();
  EXPECT_EQ(sqlite3_vfs_find(name.c_str()), nullptr);
  EXPECT_NE(FaultVfs::acquire(a)->name(), name) << "a new registration, a new name";
}

TEST(FaultVfs, SqliteRoundTripsThroughSimFs) {
  faultfs::SimFs fs;
  ASSERT_TRUE(fs.mkdir("d").is_ok());
  auto vfs = FaultVfs::acquire(fs);
  for (int pass = 0; pass < 2; ++pass) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open_v2("d/x.db", &db, kCreate, vfs->name()), SQLITE_OK);
    const char* sql = pass == 0
                          ? "PRAGMA journal_mode=WAL; CREATE TABLE t(v); INSERT INTO t VALUES(42);"
                          : "SELECT 1";
    ASSERT_EQ(sqlite3_exec(db, sql, nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
    sqlite3_stmt* stmt = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(db, "SELECT v FROM t", -1, &stmt, nullptr), SQLITE_OK);
    ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW);
    EXPECT_EQ(sqlite3_column_int(stmt, 0), 42);
    sqlite3_finalize(stmt);
    ASSERT_EQ(sqlite3_close_v2(db), SQLITE_OK);
  }
  // The files are SimFs's; the closing checkpoint removed the WAL.
  const auto files = fs.live_files();
  EXPECT_EQ(files.count("d/x.db"), 1u);
  EXPECT_EQ(files.count("d/x.db-wal"), 0u);
  EXPECT_EQ(files.count("d/x.db-shm"), 0u) << "the WAL index lives in memory";
}

TEST(FaultVfs, ShortReadZeroFillsTheRestAndSaysSo) {
  faultfs::SimFs fs;
  auto vfs = FaultVfs::acquire(fs);
  RawFile f(*vfs, "f", kCreate | SQLITE_OPEN_MAIN_DB);
  ASSERT_EQ(f.open_rc(), SQLITE_OK);
  ASSERT_EQ(f.io().xWrite(f.get(), "abc", 3, 0), SQLITE_OK);
  char buf[8];
  std::memset(buf, 'x', sizeof buf);
  EXPECT_EQ(f.io().xRead(f.get(), buf, 8, 1), SQLITE_IOERR_SHORT_READ);
  EXPECT_EQ(std::string(buf, 8), std::string("bc\0\0\0\0\0\0", 8));
  EXPECT_EQ(f.io().xRead(f.get(), buf, 3, 0), SQLITE_OK);
  sqlite3_int64 size = 0;
  ASSERT_EQ(f.io().xFileSize(f.get(), &size), SQLITE_OK);
  EXPECT_EQ(size, 3);
}

TEST(FaultVfs, ANewJournalsFirstSyncAlsoSyncsItsDirectoryOnce) {
  faultfs::SimFs fs;
  ASSERT_TRUE(fs.mkdir("d").is_ok());
  auto vfs = FaultVfs::acquire(fs);
  {
    RawFile db(*vfs, "d/x.db", kCreate | SQLITE_OPEN_MAIN_DB);
    ASSERT_EQ(db.io().xSync(db.get(), SQLITE_SYNC_FULL), SQLITE_OK);
    EXPECT_EQ(fs.stats().dir_syncs, 0u) << "unixSync syncs no directory for a database file";
  }
  for (int type : {SQLITE_OPEN_WAL, SQLITE_OPEN_MAIN_JOURNAL}) {
    const uint64_t before = fs.stats().dir_syncs;
    RawFile journal(*vfs, type == SQLITE_OPEN_WAL ? "d/x.db-wal" : "d/x.db-journal",
                    kCreate | type);
    ASSERT_EQ(journal.io().xWrite(journal.get(), "j", 1, 0), SQLITE_OK);
    ASSERT_EQ(journal.io().xSync(journal.get(), SQLITE_SYNC_FULL), SQLITE_OK);
    EXPECT_EQ(fs.stats().dir_syncs, before + 1);
    ASSERT_EQ(journal.io().xSync(journal.get(), SQLITE_SYNC_FULL), SQLITE_OK);
    EXPECT_EQ(fs.stats().dir_syncs, before + 1) << "once per open";
  }
  // Opened without CREATE (a hot journal to roll back): nothing to make durable.
  const uint64_t before = fs.stats().dir_syncs;
  RawFile hot(*vfs, "d/x.db-journal", SQLITE_OPEN_READWRITE | SQLITE_OPEN_MAIN_JOURNAL);
  ASSERT_EQ(hot.io().xSync(hot.get(), SQLITE_SYNC_FULL), SQLITE_OK);
  EXPECT_EQ(fs.stats().dir_syncs, before);
}

TEST(FaultVfs, DeleteSyncsTheDirectoryOnlyWhenSqliteAsks) {
  faultfs::SimFs fs;
  ASSERT_TRUE(fs.mkdir("d").is_ok());
  auto vfs = FaultVfs::acquire(fs);
  sqlite3_vfs* v = sqlite3_vfs_find(vfs->name());
  for (const char* path : {"d/a", "d/b"}) {
    auto f = fs.open(path, faultfs::OpenMode::kCreate);
    ASSERT_TRUE(f.is_ok());
  }
  ASSERT_EQ(v->xDelete(v, "d/a", 0), SQLITE_OK);
  EXPECT_EQ(fs.stats().dir_syncs, 0u);
  ASSERT_EQ(v->xDelete(v, "d/b", 1), SQLITE_OK);
  EXPECT_EQ(fs.stats().dir_syncs, 1u);
  EXPECT_EQ(v->xDelete(v, "d/b", 0), SQLITE_IOERR_DELETE_NOENT) << "as unixDelete";
  int exists = 1;
  ASSERT_EQ(v->xAccess(v, "d/a", SQLITE_ACCESS_EXISTS, &exists), SQLITE_OK);
  EXPECT_EQ(exists, 0);
}

TEST(FaultVfs, AnEmptyFileDoesNotExistForSqliteButADirectoryDoes) {
  faultfs::SimFs fs;
  ASSERT_TRUE(fs.mkdir("d").is_ok());
  ASSERT_TRUE(fs.open("d/empty", faultfs::OpenMode::kCreate).is_ok());
  auto vfs = FaultVfs::acquire(fs);
  sqlite3_vfs* v = sqlite3_vfs_find(vfs->name());
  int out = -1;
  ASSERT_EQ(v->xAccess(v, "d/empty", SQLITE_ACCESS_EXISTS, &out), SQLITE_OK);
  EXPECT_EQ(out, 0) << "an empty journal is no hot journal (unixAccess)";
  ASSERT_EQ(v->xAccess(v, "d", SQLITE_ACCESS_EXISTS, &out), SQLITE_OK);
  EXPECT_EQ(out, 1);
  ASSERT_EQ(v->xAccess(v, "d/empty", SQLITE_ACCESS_READWRITE, &out), SQLITE_OK);
  EXPECT_EQ(out, 1);
}

class InjectedFault : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(faultfs::fiu_initialize().is_ok()); }
  void TearDown() override { faultfs::disable_all_faults(); }
};

TEST_F(InjectedFault, ASyncErrorReachesSqliteAsAnIoErrorNotSuccess) {
  faultfs::SimFs sim;
  faultfs::FaultInjectionFs fs(sim);
  auto vfs = FaultVfs::acquire(fs);
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2("x.db", &db, kCreate, vfs->name()), SQLITE_OK);
  sqlite3_extended_result_codes(db, 1);
  ASSERT_EQ(
      sqlite3_exec(db, "PRAGMA synchronous=FULL; CREATE TABLE t(v)", nullptr, nullptr, nullptr),
      SQLITE_OK);
  ASSERT_TRUE(faultfs::enable_fault(faultfs::FaultOp::kSync, faultfs::FaultKind::kIoError,
                                    /*once=*/true)
                  .is_ok());
  clear_last_vfs_error();
  EXPECT_EQ(sqlite3_exec(db, "INSERT INTO t VALUES(1)", nullptr, nullptr, nullptr),
            SQLITE_IOERR_FSYNC);
  EXPECT_NE(last_vfs_error().find("sync"), std::string::npos) << last_vfs_error();
  EXPECT_EQ(fs.injected(faultfs::FaultOp::kSync), 1u);
  ASSERT_TRUE(faultfs::enable_fault(faultfs::FaultOp::kWriteAt, faultfs::FaultKind::kNoSpace,
                                    /*once=*/true)
                  .is_ok());
  EXPECT_EQ(sqlite3_exec(db, "INSERT INTO t VALUES(2)", nullptr, nullptr, nullptr), SQLITE_FULL);
  EXPECT_EQ(sqlite3_close_v2(db), SQLITE_OK);
}

TEST_F(InjectedFault, AFailedOpenIsCantOpenAndAFailedReadAnIoError) {
  faultfs::SimFs sim;
  faultfs::FaultInjectionFs fs(sim);
  auto vfs = FaultVfs::acquire(fs);
  {
    RawFile f(*vfs, "f", kCreate | SQLITE_OPEN_MAIN_DB);
    ASSERT_EQ(f.io().xWrite(f.get(), "abc", 3, 0), SQLITE_OK);
    ASSERT_TRUE(faultfs::enable_fault(faultfs::FaultOp::kReadAt, faultfs::FaultKind::kIoError,
                                      /*once=*/true)
                    .is_ok());
    char buf[3];
    EXPECT_EQ(f.io().xRead(f.get(), buf, 3, 0), SQLITE_IOERR_READ);
    EXPECT_EQ(f.io().xRead(f.get(), buf, 3, 0), SQLITE_OK) << "once";
  }
  ASSERT_TRUE(faultfs::enable_fault(faultfs::FaultOp::kOpen, faultfs::FaultKind::kIoError,
                                    /*once=*/true)
                  .is_ok());
  RawFile g(*vfs, "g", kCreate | SQLITE_OPEN_MAIN_DB);
  EXPECT_EQ(g.open_rc(), SQLITE_CANTOPEN);
  EXPECT_EQ(g.get()->pMethods, nullptr) << "no xClose for a failed open";
}

TEST(VfsLockTable, ExclusiveWaitsForReadersAndKeepsNewOnesOut) {
  LockTable locks;
  int a = SQLITE_LOCK_NONE;
  int b = SQLITE_LOCK_NONE;
  int c = SQLITE_LOCK_NONE;
  ASSERT_EQ(locks.lock("db", &a, SQLITE_LOCK_SHARED), SQLITE_OK);
  ASSERT_EQ(locks.lock("db", &b, SQLITE_LOCK_SHARED), SQLITE_OK);
  ASSERT_EQ(locks.lock("db", &a, SQLITE_LOCK_RESERVED), SQLITE_OK);
  EXPECT_TRUE(locks.reserved("db"));
  EXPECT_EQ(locks.lock("db", &b, SQLITE_LOCK_RESERVED), SQLITE_BUSY) << "one writer";
  EXPECT_EQ(locks.lock("db", &a, SQLITE_LOCK_EXCLUSIVE), SQLITE_BUSY) << "b still reads";
  EXPECT_EQ(a, SQLITE_LOCK_PENDING);
  EXPECT_EQ(locks.lock("db", &c, SQLITE_LOCK_SHARED), SQLITE_BUSY) << "PENDING keeps readers out";
  ASSERT_EQ(locks.unlock("db", &b, SQLITE_LOCK_NONE), SQLITE_OK);
  EXPECT_EQ(locks.lock("db", &a, SQLITE_LOCK_EXCLUSIVE), SQLITE_OK);
  ASSERT_EQ(locks.lock("other", &c, SQLITE_LOCK_SHARED), SQLITE_OK) << "per path";
  EXPECT_EQ(locks.lock("other", &c, SQLITE_LOCK_EXCLUSIVE), SQLITE_OK);
  ASSERT_EQ(locks.unlock("db", &a, SQLITE_LOCK_SHARED), SQLITE_OK);
  EXPECT_FALSE(locks.reserved("db"));
  EXPECT_EQ(locks.lock("db", &b, SQLITE_LOCK_SHARED), SQLITE_OK);
}

TEST(VfsShmTable, ExclusiveExcludesSharedAndTheIndexGoesWithItsLastConnection) {
  ShmTable shm;
  ShmConn* a = shm.attach("db");
  ShmConn* b = shm.attach("db");
  void* region = nullptr;
  ASSERT_EQ(shm.map(a, 0, 32768, /*extend=*/false, &region), SQLITE_OK);
  EXPECT_EQ(region, nullptr) << "not extended yet";
  ASSERT_EQ(shm.map(a, 0, 32768, /*extend=*/true, &region), SQLITE_OK);
  ASSERT_NE(region, nullptr);
  static_cast<char*>(region)[0] = 7;
  void* seen = nullptr;
  ASSERT_EQ(shm.map(b, 0, 32768, false, &seen), SQLITE_OK);
  EXPECT_EQ(seen, region) << "one index shared by both";
  ASSERT_EQ(shm.lock(a, 3, 1, SQLITE_SHM_LOCK | SQLITE_SHM_SHARED), SQLITE_OK);
  EXPECT_EQ(shm.lock(b, 3, 1, SQLITE_SHM_LOCK | SQLITE_SHM_EXCLUSIVE), SQLITE_BUSY);
  EXPECT_EQ(shm.lock(b, 0, 3, SQLITE_SHM_LOCK | SQLITE_SHM_EXCLUSIVE), SQLITE_OK);
  EXPECT_EQ(shm.lock(a, 1, 1, SQLITE_SHM_LOCK | SQLITE_SHM_SHARED), SQLITE_BUSY);
  ASSERT_EQ(shm.lock(b, 0, 3, SQLITE_SHM_UNLOCK | SQLITE_SHM_EXCLUSIVE), SQLITE_OK);
  EXPECT_EQ(shm.lock(a, 1, 1, SQLITE_SHM_LOCK | SQLITE_SHM_SHARED), SQLITE_OK);
  shm.detach(a);  // Drops a's locks with it.
  EXPECT_EQ(shm.lock(b, 3, 1, SQLITE_SHM_LOCK | SQLITE_SHM_EXCLUSIVE), SQLITE_OK);
  shm.detach(b);
  ShmConn* c = shm.attach("db");
  ASSERT_EQ(shm.map(c, 0, 32768, true, &region), SQLITE_OK);
  EXPECT_EQ(static_cast<char*>(region)[0], 0) << "a new index starts zeroed: SQLite rebuilds it";
  shm.detach(c);
}

}  // namespace
}  // namespace targets::sqlite::testing
