#include "log_replay.h"

#include <algorithm>
#include <cassert>
#include <functional>
#include <map>
#include <optional>
#include <utility>
#include <vector>

#include "util/pipeline.h"
#include "wal/wal_format.h"

namespace dbx {
namespace {

using faultfs::Result;
using faultfs::Status;

// What the reader had walked when it closed a batch: the applier's basis for
// guessing how many writes are still to come.
struct Progress {
  uint64_t log_bytes_seen = 0;  // Estimated from the records' contents.
  uint64_t mutations_seen = 0;  // Including those under the checkpoint.
};

struct Batch {
  StagedWrites writes;
  Progress progress;
};

// A mutation's log bytes beyond its table, key and value (an op byte and
// three varint lengths, most of them one byte): only for estimates.
constexpr uint64_t kMutationOverheadBytesEstimate = 4;

// Turns the walk's records into batches, in log order. Runs on the reader's
// thread; its figures are read once that thread is done.
class Stager {
 public:
  // Hands a full batch on; false when nobody will apply it any more.
  using Emit = std::function<bool(Batch&&)>;

  Stager(uint64_t checkpoint_sequence, Emit emit)
      : checkpoint_sequence_(checkpoint_sequence), emit_(std::move(emit)) {
    assert(emit_);
  }

  [[nodiscard]] Status visit(const wal::RecordView& record) {
    progress_.log_bytes_seen += wal::kRecordHeaderBytes;
    for (const wal::MutationView& m : record.mutations) {
      progress_.log_bytes_seen +=
          m.table.size() + m.key.size() + m.value.size() + kMutationOverheadBytesEstimate;
    }
    progress_.mutations_seen += record.mutations.size();
    // Checkpoint and sync proof records change no data.
    if (record.kind == wal::RecordKind::kCheckpoint || record.kind == wal::RecordKind::kSyncProof ||
        record.sequence <= checkpoint_sequence_) {
      ++records_skipped_;
      return Status::ok();
    }
    assert(record.sequence > last_replayed_sequence_);  // The walk enforces the order.
    last_replayed_sequence_ = record.sequence;
    for (const wal::MutationView& m : record.mutations) {
      const std::string_view value = m.is_delete ? std::string_view() : m.value;
      if (!batch_.writes.has_room_for(m.table, value) && !emit_batch()) {
        return Status(faultfs::ErrorCode::kIoError, "log replay cancelled");
      }
      batch_.writes.add(m.is_delete, m.table, m.key, value);
    }
    ++records_replayed_;
    return Status::ok();
  }

  // Hands on the last, partly filled batch; false as for Emit.
  [[nodiscard]] bool finish() { return batch_.writes.empty() || emit_batch(); }

  uint64_t records_replayed() const { return records_replayed_; }
  uint64_t records_skipped() const { return records_skipped_; }
  uint64_t last_replayed_sequence() const { return last_replayed_sequence_; }

 private:
  bool emit_batch() {
    assert(!batch_.writes.empty());
    batch_.progress = progress_;
    const bool taken = emit_(std::exchange(batch_, Batch()));
    assert(batch_.writes.empty());
    return taken;
  }

  const uint64_t checkpoint_sequence_;
  const Emit emit_;
  Batch batch_;
  Progress progress_;
  uint64_t records_replayed_ = 0;
  uint64_t records_skipped_ = 0;
  uint64_t last_replayed_sequence_ = 0;
};

// Applies batches to the delta and keeps each table's room ahead of the keys
// still expected (see log_replay.h).
class Applier {
 public:
  Applier(Delta* delta, uint64_t log_file_bytes, std::function<void()> before_each_apply)
      : delta_(*delta),
        log_file_bytes_(log_file_bytes),
        before_each_apply_(std::move(before_each_apply)) {
    assert(delta_.empty());
  }

