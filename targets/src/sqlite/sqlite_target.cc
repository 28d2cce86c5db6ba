#include "sqlite/sqlite_target.h"

#include <sqlite3.h>

#include <algorithm>
#include <mutex>
#include <string>

#include "faultfs/status_macros.h"
#include "sqlite/fault_vfs.h"
#include "sqlite/sqlite_connection.h"
#include "sqlite/sqlite_status.h"

namespace targets {

using faultfs::ErrorCode;
using faultfs::Result;
using faultfs::Status;
using sqlite::Connection;

namespace {

constexpr const char* kDbName = "db.sqlite";
constexpr uint64_t kPageBytes = 4096;               // SQLite's default page size.
constexpr uint64_t kAutoCheckpointPagesMax = 1000;  // SQLite's default.

bool is_wal(SqliteMode mode) { return mode == SqliteMode::kWalFull || mode == SqliteMode::kWalOff; }

const char* synchronous_pragma(SqliteMode mode) {
  switch (mode) {
    case SqliteMode::kWalOff:
      return "PRAGMA synchronous=OFF";
    case SqliteMode::kDeleteExtra:
      return "PRAGMA synchronous=EXTRA";
    case SqliteMode::kWalFull:
    case SqliteMode::kDeleteFull:
      break;
  }
  return "PRAGMA synchronous=FULL";
}

std::vector<std::string> outcome_labels(SqliteMode mode) {
  if (is_wal(mode)) return {"clean", "wal_present"};
  return {"clean", "journal_present"};
}

// Whether recovery will find `path` with content (a hot journal or a WAL to
// replay): the target's own account for the reach table.
Result<bool> has_content(faultfs::FileSystem& fs, const std::string& path) {
  auto size = fs.file_size(path);
  if (size.is_ok()) return size.value() > 0;
  if (size.status().code() == ErrorCode::kNotFound) return false;
  return size.status();
}

class SqliteTarget final : public Target {
 public:
  SqliteTarget(SqliteMode mode, const TargetTuning& tuning) : mode_(mode), tuning_(tuning) {}
  ~SqliteTarget() override {
    // A destroyed handle closes as a process exit would: errors go nowhere.
    close().ignore_error();
  }

  [[nodiscard]] Status open(faultfs::FileSystem& fs, const std::string& dir,
                            Durability durability) override;
  [[nodiscard]] Result<uint64_t> apply(const Write& write) override;
  [[nodiscard]] Status background(std::chrono::nanoseconds) override { return Status::ok(); }
  [[nodiscard]] Status flush() override;
  [[nodiscard]] Result<State> read_all() override;
  [[nodiscard]] Status close() override;
  bool is_open() const override {
    std::lock_guard lock(mu_);
    return conn_ != nullptr;
  }
  std::vector<std::string> recovery_outcomes() const override {
    std::lock_guard lock(mu_);
    return conn_ != nullptr ? outcomes_ : std::vector<std::string>{};
  }

 private:
  [[nodiscard]] Status note_outcome(faultfs::FileSystem& fs, const std::string& dir);
  [[nodiscard]] Status configure();
  [[nodiscard]] Result<uint64_t> apply_locked(const Write& write);

