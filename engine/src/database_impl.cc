#include "database_impl.h"

#include <algorithm>
#include <cassert>
#include <span>

#include "kill_points.h"
#include "logger.h"
#include "read_only_fs.h"
#include "status_util.h"
#include "wal/wal_writer.h"
#include "wos/wos_store.h"

namespace dbx {
namespace {

// A batch larger than this does not leave its buffer behind.
constexpr size_t kPayloadBufferRetainBytesMax = size_t{4} << 20;

faultfs::FileSystem* choose_file_system(const Options& options) {
  return options.file_system != nullptr ? options.file_system : &faultfs::posix_file_system();
}

void validate(std::span<const wal::MutationView> mutations) {
  uint64_t total_bytes = 0;
  for (const wal::MutationView& m : mutations) {
    if (m.table.empty()) throw Error(ErrorCode::kInvalidArgument, "empty table name");
    if (m.table.size() > kMaxTableNameBytes) {
      throw Error(ErrorCode::kInvalidArgument, "table name of " + std::to_string(m.table.size()) +
                                                   " bytes exceeds " +
                                                   std::to_string(kMaxTableNameBytes));
    }
    if (m.key.size() > kMaxKeyBytes) {
      throw Error(ErrorCode::kInvalidArgument, "key of " + std::to_string(m.key.size()) +
                                                   " bytes exceeds " +
                                                   std::to_string(kMaxKeyBytes));
    }
    if (m.value.size() > kMaxValueBytes) {
      throw Error(ErrorCode::kInvalidArgument, "value of " + std::to_string(m.value.size()) +
                                                   " bytes exceeds " +
                                                   std::to_string(kMaxValueBytes));
    }
    assert(!m.is_delete || m.value.empty());
    total_bytes += m.table.size() + m.key.size() + m.value.size();
  }
  if (total_bytes > kMaxBatchBytes) {
    throw Error(ErrorCode::kInvalidArgument, "batch of " + std::to_string(total_bytes) +
                                                 " bytes exceeds " +
                                                 std::to_string(kMaxBatchBytes));
  }
}

// The record kind of a non-empty write: one put, one delete, or a batch.
wal::RecordKind record_kind(std::span<const wal::MutationView> mutations) {
  assert(!mutations.empty());
  if (mutations.size() > 1) return wal::RecordKind::kBatch;
  return mutations[0].is_delete ? wal::RecordKind::kDelete : wal::RecordKind::kInsert;
}

}  // namespace

DatabaseImpl::DatabaseImpl(std::optional<std::string> path, const Options& options)
    : path_(std::move(path)),
      options_(options),
      read_only_view_(options.read_only ? std::make_unique<ReadOnlyFs>(*choose_file_system(options))
                                        : nullptr),
      fs_(read_only_view_ != nullptr ? read_only_view_.get() : choose_file_system(options)),
      read_only_(options.read_only),
      flush_interval_(options.flush_interval) {}

std::unique_ptr<DatabaseImpl> DatabaseImpl::open(std::optional<std::string> path,
                                                 const Options& options) {
  if (path && path->empty()) throw Error(ErrorCode::kInvalidArgument, "empty database path");
  if (!path && options.read_only) {
    throw Error(ErrorCode::kInvalidArgument, "read-only open of an in-memory database");
  }
  if (options.wal_preallocate_bytes > (uint64_t{256} << 20)) {
    throw Error(ErrorCode::kInvalidArgument, "wal_preallocate_bytes exceeds 256 MiB");
  }
  if (options.durability == Durability::kLazy && options.sync_interval.count() <= 0) {
    throw Error(ErrorCode::kInvalidArgument, "sync_interval must be positive in Lazy mode");
  }
  std::unique_ptr<DatabaseImpl> db(new DatabaseImpl(std::move(path), options));
  try {
    db->recover();
  } catch (...) {
    // A half-recovered handle must not checkpoint or sync on its way out: its
    // sequence and delta do not describe the database. Only release resources.
    db->closed_.store(true, std::memory_order_release);
    throw;
  }
  db->start_background();
  return db;
}

DatabaseImpl::~DatabaseImpl() { close_quietly(); }

void DatabaseImpl::close_quietly() noexcept {
  try {
    close();
  } catch (const Error& e) {
    logger().error("closing {} failed: {}", path_.value_or(":memory:"), e.what());
  }
}

void DatabaseImpl::acknowledge(uint64_t sequence, const char* what) {
  if (options_.durability != Durability::kFull || group_commit_ == nullptr) return;
  const faultfs::Status synced = group_commit_->sync_through(sequence);
  if (!synced.is_ok()) {
    enter_read_only("WAL sync failed: " + synced.message());
    throw_if_error(synced, what);
  }
}

uint64_t DatabaseImpl::write(std::span<const wal::MutationView> mutations) {
  check_open();
  validate(mutations);
  if (mutations.empty()) return last_sequence();
  const wal::RecordKind kind = record_kind(mutations);
  uint64_t sequence;
  {
    std::lock_guard log_lock(log_mutex_);
    sequence = append_and_apply(mutations, kind);
  }
  acknowledge(sequence, "write not acknowledged");
  after_write();
  return sequence;
}

uint64_t DatabaseImpl::commit_at(uint64_t sequence, std::span<const wal::MutationView> mutations) {
  check_open();
  validate(mutations);
  if (mutations.empty()) return sequence;  // A read-only transaction never conflicts.
  const wal::RecordKind kind = record_kind(mutations);
  uint64_t committed;
  {
    // The check and the append are one step for other writers: no write can
    // land between them (every writer appends under log_mutex_).
    std::lock_guard log_lock(log_mutex_);
    {
      std::shared_lock state_lock(state_mutex_);
      for (const wal::MutationView& m : mutations) {
        if (versions_.written_after(m.table, m.key, sequence)) {
          throw Error(ErrorCode::kWriteConflict,
                      "key of table '" + std::string(m.table) +
                          "' was written after the transaction's snapshot " +
                          std::to_string(sequence));
        }
      }
    }
    committed = append_and_apply(mutations, kind);
  }
  assert(committed > sequence);
  acknowledge(committed, "commit not acknowledged");
  after_write();
  return committed;
}

bool DatabaseImpl::remove(std::string_view table, std::string_view key) {
  check_open();
  const wal::MutationView mutation{true, table, key, {}};
  const std::span<const wal::MutationView> mutations(&mutation, 1);
  validate(mutations);
  bool existed;
  uint64_t sequence;
  {
    // The existence check and the delete are one step for other writers.
    std::lock_guard log_lock(log_mutex_);
    {
      std::shared_lock state_lock(state_mutex_);
      existed = exists_locked(table, key);
    }
    sequence = append_and_apply(mutations, wal::RecordKind::kDelete);
  }
  acknowledge(sequence, "delete not acknowledged");
  after_write();
  return existed;
}

uint64_t DatabaseImpl::append_and_apply(std::span<const wal::MutationView> mutations,
                                        wal::RecordKind kind) {
  check_writable();
  const uint64_t sequence = last_sequence() + 1;
  if (wal_ != nullptr && logs_records()) {
    wal::encode_payload_to(wal::RecordView{kind, sequence, mutations}, &payload_buffer_);
    DBX_KILL_POINT("wal/before_append");
    auto appended = wal_->append(kind, sequence, payload_buffer_);
    if (payload_buffer_.capacity() > kPayloadBufferRetainBytesMax)
      std::string().swap(payload_buffer_);
    if (!appended.is_ok()) {
      enter_read_only("WAL append failed: " + appended.status().message());
      throw_if_error(appended.status(), "write not acknowledged");
    }
    DBX_KILL_POINT("wal/after_append");
  }
  last_sequence_.store(sequence, std::memory_order_release);
  {
    std::unique_lock state_lock(state_mutex_);
    if (versions_.needs_undo(sequence)) record_undos(mutations, sequence);
    apply_to_delta(mutations);
  }
  return sequence;
}

namespace {

void apply_mutations(std::span<const wal::MutationView> mutations, Delta* delta) {
  for (const wal::MutationView& m : mutations) {
    if (m.is_delete) {
      delta->remove(m.table, m.key);
    } else {
      delta->put(m.table, m.key, m.value);
    }
  }
}

}  // namespace

void DatabaseImpl::apply_to_delta(std::span<const wal::MutationView> mutations) {
  apply_mutations(mutations, &delta_);
  delta_bytes_.store(delta_.bytes(), std::memory_order_relaxed);
}

bool DatabaseImpl::exists_locked(std::string_view table, std::string_view key) const {
  const std::optional<Delta::Entry> entry = delta_.find(table, key);
  if (entry.has_value()) return entry->has_value();
  return exists_below_delta_locked(table, key);
}

bool DatabaseImpl::exists_below_delta_locked(std::string_view table, std::string_view key) const {
  if (frozen_ != nullptr) {
    const std::optional<Delta::Entry> entry = frozen_->find(table, key);
    if (entry.has_value()) return entry->has_value();
  }
  return wos_ != nullptr && wos_->contains(table, key);
}

std::optional<std::string> DatabaseImpl::get(std::string_view table, std::string_view key) const {
  std::shared_lock state_lock(state_mutex_);
  check_open();
  return value_locked(table, key);
}

std::optional<std::string> DatabaseImpl::value_locked(std::string_view table,
                                                      std::string_view key) const {
  for (const Delta* delta : {&delta_, static_cast<const Delta*>(frozen_.get())}) {
    if (delta == nullptr) continue;
    const std::optional<Delta::Entry> entry = delta->find(table, key);
    if (!entry.has_value()) continue;
    if (!entry->has_value()) return std::nullopt;
    return std::string(**entry);
  }
  if (wos_ == nullptr) return std::nullopt;
  return value_or_throw(wos_->get(table, key), "get");
}

uint64_t DatabaseImpl::count(std::string_view table) const {
  std::shared_lock state_lock(state_mutex_);
  check_open();
  uint64_t n = wos_ != nullptr ? wos_->count(table) : 0;
  // Layer by layer: each entry counts against what the layers below say.
  if (frozen_ != nullptr) {
    frozen_->for_each_in_table(table, [&](std::string_view key, const Delta::Entry& value) {
      const bool below = wos_ != nullptr && wos_->contains(table, key);
      if (value.has_value() && !below) ++n;
      if (!value.has_value() && below) --n;
    });
  }
  delta_.for_each_in_table(table, [&](std::string_view key, const Delta::Entry& value) {
    const bool below = exists_below_delta_locked(table, key);
    if (value.has_value() && !below) ++n;
    if (!value.has_value() && below) --n;
  });
  return n;
}

std::vector<Database::Row> overlay_delta(std::vector<Database::Row> base, const Delta& delta,
                                         std::string_view table, std::string_view begin,
                                         std::optional<std::string_view> end) {
  if (delta.entries_in(table) == 0) return base;  // Spares a copy of every row.
  std::vector<Database::Row> out;
  out.reserve(base.size());
  size_t i = 0;
  delta.for_each_in_range(table, begin, end, [&](std::string_view key, const Delta::Entry& value) {
    while (i < base.size() && std::string_view(base[i].first) < key) {
      out.push_back(std::move(base[i++]));
    }
    if (i < base.size() && std::string_view(base[i].first) == key) ++i;
    if (value.has_value()) out.emplace_back(std::string(key), std::string(*value));
  });
  while (i < base.size()) out.push_back(std::move(base[i++]));
  return out;
}

std::vector<Database::Row> DatabaseImpl::range(std::string_view table, std::string_view begin,
                                               std::optional<std::string_view> end) const {
  std::shared_lock state_lock(state_mutex_);
  check_open();
  std::vector<Database::Row> rows;
  if (wos_ != nullptr) rows = value_or_throw(wos_->range(table, begin, end), "range");
  if (frozen_ != nullptr) rows = overlay_delta(std::move(rows), *frozen_, table, begin, end);
  return overlay_delta(std::move(rows), delta_, table, begin, end);
}

std::vector<std::string> DatabaseImpl::table_names() const {
  std::vector<std::string> candidates;
  {
    std::shared_lock state_lock(state_mutex_);
    check_open();
    if (wos_ != nullptr) candidates = wos_->table_names();
    for (std::string& name : delta_.table_names()) candidates.push_back(std::move(name));
    if (frozen_ != nullptr) {
      for (std::string& name : frozen_->table_names()) candidates.push_back(std::move(name));
    }
  }
  std::sort(candidates.begin(), candidates.end());
  candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());
  std::vector<std::string> names;
  for (std::string& name : candidates) {
    if (count(name) > 0) names.push_back(std::move(name));
  }
  return names;
}