  void apply(Batch&& batch) {
    assert(!batch.writes.empty());
    if (before_each_apply_) before_each_apply_();
    const size_t batch_writes = batch.writes.size();
    const std::vector<size_t> counts = batch.writes.writes_per_table();
    std::vector<std::pair<std::string, size_t>> writes_per_table;
    for (size_t t = 0; t < counts.size(); ++t) {
      writes_per_table.emplace_back(batch.writes.tables()[t], counts[t]);
    }
    delta_.apply(std::move(batch.writes));
    const double writes_to_come = expected_writes_to_come(batch.progress);
    for (const auto& [table, writes] : writes_per_table) {
      assert(writes > 0);
      uint64_t& applied = writes_applied_[table];
      applied += writes;
      const size_t entries = delta_.entries_in(table);
      assert(entries > 0);
      assert(entries <= applied);
      // Of the writes still to come, this table's share, and of those the
      // share that will make new keys, both as seen so far.
      const double new_keys_per_write = static_cast<double>(entries) / static_cast<double>(applied);
      const double table_share = static_cast<double>(writes) / static_cast<double>(batch_writes);
      const double expected_keys = writes_to_come * table_share * new_keys_per_write;
      // The guess counts every byte left in the file, and a recycled log
      // may hold gigabytes of stale bytes past its end: beyond
      // kReplayReserveKeysOnGuessMax keys, the room reserved ahead is at
      // most kReplayReserveGrowthMax times the keys already seen. What a
      // wrong guess reserves is given back by finish().
      const double cap = std::max(static_cast<double>(kReplayReserveKeysOnGuessMax),
                                  static_cast<double>(entries) * kReplayReserveGrowthMax);
      delta_.reserve(table, entries + static_cast<size_t>(std::min(expected_keys, cap)));
    }
  }

  void finish() { delta_.shrink_to_fit(); }

 private:
  double expected_writes_to_come(const Progress& progress) const {
    if (progress.mutations_seen == 0 || progress.log_bytes_seen == 0) return 0;
    if (progress.log_bytes_seen >= log_file_bytes_) return 0;
    const double bytes_per_write =
        static_cast<double>(progress.log_bytes_seen) / static_cast<double>(progress.mutations_seen);
    return static_cast<double>(log_file_bytes_ - progress.log_bytes_seen) / bytes_per_write;
  }

  Delta& delta_;
  const uint64_t log_file_bytes_;
  const std::function<void()> before_each_apply_;
  std::map<std::string, uint64_t, std::less<>> writes_applied_;
};

}  // namespace

Result<LogReplayResult> replay_log(faultfs::FileSystem& fs, const std::string& path,
                                   wal::TailMode mode, uint64_t checkpoint_sequence, Delta* delta,
                                   const LogReplayOptions& options) {
  assert(delta != nullptr);
  assert(delta->empty());
  uint64_t log_file_bytes = 0;
  if (Result<uint64_t> size = fs.file_size(path); size.is_ok()) {
    log_file_bytes = *size;
  } else if (size.status().code() != faultfs::ErrorCode::kNotFound) {
    return size.status();
  }
  Applier applier(delta, log_file_bytes, options.before_each_apply);
  std::optional<Stager> stager;
  std::optional<Result<wal::WalReadSummary>> read;
  const PipelineRun run = run_pipeline<Batch>(
      kBatchesInFlightMax, log_file_bytes >= options.pipelined_min_bytes && log_file_bytes > 0,
      [&](const std::function<bool(Batch &&)>& emit) -> Status {
        stager.emplace(checkpoint_sequence, emit);
        read = wal::read_log_views(
            fs, path, mode, checkpoint_sequence,
            [&](const wal::RecordView& record) { return stager->visit(record); }, options.sealer);
        if (!read->is_ok()) return read->status();
        if (!stager->finish()) return Status(faultfs::ErrorCode::kIoError, "log replay cancelled");
        return Status::ok();
      },
      [&applier](Batch&& batch) {
        applier.apply(std::move(batch));
        return Status::ok();
      });
  if (!run.status.is_ok()) return run.status;
  assert(stager.has_value());
  assert(read.has_value());
  assert(read->is_ok());
  applier.finish();
  LogReplayResult result;
  result.summary = **read;
  result.records_replayed = stager->records_replayed();
  result.records_skipped = stager->records_skipped();
  result.last_replayed_sequence = stager->last_replayed_sequence();
  result.pipelined = run.on_second_thread;
  assert(result.records_replayed + result.records_skipped == result.summary.records_read);
  assert(result.last_replayed_sequence <= result.summary.last_sequence);
  return result;
}

}  // namespace dbx
