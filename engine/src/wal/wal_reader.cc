#include "wal/wal_reader.h"

#include <algorithm>
#include <cassert>
#include <utility>

#include "faultfs/status_macros.h"
#include "logger.h"
#include "wal/wal_scan.h"
#include "wal/wal_seal.h"
#include "wal/wal_window.h"

namespace dbx::wal {
namespace {

using faultfs::ErrorCode;
using faultfs::Result;
using faultfs::Status;

// Why the walk did not accept the frame at some offset.
enum class Stop {
  kZeroHeader,     // Clean end: nothing was ever written here in this epoch.
  kOlderEpoch,     // Clean end: the recycled file's stale bytes begin here.
  kNewerEpoch,     // Clean end, but a header rewrite was lost: newer bytes follow.
  kStaleSequence,  // Clean end: a same-epoch remnant that does not continue the log.
  kBadRecord,      // Torn tail, unless a later record proves it had been synced.
};

// The outcome of examining the frame at one offset. One Probe is reused for
// every offset of a walk, so accepting a record allocates nothing.
struct Probe {
  bool accepted = false;
  Stop stop = Stop::kBadRecord;  // When not accepted.
  std::string what;              // When not accepted: for logs and errors.
  RecordView record;             // When accepted: views into the window and the scratch.
  uint64_t frame_size = 0;       // When accepted.

  // Always returns ok: the walk stops, which is not an error.
  [[nodiscard]] Status stop_with(Stop why, std::string description) {
    accepted = false;
    stop = why;
    what = std::move(description);
    return Status::ok();
  }
};

Status corruption(const std::string& path, uint64_t offset, const std::string& what) {
  return Status(ErrorCode::kCorruption, path + " offset " + std::to_string(offset) + ": " + what);
}

// One pass over the records of a log whose header has been validated.
class LogWalk {
 public:
  LogWalk(LogWindow& window, uint32_t epoch, TailMode mode, uint64_t min_relevant_sequence,
          const RecordViewVisitor& visit, WalReadSummary* summary, const crypto::Sealer* sealer)
      : sealer_(sealer),
        window_(window),
        epoch_(epoch),
        mode_(mode),
        min_relevant_sequence_(min_relevant_sequence),
        visit_(visit),
        summary_(*summary) {
    assert(epoch_ != 0);
  }

  [[nodiscard]] Status run() {
    const uint64_t size = window_.file_size_bytes();
    uint64_t offset = kFirstRecordOffset;
    // Each iteration accepts a record or stops or resynchronizes strictly
    // further on, so the walk ends within size / kRecordAlignment iterations.
    while (offset < size) {
      RETURN_IF_ERROR(probe_at(offset, &probe_));
      if (probe_.accepted) {
        RETURN_IF_ERROR(accept(offset, probe_));
        offset += probe_.frame_size;
        continue;
      }
      ASSIGN_OR_RETURN(auto scan, scan_ahead(window_, offset + kRecordAlignment, epoch_,
                                             last_sequence(), min_relevant_sequence_));
      if (!scan.proof_offset) {
        end_of_log(offset, probe_, scan);
        break;
      }
      ASSIGN_OR_RETURN(auto resync, on_proven_corruption(offset, probe_, scan));
      if (!resync) break;
      assert(*resync > offset);
      offset = *resync;
    }
    assert(offset <= size);
    summary_.end_offset = accepted_end_;
    // kSkipCorrupted may stop past skipped bytes: they lie beyond end_offset.
    if (offset > accepted_end_) summary_.must_truncate = true;
    return Status::ok();
  }

 private:
  uint64_t last_sequence() const { return has_last_ ? summary_.last_sequence : 0; }