  const SqliteMode mode_;
  const TargetTuning tuning_;
  mutable std::mutex mu_;
  std::unique_ptr<Connection> conn_;
  std::vector<std::string> outcomes_;
};

Status SqliteTarget::note_outcome(faultfs::FileSystem& fs, const std::string& dir) {
  const std::string db = faultfs::join_path(dir, kDbName);
  const char* label = is_wal(mode_) ? "wal_present" : "journal_present";
  ASSIGN_OR_RETURN(bool found, has_content(fs, db + (is_wal(mode_) ? "-wal" : "-journal")));
  outcomes_ = {found ? label : "clean"};
  return Status::ok();
}

Status SqliteTarget::open(faultfs::FileSystem& fs, const std::string& dir, Durability) {
  std::lock_guard lock(mu_);
  if (conn_ != nullptr) return Status(ErrorCode::kInvalidArgument, "target already open");
  ASSIGN_OR_RETURN(bool exists, fs.exists(dir));
  if (!exists) {
    // As a careful application: the new directory's own entry is durable
    // before anything is stored in it.
    RETURN_IF_ERROR(fs.mkdir(dir));
    RETURN_IF_ERROR(fs.sync_dir(faultfs::parent_path(dir)));
  }
  RETURN_IF_ERROR(note_outcome(fs, dir));
  ASSIGN_OR_RETURN(conn_, Connection::open(fs, faultfs::join_path(dir, kDbName)));
  Status s = configure();
  if (!s.is_ok()) {
    conn_->close().ignore_error();  // The configuration's error is the one to report.
    conn_.reset();
  }
  return s;
}

Status SqliteTarget::configure() {
  const bool wal = is_wal(mode_);
  ASSIGN_OR_RETURN(std::string journal, conn_->query_text(wal ? "PRAGMA journal_mode=WAL"
                                                              : "PRAGMA journal_mode=DELETE"));
  if (journal != (wal ? "wal" : "delete")) {
    return Status(ErrorCode::kIoError, "SQLite refused the journal mode; it kept " + journal);
  }
  RETURN_IF_ERROR(conn_->exec(synchronous_pragma(mode_)));
  if (wal) {
    // The harness's scaled-down checkpoint threshold, in pages, so that short
    // histories crash inside automatic checkpoints too.
    const uint64_t pages = std::clamp<uint64_t>(tuning_.delta_flush_threshold_bytes / kPageBytes, 1,
                                                kAutoCheckpointPagesMax);
    RETURN_IF_ERROR(conn_->exec("PRAGMA wal_autocheckpoint=" + std::to_string(pages)));
  }
  // One transaction: a crash leaves the schema whole or absent.
  RETURN_IF_ERROR(conn_->exec(
      "BEGIN IMMEDIATE;"
      "CREATE TABLE IF NOT EXISTS kv(tbl TEXT, k BLOB, v BLOB, PRIMARY KEY(tbl, k)) WITHOUT ROWID;"
      "CREATE TABLE IF NOT EXISTS meta(seq INTEGER);"
      "INSERT INTO meta(seq) SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM meta);"
      "COMMIT;"));
  return conn_->prepare_statements();
}

Result<uint64_t> SqliteTarget::apply(const Write& write) {
  std::lock_guard lock(mu_);
  if (conn_ == nullptr) return Status(ErrorCode::kInvalidArgument, "target not open");
  if (write.empty()) return Status(ErrorCode::kInvalidArgument, "empty write");
  return apply_locked(write);
}

Result<uint64_t> SqliteTarget::apply_locked(const Write& write) {
  // IMMEDIATE: the write lock first, so that a busy database refuses the
  // write before anything of it is stored.
  RETURN_IF_ERROR(conn_->exec("BEGIN IMMEDIATE"));
  Status s;
  for (const Op& op : write) {
    s = op.kind == OpKind::kPut ? conn_->put(op.table, op.key, op.value)
                                : conn_->del(op.table, op.key);
    if (!s.is_ok()) break;
  }
  Result<uint64_t> seq = s.is_ok() ? conn_->bump_seq() : Result<uint64_t>(s);
  if (seq.is_ok()) s = conn_->exec("COMMIT");
  if (seq.is_ok() && s.is_ok()) return seq;
  return conn_->rollback_after(seq.is_ok() ? s : seq.status());
}

Status SqliteTarget::flush() {
  std::lock_guard lock(mu_);
  if (conn_ == nullptr) return Status(ErrorCode::kInvalidArgument, "target not open");
  // Rollback mode: every COMMIT already wrote and synced the database file.
  if (!is_wal(mode_)) return Status::ok();
  return conn_->checkpoint();
}

Result<State> SqliteTarget::read_all() {
  std::lock_guard lock(mu_);
  if (conn_ == nullptr) return Status(ErrorCode::kInvalidArgument, "target not open");
  return conn_->scan();
}

Status SqliteTarget::close() {
  std::lock_guard lock(mu_);
  if (conn_ == nullptr) return Status::ok();
  Status s = conn_->close();
  // The handle is released either way; a failed close is reported once.
  conn_.reset();
  return s;
}

TargetInfo info(const char* name, const char* description, SqliteMode mode, bool known_bug) {
  TargetInfo out;
  out.name = name;
  out.description = description;
  out.known_bug = known_bug;
  out.durabilities = {Durability::kFull};
  out.make = [mode](const TargetTuning& tuning) { return make_sqlite_target(mode, tuning); };
  out.recovery_outcomes = outcome_labels(mode);
  // SQLite has no background threads and creates no directory: the target
  // makes its directory durably itself (open), as an application would.
  return out;
}

}  // namespace

std::unique_ptr<Target> make_sqlite_target(SqliteMode mode, const TargetTuning& tuning) {
  return std::make_unique<SqliteTarget>(mode, tuning);
}

std::vector<TargetInfo> sqlite_target_infos() {
  std::vector<TargetInfo> out;
  out.push_back(info("sqlite-wal-full",
                     "SQLite " SQLITE_VERSION
                     " through the faultfs VFS, journal_mode=WAL, synchronous=FULL",
                     SqliteMode::kWalFull, false));
  out.push_back(info("sqlite-delete-full",
                     "SQLite " SQLITE_VERSION
                     " through the faultfs VFS, journal_mode=DELETE (rollback journal), "
                     "synchronous=FULL (its commit's journal unlink is not synced: "
                     "targets/sqlite/FINDINGS.md)",
                     SqliteMode::kDeleteFull, false));
  out.push_back(info("sqlite-delete-extra",
                     "SQLite " SQLITE_VERSION
                     " through the faultfs VFS, journal_mode=DELETE, synchronous=EXTRA (syncs "
                     "the directory after the commit's journal unlink)",
                     SqliteMode::kDeleteExtra, false));
  out.push_back(info("sqlite-wal-off",
                     "SQLite with journal_mode=WAL and synchronous=OFF (never fsyncs), judged as "
                     "Full: acknowledged writes are lost on power loss",
                     SqliteMode::kWalOff, true));
  return out;
}

}  // namespace targets
