#include "oracle/history.h"

#include <algorithm>
#include <cassert>
#include <string>

#include "faultfs/status_macros.h"
#include "history_log.h"
#include "sqlite_db.h"

namespace oracle {

using faultfs::ErrorCode;
using faultfs::Result;
using faultfs::Status;

namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS writes(
  seq INTEGER PRIMARY KEY,
  state INTEGER NOT NULL,
  op_count INTEGER NOT NULL,
  error TEXT,
  engine_seq INTEGER NOT NULL DEFAULT 0,
  issued_ns INTEGER NOT NULL DEFAULT 0,
  acked_ns INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS keys(
  key_id INTEGER PRIMARY KEY,
  tbl BLOB NOT NULL,
  key BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS ops(
  op_id INTEGER PRIMARY KEY,
  seq INTEGER NOT NULL,
  key_id INTEGER NOT NULL,
  value BLOB,
  live INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS events(
  event_id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL,
  seq INTEGER NOT NULL,
  ok INTEGER NOT NULL,
  detail TEXT NOT NULL);
)sql";

// PRAGMA user_version of a log with the schema above and its time columns.
constexpr uint64_t kSchemaVersion = 1;
constexpr const char* kSetSchemaVersion = "PRAGMA user_version = 1";
static_assert(kSchemaVersion == 1, "kSetSchemaVersion spells the version");

}  // namespace

const char* sync_kind_name(SyncKind kind) {
  switch (kind) {
    case SyncKind::kSync:
      return "sync";
    case SyncKind::kFlush:
      return "flush";
    case SyncKind::kClose:
      return "close";
  }
  return "?";
}

Result<std::unique_ptr<History>> History::open(const std::string& path) {
  return open(path, Options{});
}

Result<std::unique_ptr<History>> History::open(const std::string& path, const Options& options) {
  if (options.records_per_txn_max == 0) {
    return Status(ErrorCode::kInvalidArgument, "records_per_txn_max must be positive");
  }
  ASSIGN_OR_RETURN(auto db, sql::Db::open(path));
  // Before the WAL is first used: the WAL index then lives on the heap.
  if (options.exclusive) RETURN_IF_ERROR(db->exec("PRAGMA locking_mode=EXCLUSIVE;"));
  RETURN_IF_ERROR(
      db->exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA temp_store=MEMORY;"
               " PRAGMA cache_size=-65536;"));
  std::unique_ptr<History> history(new History(std::move(db), options));
  RETURN_IF_ERROR(history->ensure_schema());
  RETURN_IF_ERROR(history->prepare_statements());
  RETURN_IF_ERROR(history->load_key_ids());
  ASSIGN_OR_RETURN(auto summary, history->summarize_log(history->tracker_.get()));
  history->summary_ = summary;
  RETURN_IF_ERROR(history->load_acks());
  auto engine_max =
      detail::query_u64(*history->db_, "SELECT max(engine_seq) FROM writes WHERE state = 1");
  if (!engine_max.is_ok()) return engine_max.status();
  history->engine_acked_max_ = engine_max.value();
  ASSIGN_OR_RETURN(auto seq_max, detail::query_u64(*history->db_, "SELECT max(seq) FROM writes"));
  history->seq_next_ = seq_max + 1;
  return history;
}

// A log this code created carries kSchemaVersion and needs no DDL: parsing
// the schema again cost a fork child a tenth of its kill cycle. Any other
// (none yet, or one written before acknowledgements carried times) is
// brought up to date, which an empty file and an old artifact's log both
// take without loss.
Status History::ensure_schema() {
  ASSIGN_OR_RETURN(auto version, detail::query_u64(*db_, "PRAGMA user_version"));
  if (version == kSchemaVersion) return Status::ok();
  Status s = db_->exec(kSchema);
  if (s.is_ok()) s = add_time_columns();
  if (s.is_ok()) s = db_->exec(kSetSchemaVersion);
  return s;
}

History::History(std::unique_ptr<sql::Db> db, const Options& options)
    : db_(std::move(db)), options_(options), tracker_(std::make_unique<detail::SyncTracker>()) {}

History::~History() {
  if (in_txn_) {
    // Destructors cannot report; callers who care call commit() first.
    commit().ignore_error();
  }
  insert_write_.reset();
  insert_op_.reset();
  insert_key_.reset();
  update_write_.reset();
  update_ack_.reset();
  insert_event_.reset();
}

Status History::prepare_statements() {
  auto w =
      db_->prepare("INSERT INTO writes(seq, state, op_count, issued_ns) VALUES(?1, 0, ?2, ?3)");
  if (!w.is_ok()) return w.status();
  insert_write_ = std::move(w).value();
  ASSIGN_OR_RETURN(auto o,
                   db_->prepare("INSERT INTO ops(seq, key_id, value, live) VALUES(?1, ?2, ?3, 1)"));
  insert_op_ = std::move(o);
  ASSIGN_OR_RETURN(auto k, db_->prepare("INSERT INTO keys(key_id, tbl, key) VALUES(?1, ?2, ?3)"));
  insert_key_ = std::move(k);
  ASSIGN_OR_RETURN(auto u, db_->prepare("UPDATE writes SET state = ?2, error = ?3 WHERE seq = ?1"));
  update_write_ = std::move(u);
  auto a =
      db_->prepare("UPDATE writes SET state = 1, engine_seq = ?2, acked_ns = ?3 WHERE seq = ?1");
  if (!a.is_ok()) return a.status();
  update_ack_ = std::move(a).value();
  ASSIGN_OR_RETURN(
      auto e, db_->prepare("INSERT INTO events(kind, seq, ok, detail) VALUES(?1, ?2, ?3, ?4)"));
  insert_event_ = std::move(e);
  return Status::ok();
}

Status History::begin_record() {
  if (in_txn_) return Status::ok();
  RETURN_IF_ERROR(db_->exec("BEGIN"));
  in_txn_ = true;
  records_in_txn_ = 0;
  return Status::ok();
}

Status History::end_record(bool commit_now) {
  assert(in_txn_);
  records_in_txn_++;
  if (commit_now || records_in_txn_ >= options_.records_per_txn_max) return commit();
  return Status::ok();
}

Status History::commit() {
  if (!in_txn_) return Status::ok();
  RETURN_IF_ERROR(db_->exec("COMMIT"));
  in_txn_ = false;
  records_in_txn_ = 0;
  return Status::ok();
}

Status History::insert_event(std::string_view kind, uint64_t seq, bool ok,
                             std::string_view detail) {
  Status s = insert_event_->bind_blob(1, kind);
  if (s.is_ok()) s = insert_event_->bind_int(2, static_cast<int64_t>(seq));
  if (s.is_ok()) s = insert_event_->bind_int(3, ok ? 1 : 0);
  if (s.is_ok()) s = insert_event_->bind_blob(4, detail);
  if (s.is_ok()) s = insert_event_->run();
  return s;
}

Result<uint64_t> History::record_pending(const Write& write) {
  return record_pending(write, summary_.clock_ns);
}

Result<uint64_t> History::record_pending(const Write& write, int64_t issued_ns) {
  if (write.empty()) return Status(ErrorCode::kInvalidArgument, "empty write");
  RETURN_IF_ERROR(begin_record());
  const uint64_t seq = seq_next_;
  Status s = insert_write_->bind_int(1, static_cast<int64_t>(seq));
  if (s.is_ok()) s = insert_write_->bind_int(2, static_cast<int64_t>(write.size()));
  if (s.is_ok()) s = insert_write_->bind_int(3, issued_ns);
  if (s.is_ok()) s = insert_write_->run();
  for (const Op& op : write) {
    if (!s.is_ok()) break;
    ASSIGN_OR_RETURN(auto key_id, key_id_of(op.table, op.key));
    s = insert_op_->bind_int(1, static_cast<int64_t>(seq));
    if (s.is_ok()) s = insert_op_->bind_int(2, key_id);
    if (s.is_ok()) {
      s = op.kind == OpKind::kPut ? insert_op_->bind_blob(3, op.value) : insert_op_->bind_null(3);
    }
    if (s.is_ok()) s = insert_op_->run();
  }
  if (!s.is_ok()) return s;
  seq_next_++;
  summary_.last_issued = seq;
  RETURN_IF_ERROR(end_record(options_.commit_pending));
  return seq;
}

Status History::set_write_state(uint64_t seq, int state) {
  Status s = update_write_->bind_int(1, static_cast<int64_t>(seq));
  if (s.is_ok()) s = update_write_->bind_int(2, state);
  if (s.is_ok()) s = update_write_->bind_null(3);
  if (s.is_ok()) s = update_write_->run();
  return s;
}

Status History::record_ack(uint64_t seq) {
  if (seq <= summary_.last_acked) {
    return Status(ErrorCode::kInvalidArgument,
                  "ack of write " + std::to_string(seq) + " out of order");
  }
  return record_ack(seq, 0, summary_.clock_ns);
}

Status History::record_ack(uint64_t seq, uint64_t engine_seq, int64_t acked_ns) {
  if (seq == 0 || seq >= seq_next_) {
    return Status(ErrorCode::kInvalidArgument,
                  "ack of write " + std::to_string(seq) + " never issued");
  }
  RETURN_IF_ERROR(begin_record());
  RETURN_IF_ERROR(update_ack_->bind_int(1, static_cast<int64_t>(seq)));
  RETURN_IF_ERROR(update_ack_->bind_int(2, static_cast<int64_t>(engine_seq)));
  RETURN_IF_ERROR(update_ack_->bind_int(3, acked_ns));
  RETURN_IF_ERROR(update_ack_->run());
  summary_.last_acked = std::max(summary_.last_acked, seq);
  engine_acked_max_ = std::max(engine_acked_max_, engine_seq);
  unaged_acks_.emplace(acked_ns, seq);
  age_acks();
  return end_record(false);
}

void History::age_acks() {
  if (summary_.lazy_window_ns <= 0) return;
  const int64_t cutoff = summary_.clock_ns - summary_.lazy_window_ns;
  // Strictly older than the window: an ack exactly at the cutoff is not aged.
  while (!unaged_acks_.empty() && unaged_acks_.begin()->first < cutoff) {
    summary_.aged_through = std::max(summary_.aged_through, unaged_acks_.begin()->second);
    unaged_acks_.erase(unaged_acks_.begin());
  }
}

Status History::set_clock(int64_t now_ns) {
  if (now_ns < summary_.clock_ns) {
    return Status(ErrorCode::kInvalidArgument, "the clock went back from " +
                                                   std::to_string(summary_.clock_ns) + " to " +
                                                   std::to_string(now_ns) + " ns");
  }
  if (now_ns == summary_.clock_ns) return Status::ok();
  RETURN_IF_ERROR(begin_record());
  RETURN_IF_ERROR(insert_event("clock", static_cast<uint64_t>(now_ns), true, ""));
  summary_.clock_ns = now_ns;
  age_acks();
  return end_record(false);
}

Status History::set_lazy_window(int64_t window_ns) {
  if (window_ns <= 0) return Status(ErrorCode::kInvalidArgument, "lazy window must be positive");
  RETURN_IF_ERROR(begin_record());
  RETURN_IF_ERROR(insert_event("lazy_window", static_cast<uint64_t>(window_ns), true, ""));
  summary_.lazy_window_ns = window_ns;
  age_acks();
  return end_record(false);
}

Status History::record_failed(uint64_t seq, bool maybe_applied, std::string_view error) {
  if (seq == 0 || seq >= seq_next_) {
    return Status(ErrorCode::kInvalidArgument, "failure of unknown write " + std::to_string(seq));
  }
  RETURN_IF_ERROR(begin_record());
  Status s = update_write_->bind_int(1, static_cast<int64_t>(seq));
  if (s.is_ok())
    s = update_write_->bind_int(2, maybe_applied ? detail::kFailedMaybeApplied : detail::kVoid);
  if (s.is_ok()) s = update_write_->bind_blob(3, error);
  if (s.is_ok()) s = update_write_->run();
  if (s.is_ok() && !maybe_applied) {
    ASSIGN_OR_RETURN(auto stmt, db_->prepare("UPDATE ops SET live = 0 WHERE seq = ?1"));
    s = stmt->bind_int(1, static_cast<int64_t>(seq));
    if (s.is_ok()) s = stmt->run();
  }
  if (!s.is_ok()) return s;
  return end_record(false);
}

Status History::record_sync_begin(SyncKind kind) {
  return begin_sync(kind, summary_.last_acked).status();
}

Status History::record_sync_begin(SyncKind kind, uint64_t covered) {
  return begin_sync(kind, covered).status();
}

Result<uint64_t> History::begin_sync(SyncKind kind) {
  return begin_sync(kind, summary_.last_acked);
}

Result<uint64_t> History::begin_sync(SyncKind kind, uint64_t covered) {
  Status s = begin_record();
  if (s.is_ok()) {
    s = insert_event(detail::begin_event(kind), covered, true, std::to_string(engine_acked_max_));
  }
  if (!s.is_ok()) return s;
  const uint64_t id = tracker_->begin(&summary_, kind, covered);
  RETURN_IF_ERROR(end_record(false));
  return id;
}

Status History::record_sync_end(SyncKind kind, bool ok) {
  const auto i = static_cast<size_t>(kind);
  if (tracker_->open[i].size() > 1) {
    // Which one returned is unknown: the caller must name it (end_sync).
    return Status(ErrorCode::kInvalidArgument,
                  std::string(detail::end_event(kind)) + " with several begun: name the sync");
  }
  return end_sync(kind, ok, 0);
}

Status History::end_sync(SyncKind kind, bool ok, uint64_t sync_id) {
  const std::optional<uint64_t> coverage = tracker_->coverage_of(kind, sync_id);
  Status s = begin_record();
  // seq: the coverage this end credits (0 for an end with no begin); detail:
  // the id of the begin it closes.
  if (s.is_ok()) {
    s = insert_event(detail::end_event(kind), coverage.value_or(0), ok,
                     sync_id == 0 ? "" : std::to_string(sync_id));
  }
  if (!s.is_ok()) return s;
  tracker_->end(&summary_, kind, ok, sync_id);
  return end_record(false);
}

Status History::record_crash(CrashKind kind, std::string_view detail) {
  RETURN_IF_ERROR(begin_record());
  RETURN_IF_ERROR(insert_event(crash_kind_name(kind), summary_.last_issued, true, detail));
  tracker_->crash(&summary_);
  return end_record(true);
}

Status History::record_open() {
  RETURN_IF_ERROR(begin_record());
  RETURN_IF_ERROR(insert_event("open", summary_.last_issued, true, ""));
  summary_.opens++;
  return end_record(true);
}

Status History::record_recovered(uint64_t p) {
  if (p > summary_.last_issued) {
    return Status(ErrorCode::kInvalidArgument, "recovered p=" + std::to_string(p) +
                                                   " beyond the last issued write " +
                                                   std::to_string(summary_.last_issued));
  }
  Status s = begin_record();
  if (s.is_ok()) s = insert_event("recovered", p, true, "");
  const std::string p_text = std::to_string(p);
  if (s.is_ok()) {
    const std::string sql = "UPDATE writes SET state = " + std::to_string(detail::kDiscarded) +
                            " WHERE seq > " + p_text + "; UPDATE ops SET live = 0 WHERE seq > " +
                            p_text + ";";
    s = db_->exec(sql.c_str());
  }
  if (!s.is_ok()) return s;
  RETURN_IF_ERROR(detail::load_issued_and_acked(*db_, &summary_));
  tracker_->recovered(&summary_, p);
  std::erase_if(unaged_acks_, [p](const auto& ack) { return ack.second > p; });
  return end_record(true);
}

}  // namespace oracle