void DatabaseImpl::set_flush_interval(std::chrono::milliseconds interval) {
  check_open();
  if (interval.count() < 0) throw Error(ErrorCode::kInvalidArgument, "negative flush interval");
  std::lock_guard lock(background_mutex_);
  flush_interval_ = interval;
  flush_interval_changed_ = true;
  // notify_all: the Lazy sync thread waits on the same condition variable.
  background_wakeup_.notify_all();
}

void DatabaseImpl::close() {
  if (closed_.load(std::memory_order_acquire)) return;
  stop_background();
  // Waits for a checkpoint another thread may still be running.
  std::lock_guard checkpoint_lock(checkpoint_mutex_);
  if (closed_.load(std::memory_order_acquire)) return;
  std::optional<Error> first_error;
  if (read_only_.load() && !options_.read_only) {
    // A read-only handle skips close's flush (None) or sync (Lazy): what was
    // written since it became read-only is not durable, and a close that
    // reported success would say otherwise. (A background checkpoint can
    // fail between two calls, so the caller may not have seen an error yet.)
    std::lock_guard lock(failure_mutex_);
    first_error = Error(ErrorCode::kReadOnly, "close of " + path_.value_or(":memory:") +
                                                  " made nothing durable: read-only since " +
                                                  failure_reason_);
  }
  try {
    if (!read_only_.load() && !logs_records()) {
      checkpoint_holding(CutPolicy::kAlways);  // kNone: close is a flush.
    }
  } catch (const Error& e) {
    first_error = e;
  }
  std::lock_guard log_lock(log_mutex_);
  try {
    if (!read_only_.load() && wal_ != nullptr && logs_records()) {
      throw_if_error(group_commit_->sync_through(last_sequence()), "close");
      // The clean-shutdown marker: a synced proof that every record is
      // durable, so none of them can later be dropped as a torn tail.
      throw_if_error(wal_->append_sync_proof(), "close: write the sync proof");
      throw_if_error(wal_->sync(), "close: sync the sync proof");
      // Trimmed to the live log: no preallocated or recycled space is left
      // behind (WalWriter::trim_past_end). A failure is still a failed I/O
      // on the log, so close reports it.
      throw_if_error(wal_->trim_past_end(0), "close: trim WAL");
      // conf names the records a later open must find in the log.
      throw_if_error(wos_->publish_wal_state(wal_->epoch(), last_sequence()),
                     "close: record the WAL in conf");
    }
  } catch (const Error& e) {
    if (!first_error) first_error = e;
  }
  std::unique_lock state_lock(state_mutex_);
  closed_.store(true, std::memory_order_release);
  if (wal_ != nullptr) {
    const faultfs::Status st = wal_->close();
    if (!st.is_ok() && !first_error) first_error = Error(to_error_code(st.code()), st.message());
  }
  if (wos_ != nullptr) {
    const faultfs::Status st = wos_->close();
    if (!st.is_ok() && !first_error) first_error = Error(to_error_code(st.code()), st.message());
  }
  wal_.reset();
  wos_.reset();
  // The data keys are zeroed as they are freed (SecretKey).
  sealer_.reset();
  delta_.clear();
  frozen_.reset();
  lock_.reset();
  if (first_error) throw *first_error;
}

void DatabaseImpl::check_open() const {
  if (closed_.load(std::memory_order_acquire)) {
    throw Error(ErrorCode::kClosed, "database " + path_.value_or(":memory:") + " is closed");
  }
}

void DatabaseImpl::check_writable() const {
  check_open();
  if (read_only_.load(std::memory_order_acquire)) {
    if (options_.read_only) {
      throw Error(ErrorCode::kReadOnly,
                  "database " + path_.value_or(":memory:") + " was opened read-only");
    }
    std::lock_guard lock(failure_mutex_);
    throw Error(ErrorCode::kReadOnly, "database " + path_.value_or(":memory:") +
                                          " is read-only until reopened: " + failure_reason_);
  }
}

void DatabaseImpl::enter_read_only(const std::string& reason) {
  std::lock_guard lock(failure_mutex_);
  if (read_only_.exchange(true)) return;
  failure_reason_ = reason;
  logger().error("{}: now read-only until reopened: {}", path_.value_or(":memory:"), reason);
}

}  // namespace dbx
