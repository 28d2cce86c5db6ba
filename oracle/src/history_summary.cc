#include <charconv>
#include <string>

#include "faultfs/status_macros.h"
#include "history_log.h"
#include "oracle/history.h"
#include "sqlite_db.h"

namespace oracle {

using faultfs::ErrorCode;
using faultfs::Result;
using faultfs::Status;

namespace detail {

std::string_view begin_event(SyncKind kind) {
  switch (kind) {
    case SyncKind::kSync:
      return "sync_begin";
    case SyncKind::kFlush:
      return "flush_begin";
    case SyncKind::kClose:
      return "close_begin";
  }
  return "?";
}

std::string_view end_event(SyncKind kind) {
  switch (kind) {
    case SyncKind::kSync:
      return "sync_end";
    case SyncKind::kFlush:
      return "flush_end";
    case SyncKind::kClose:
      return "close_end";
  }
  return "?";
}

Result<uint64_t> parse_sync_id(std::string_view detail) {
  if (detail.empty()) return uint64_t{0};
  uint64_t id = 0;
  const auto [end, error] = std::from_chars(detail.data(), detail.data() + detail.size(), id);
  if (error != std::errc() || end != detail.data() + detail.size() || id == 0) {
    return Status(ErrorCode::kCorruption,
                  "history sync end names no begin: " + std::string(detail));
  }
  return id;
}

Result<uint64_t> query_u64(sql::Db& db, const char* text) {
  ASSIGN_OR_RETURN(auto stmt, db.prepare(text));
  ASSIGN_OR_RETURN(auto row, stmt->step());
  if (!row || stmt->column_is_null(0)) return uint64_t{0};
  return static_cast<uint64_t>(stmt->column_int(0));
}

Status load_issued_and_acked(sql::Db& db, HistorySummary* summary) {
  ASSIGN_OR_RETURN(summary->last_issued,
                   query_u64(db, "SELECT max(seq) FROM writes WHERE state != 4"));
  ASSIGN_OR_RETURN(summary->last_acked,
                   query_u64(db, "SELECT max(seq) FROM writes WHERE state = 1"));
  return Status::ok();
}

}  // namespace detail

Result<int64_t> History::key_id_of(std::string_view table, std::string_view key) {
  std::string name = detail::composite_name(table, key);
  const auto it = key_ids_.find(name);
  if (it != key_ids_.end()) return it->second;
  const auto id = static_cast<int64_t>(key_ids_.size()) + 1;
  RETURN_IF_ERROR(insert_key_->bind_int(1, id));
  RETURN_IF_ERROR(insert_key_->bind_blob(2, table));
  RETURN_IF_ERROR(insert_key_->bind_blob(3, key));
  RETURN_IF_ERROR(insert_key_->run());
  key_ids_.emplace(std::move(name), id);
  return id;
}

Status History::load_key_ids() {
  ASSIGN_OR_RETURN(auto stmt, db_->prepare("SELECT key_id, tbl, key FROM keys ORDER BY key_id"));
  for (;;) {
    ASSIGN_OR_RETURN(auto row, stmt->step());
    if (!row) break;
    const int64_t id = stmt->column_int(0);
    // Ids are dense from 1: the checker indexes keys by id - 1.
    if (id != static_cast<int64_t>(key_ids_.size()) + 1) {
      return Status(ErrorCode::kCorruption, "history key ids are not dense");
    }
    key_ids_.emplace(detail::composite_name(stmt->column_blob(1), stmt->column_blob(2)), id);
  }
  return Status::ok();
}

Result<HistorySummary> History::load_summary() {
  detail::SyncTracker scratch;
  return summarize_log(&scratch);
}

Result<HistorySummary> History::summarize_log(detail::SyncTracker* tracker) {
  HistorySummary summary;
  RETURN_IF_ERROR(detail::load_issued_and_acked(*db_, &summary));

  ASSIGN_OR_RETURN(auto events,
                   db_->prepare("SELECT kind, seq, ok, detail FROM events ORDER BY event_id"));
  for (;;) {
    ASSIGN_OR_RETURN(auto row, events->step());
    if (!row) break;
    const std::string_view kind = events->column_blob(0);
    const auto seq = static_cast<uint64_t>(events->column_int(1));
    const bool ok = events->column_int(2) != 0;
    bool matched = false;
    for (SyncKind k : {SyncKind::kSync, SyncKind::kFlush, SyncKind::kClose}) {
      if (kind == detail::begin_event(k)) {
        tracker->begin(&summary, k, seq);
        matched = true;
      } else if (kind == detail::end_event(k)) {
        ASSIGN_OR_RETURN(auto sync_id, detail::parse_sync_id(events->column_blob(3)));
        tracker->end(&summary, k, ok, sync_id);
        matched = true;
      }
    }
    if (matched) continue;
    if (kind == crash_kind_name(CrashKind::kProcessKill) ||
        kind == crash_kind_name(CrashKind::kPowerLoss)) {
      tracker->crash(&summary);
    } else if (kind == "open") {
      summary.opens++;
    } else if (kind == "clock") {
      summary.clock_ns = static_cast<int64_t>(seq);
    } else if (kind == "lazy_window") {
      summary.lazy_window_ns = static_cast<int64_t>(seq);
    } else if (kind == "recovered") {
      tracker->recovered(&summary, seq);
    } else {
      return Status(ErrorCode::kCorruption, "unknown event kind in history: " + std::string(kind));
    }
  }
  if (summary.lazy_window_ns > 0) {
    const std::string aged = "SELECT max(seq) FROM writes WHERE state = 1 AND acked_ns < " +
                             std::to_string(summary.clock_ns - summary.lazy_window_ns);
    ASSIGN_OR_RETURN(auto through, detail::query_u64(*db_, aged.c_str()));
    summary.aged_through = through;
  }
  return summary;
}

Status History::add_time_columns() {
  // Logs written before acknowledgements carried times lack the columns.
  ASSIGN_OR_RETURN(
      auto present,
      detail::query_u64(
          *db_, "SELECT count(*) FROM pragma_table_info('writes') WHERE name = 'acked_ns'"));
  if (present > 0) return Status::ok();
  return db_->exec(
      "ALTER TABLE writes ADD COLUMN engine_seq INTEGER NOT NULL DEFAULT 0;"
      " ALTER TABLE writes ADD COLUMN issued_ns INTEGER NOT NULL DEFAULT 0;"
      " ALTER TABLE writes ADD COLUMN acked_ns INTEGER NOT NULL DEFAULT 0;");
}

Status History::load_acks() {
  unaged_acks_.clear();
  ASSIGN_OR_RETURN(auto stmt, db_->prepare("SELECT acked_ns, seq FROM writes WHERE state = 1"));
  for (;;) {
    ASSIGN_OR_RETURN(auto row, stmt->step());
    if (!row) break;
    unaged_acks_.emplace(stmt->column_int(0), static_cast<uint64_t>(stmt->column_int(1)));
  }
  age_acks();
  return Status::ok();
}

}  // namespace oracle