  // Examines the frame at `offset` into `probe`. An error is an I/O error;
  // a frame that is not accepted is an ok Status with probe->accepted false.
  [[nodiscard, gnu::always_inline]] Status probe_at(uint64_t offset, Probe* probe) {
    const uint64_t available = window_.file_size_bytes() - offset;
    if (available < kRecordHeaderBytes) {
      ASSIGN_OR_RETURN(auto bytes, window_.view(offset, available));
      if (all_zero(bytes)) return probe->stop_with(Stop::kZeroHeader, "zero bytes");
      return probe->stop_with(Stop::kBadRecord, "truncated record header (" +
                                                    std::to_string(available) + " of " +
                                                    std::to_string(kRecordHeaderBytes) + " bytes)");
    }
    ASSIGN_OR_RETURN(auto bytes, window_.view(offset, kRecordHeaderBytes));
    if (all_zero(bytes)) return probe->stop_with(Stop::kZeroHeader, "all-zero record header");
    const std::optional<RecordHeader> h = parse_record_header(bytes.data());
    if (!h) return probe->stop_with(Stop::kBadRecord, "record header crc mismatch");
    if (h->epoch < epoch_) {
      return probe->stop_with(Stop::kOlderEpoch,
                              "record of older epoch " + std::to_string(h->epoch));
    }
    if (h->epoch > epoch_) {
      return probe->stop_with(Stop::kNewerEpoch,
                              "record of newer epoch " + std::to_string(h->epoch));
    }
    if (h->flags != 0 || h->reserved16 != 0 || h->reserved32 != 0) {
      return probe->stop_with(Stop::kBadRecord, "reserved record header fields are not zero");
    }
    if (!is_valid_kind(h->kind)) {
      return probe->stop_with(Stop::kBadRecord, "unknown record kind " + std::to_string(h->kind));
    }
    if (h->payload_length > kMaxRecordPayloadBytes) {
      return probe->stop_with(
          Stop::kBadRecord,
          "payload length " + std::to_string(h->payload_length) + " exceeds the maximum");
    }
    const uint64_t frame_size = frame_bytes(h->payload_length);
    if (frame_size > available) {
      return probe->stop_with(Stop::kBadRecord, "record of " + std::to_string(frame_size) +
                                                    " bytes extends past the file end");
    }
    // A sync proof takes no sequence of its own: it repeats the last one.
    const bool sync_proof = h->kind == static_cast<uint8_t>(RecordKind::kSyncProof);
    const bool in_order = !has_last_ || (sync_proof ? h->sequence == summary_.last_sequence
                                                    : h->sequence > summary_.last_sequence);
    if (!in_order) {
      return probe->stop_with(Stop::kStaleSequence, "sequence " + std::to_string(h->sequence) +
                                                        " does not continue " +
                                                        std::to_string(summary_.last_sequence));
    }
    // Bounded by the maximum and by the file: safe to fetch.
    ASSIGN_OR_RETURN(auto payload, window_.view(offset + kRecordHeaderBytes, h->payload_length));
    if (payload_crc(payload) != h->payload_crc) {
      return probe->stop_with(Stop::kBadRecord, "payload crc mismatch");
    }
    if (sealer_ != nullptr) RETURN_IF_ERROR(open_sealed(offset, *h, &payload));
    auto record =
        decode_payload_views(static_cast<RecordKind>(h->kind), h->sequence, payload, &scratch_);
    if (!record.is_ok()) {
      return probe->stop_with(Stop::kBadRecord,
                              "payload does not decode: " + record.status().message());
    }
    probe->accepted = true;
    // Rebuilt from what the decoder was given rather than copied out of the
    // Result: the copy reloaded bytes the callee had just stored, a stall
    // that showed in profiles of recovery.
    probe->record = RecordView{static_cast<RecordKind>(h->kind), h->sequence,
                               std::span<const MutationView>(scratch_)};
    assert(probe->record.mutations.data() == record->mutations.data());
    assert(probe->record.mutations.size() == record->mutations.size());
    probe->frame_size = frame_size;
    return Status::ok();
  }

  // An encrypted log: opens the crc-valid payload at `offset` into plain_
  // and points `payload` there. Whole and crc-valid, the frame is not torn: a
  // blob that does not open here was moved, replayed or altered (or sealed
  // under a key this database lacks), which is corruption.
  [[nodiscard]] Status open_sealed(uint64_t offset, const RecordHeader& header,
                                   std::string_view* payload) {
    if (payload->size() < sealer_->overhead()) {
      return corruption(window_.path(), offset, "sealed payload shorter than its seal");
    }
    plain_.resize(payload->size() - sealer_->overhead());
    if (!sealer_->open(record_ad(offset, header).view(), *payload, plain_.data())) {
      return corruption(window_.path(), offset, "sealed record fails authentication");
    }
    *payload = plain_;
    return Status::ok();
  }

  [[nodiscard]] Status accept(uint64_t offset, const Probe& probe) {
    assert(probe.accepted);
    assert(!has_last_ || probe.record.sequence >= summary_.last_sequence);
    if (probe.record.kind == RecordKind::kCheckpoint) {
      summary_.checkpoint_sequence_max =
          std::max(summary_.checkpoint_sequence_max, probe.record.sequence);
    }
    if (visit_) {
      RETURN_IF_ERROR(visit_(probe.record));
    }
    has_last_ = true;
    summary_.last_sequence = probe.record.sequence;
    summary_.records_read += 1;
    summary_.bytes_read += probe.frame_size;
    accepted_end_ = offset + probe.frame_size;
    return Status::ok();
  }

  // The walk stopped at `offset` and nothing after it proves a loss: a clean
  // end or a torn tail, both legal after a crash.
  void end_of_log(uint64_t offset, const Probe& probe, const AheadScan& scan) {
    switch (probe.stop) {
      case Stop::kBadRecord:
        if (scan.older_header_seen && !scan.live_header_seen) {
          // Recycled space: an older epoch's records lie past this point, so the
          // bytes that stopped the walk are stale (or a torn write over stale
          // bytes). No header of this epoch or a newer one lies ahead, so nothing
          // here can ever pass for a record: keep the space for in-place reuse.
          logger().debug("wal {}: log ends at offset {} in recycled space: {}", window_.path(),
                         offset, probe.what);
          summary_.ended_in_recycled_space = true;
          break;
        }
        summary_.torn_bytes = window_.file_size_bytes() - offset;
        summary_.must_truncate = true;
        // Nothing after it claims it was synced: records above sequence L
        // were written after the last sync this log proves, and are dropped.
        logger().warn(
            "wal {}: dropped a torn tail, bytes [{}, {}) ({} bytes), records above sequence {} "
            "(none proven synced): {}",
            window_.path(), offset, window_.file_size_bytes(), summary_.torn_bytes, last_sequence(),
            probe.what);
        break;
      case Stop::kStaleSequence:
      case Stop::kNewerEpoch:
        summary_.must_truncate = true;
        logger().info("wal {}: log ends at offset {}: {}", window_.path(), offset, probe.what);
        break;
      case Stop::kZeroHeader:
      case Stop::kOlderEpoch:
        summary_.must_truncate = summary_.must_truncate || scan.live_header_seen;
        summary_.ended_in_recycled_space = probe.stop == Stop::kOlderEpoch;
        break;
    }
  }

  // A later record proves the one at `offset` had been synced. Returns where
  // to resume (kSkipCorrupted), nullopt to stop (kTolerateTail), or the error.
  [[nodiscard]] Result<std::optional<uint64_t>> on_proven_corruption(uint64_t offset,
                                                                     const Probe& probe,
                                                                     const AheadScan& scan) {
    assert(scan.proof_offset && *scan.proof_offset > offset);
    const std::string what =
        probe.what + "; the record at offset " + std::to_string(*scan.proof_offset) +
        " (sequence " + std::to_string(scan.proof.sequence) + ", synced_sequence " +
        std::to_string(scan.proof.synced_sequence) + ") proves it had been synced";
    if (mode_ == TailMode::kStrict) return corruption(window_.path(), offset, what);
    summary_.corrupt_records_skipped += 1;
    logger().warn("wal {}: {} corrupt record at offset {}: {}", window_.path(),
                  mode_ == TailMode::kTolerateTail ? "stopping at" : "skipping", offset, what);
    if (mode_ == TailMode::kTolerateTail) {
      summary_.must_truncate = true;
      return std::optional<uint64_t>();
    }
    assert(mode_ == TailMode::kSkipCorrupted);
    ASSIGN_OR_RETURN(auto resync, find_resync(window_, offset + kRecordAlignment, epoch_));
    // The proof itself is a same-epoch header with a valid crc.
    assert(resync.has_value() && *resync <= *scan.proof_offset);
    return resync;
  }

  const crypto::Sealer* const sealer_;
  std::string plain_;  // Sealed logs: the opened payload, capacity reused.
  LogWindow& window_;
  const uint32_t epoch_;
  const TailMode mode_;
  const uint64_t min_relevant_sequence_;
  const RecordViewVisitor& visit_;
  WalReadSummary& summary_;
  bool has_last_ = false;
  uint64_t accepted_end_ = kFirstRecordOffset;
  // Reused for every frame: the walk allocates nothing per accepted record
  // once the scratch has grown to the largest batch.
  Probe probe_;
  std::vector<MutationView> scratch_;
};

// Validates the header sector and walks the records of an open log.
Status read_open_log(faultfs::File& file, uint64_t size, TailMode mode,
                     uint64_t min_relevant_sequence, const RecordViewVisitor& visit,
                     WalReadSummary* summary, const crypto::Sealer* sealer) {
  if (size == 0) return Status::ok();  // Created, header never written: empty.
  LogWindow window(file, size);
  const uint64_t head_bytes = std::min(size, kFileHeaderBytes);
  ASSIGN_OR_RETURN(auto head, window.view(0, head_bytes));
  std::string problem;
  if (all_zero(head)) {
    ASSIGN_OR_RETURN(auto zero, window.zero_from(head_bytes));
    if (zero) return Status::ok();  // Nothing was ever written: empty.
    problem = "file header is all zeros but the log holds data";
  } else if (size < kFileHeaderBytes) {
    problem = "file header truncated to " + std::to_string(size) + " bytes";
  } else {
    const ParsedFileHeader parsed = parse_file_header(head.data());
    if (parsed.problem == FileHeaderProblem::kNone) {
      const bool sealed = parsed.version == kFormatVersionSealed;
      if (sealed && sealer == nullptr) {
        return Status(ErrorCode::kInvalidArgument,
                      file.path() + " offset 0: the log is encrypted and no key was given");
      }
      if (!sealed && sealer != nullptr) {
        // An encrypted database never writes a plain log: this one was put here.
        return corruption(file.path(), 0, "plain log in an encrypted database");
      }
      summary->epoch = parsed.epoch;
      summary->header_version = parsed.version;
      summary->base_sequence = parsed.base_sequence;
      LogWalk walk(window, parsed.epoch, mode, min_relevant_sequence, visit, summary, sealer);
      return walk.run();
    }
    problem = file_header_problem_name(parsed.problem);
    if (parsed.problem == FileHeaderProblem::kBadVersion) {
      problem += " " + std::to_string(parsed.version);
    }
  }
  // A header sector rewritten by a cut is not atomic in the crash model: torn
  // in flight it reads as zeros or garbage. That is legal exactly when the log
  // holds nothing above the checkpoint (see find_relevant_record).
  ASSIGN_OR_RETURN(auto relevant, find_relevant_record(window, min_relevant_sequence));
  if (relevant) {
    return corruption(file.path(), 0,
                      problem + "; the record at offset " + std::to_string(*relevant) +
                          " above checkpoint " + std::to_string(min_relevant_sequence) +
                          " proves the header had been synced");
  }
  logger().info(
      "wal {}: {}; nothing lies above checkpoint {}: a cut torn by a crash, the log "
      "starts afresh",
      file.path(), problem, min_relevant_sequence);
  summary->header_torn = true;
  return Status::ok();
}

}  // namespace

const char* tail_mode_name(TailMode mode) {
  switch (mode) {
    case TailMode::kStrict:
      return "strict";
    case TailMode::kTolerateTail:
      return "tolerate_tail";
    case TailMode::kSkipCorrupted:
      return "skip_corrupted";
  }
  return "unknown";
}

Result<WalReadSummary> read_log_views(faultfs::FileSystem& fs, const std::string& path,
                                      TailMode mode, uint64_t min_relevant_sequence,
                                      const RecordViewVisitor& visit,
                                      const crypto::Sealer* sealer) {
  WalReadSummary summary;
  auto file = fs.open(path, faultfs::OpenMode::kRead);
  if (!file.is_ok()) {
    if (file.status().code() == ErrorCode::kNotFound) return summary;  // No log: empty.
    return file.status();
  }
  summary.file_present = true;
  ASSIGN_OR_RETURN(auto size, (*file)->size());
  Status s = read_open_log(**file, size, mode, min_relevant_sequence, visit, &summary, sealer);
  Status closed = (*file)->close();
  if (!s.is_ok()) {
    closed.ignore_error();  // The read's own failure is the one to report.
    return s;
  }
  if (!closed.is_ok()) return closed;
  assert(summary.end_offset >= kFirstRecordOffset);
  assert(summary.end_offset % kRecordAlignment == 0);
  assert(summary.epoch != 0 || summary.records_read == 0);
  return summary;
}

Result<WalReadSummary> read_log(faultfs::FileSystem& fs, const std::string& path, TailMode mode,
                                uint64_t min_relevant_sequence,
                                const std::function<Status(Record&)>& visit,
                                const crypto::Sealer* sealer) {
  if (!visit) {
    return read_log_views(fs, path, mode, min_relevant_sequence, RecordViewVisitor(), sealer);
  }
  return read_log_views(
      fs, path, mode, min_relevant_sequence,
      [&visit](const RecordView& view) -> Status {
        Record record = to_record(view);
        return visit(record);
      },
      sealer);
}

}  // namespace dbx::wal
