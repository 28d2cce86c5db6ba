#include "wal/wal_writer.h"

#include <algorithm>
#include <array>
#include <cassert>
#include <cstring>

#include "faultfs/status_macros.h"
#include "logger.h"
#include "wal/wal_seal.h"

namespace dbx::wal {
namespace {

using faultfs::ErrorCode;
using faultfs::Result;
using faultfs::Status;

// The frame buffer keeps its capacity between appends (no allocation in steady
// state) unless one huge record grew it past this; then it is released so that
// one 64 MiB batch does not pin 64 MiB for the writer's lifetime.
constexpr size_t kFrameBufferRetainBytesMax = 4u << 20;
// Preallocation writes zeros in chunks of this size, up to this much at once.
constexpr uint64_t kZeroChunkBytes = 1u << 20;
constexpr uint64_t kPreallocationBytesMax = uint64_t{256} << 20;

Status invalid(const std::string& path, const std::string& what) {
  return Status(ErrorCode::kInvalidArgument, "wal " + path + ": " + what);
}

}  // namespace

WalWriter::WalWriter(faultfs::FileSystem& fs, std::unique_ptr<faultfs::File> file, uint32_t epoch,
                     uint64_t end_offset, uint64_t file_size_bytes)
    : fs_(fs),
      file_(std::move(file)),
      path_(file_->path()),
      epoch_(epoch),
      end_offset_(end_offset),
      file_size_bytes_(file_size_bytes) {
  assert(epoch_ != 0);
  assert(end_offset_ >= kFirstRecordOffset && end_offset_ % kRecordAlignment == 0);
  assert(end_offset_ <= file_size_bytes_);
  sync_progress_.epoch = epoch_;
}

WalWriter::~WalWriter() {
  // A destructor cannot report; callers that care call close() first.
  if (file_) file_->close().ignore_error();
}

Result<std::unique_ptr<WalWriter>> WalWriter::create(faultfs::FileSystem& fs,
                                                     const std::string& path, uint32_t epoch,
                                                     uint64_t base_sequence,
                                                     const crypto::Sealer* sealer) {
  if (epoch == 0) return invalid(path, "epoch 0 is reserved for 'no log'");
  // kCreate, not kCreateTruncate: a truncation to 0 that persists without the
  // new header would leave an empty log beside a conf that names this one.
  ASSIGN_OR_RETURN(auto file, fs.open(path, faultfs::OpenMode::kCreate));
  std::array<char, kFileHeaderBytes> header;
  encode_file_header(epoch, base_sequence, header.data(),
                     sealer != nullptr ? kFormatVersionSealed : kFormatVersion);
  RETURN_IF_ERROR(file->write_at(0, std::string_view(header.data(), header.size())));
  RETURN_IF_ERROR(file->truncate(kFileHeaderBytes));
  RETURN_IF_ERROR(file->sync());
  std::unique_ptr<WalWriter> writer(
      new WalWriter(fs, std::move(file), epoch, kFirstRecordOffset, kFileHeaderBytes));
  writer->sealer_ = sealer;
  return writer;
}

Result<std::unique_ptr<WalWriter>> WalWriter::resume(faultfs::FileSystem& fs,
                                                     const std::string& path, uint32_t epoch,
                                                     uint64_t end_offset,
                                                     const crypto::Sealer* sealer) {
  if (epoch == 0) return invalid(path, "epoch 0 is reserved for 'no log'");
  if (end_offset < kFirstRecordOffset || end_offset % kRecordAlignment != 0) {
    return invalid(path, "resume offset " + std::to_string(end_offset) + " is not a record start");
  }
  ASSIGN_OR_RETURN(auto file, fs.open(path, faultfs::OpenMode::kReadWrite));
  ASSIGN_OR_RETURN(auto size, file->size());
  if (end_offset > size) {
    return invalid(path, "resume offset " + std::to_string(end_offset) + " is past the file end " +
                             std::to_string(size));
  }
  std::array<char, kFileHeaderBytes> header;
  ASSIGN_OR_RETURN(auto n, file->read_at(0, std::span<char>(header.data(), header.size())));
  // end_offset >= kFirstRecordOffset <= size, so the whole header is present.
  if (n != header.size()) {
    return Status(ErrorCode::kIoError, path + " offset 0: short read of the file header");
  }
  const ParsedFileHeader parsed = parse_file_header(header.data());
  if (parsed.problem != FileHeaderProblem::kNone) {
    return Status(ErrorCode::kCorruption,
                  path + " offset 0: " + file_header_problem_name(parsed.problem));
  }
  if (parsed.epoch != epoch) {
    return invalid(path, "header epoch " + std::to_string(parsed.epoch) + ", expected " +
                             std::to_string(epoch));
  }
  if ((parsed.version == kFormatVersionSealed) != (sealer != nullptr)) {
    return invalid(path, sealer != nullptr ? "an encrypted writer cannot resume a plain log"
                                           : "a plain writer cannot resume an encrypted log");
  }
  std::unique_ptr<WalWriter> writer(new WalWriter(fs, std::move(file), epoch, end_offset, size));
  writer->sealer_ = sealer;
  return writer;
}

Status WalWriter::check_usable() const {
  if (!file_) return invalid(path_, "writer is closed");
  if (failed_.load(std::memory_order_acquire)) {
    return Status(ErrorCode::kIoError,
                  "wal " + path_ + ": an earlier write or sync failed; reopen to recover");
  }
  return Status::ok();
}

Status WalWriter::poison(Status failure) {
  assert(!failure.is_ok());
  failed_.store(true, std::memory_order_release);
  return failure;
}

Status WalWriter::write_frame(RecordKind kind, uint32_t epoch, uint64_t sequence,
                              uint64_t synced_sequence, std::string_view payload) {
  assert(end_offset_ % kRecordAlignment == 0);
  const uint64_t stored_bytes =
      sealer_ != nullptr ? sealed_payload_bytes(*sealer_, payload.size()) : payload.size();
  assert(stored_bytes <= kMaxRecordPayloadBytes);
  const uint64_t frame_size = frame_bytes(stored_bytes);
  frame_.resize(frame_size);
  RecordHeader header;
  header.payload_length = static_cast<uint32_t>(stored_bytes);
  header.kind = static_cast<uint8_t>(kind);
  header.epoch = epoch;
  header.sequence = sequence;
  header.synced_sequence = synced_sequence;
  char* const stored = frame_.data() + kRecordHeaderBytes;
  if (sealer_ != nullptr) {
    sealer_->seal(record_ad(end_offset_, header).view(), payload, stored);
  } else if (!payload.empty()) {
    std::memcpy(stored, payload.data(), payload.size());
  }
  // The crc covers what is stored, so a torn sealed frame reads as torn.
  header.payload_crc = payload_crc(std::string_view(stored, stored_bytes));
  encode_record_header(header, frame_.data());
  const size_t payload_end = kRecordHeaderBytes + stored_bytes;
  std::memset(frame_.data() + payload_end, 0, frame_size - payload_end);
  RETURN_IF_ERROR(ensure_preallocated(end_offset_ + frame_size));

  // One call, so that a record is one write in the crash model: it lands,
  // is lost, or is torn, but is never split across two independent writes.
  Status s = file_->write_at(end_offset_, frame_);
  if (frame_.capacity() > kFrameBufferRetainBytesMax) std::string().swap(frame_);
  if (!s.is_ok()) return poison(std::move(s));
  end_offset_ += frame_size;
  file_size_bytes_ = std::max(file_size_bytes_, end_offset_);
  return Status::ok();
}

void WalWriter::set_preallocation_bytes(uint64_t bytes) {
  assert(bytes <= kPreallocationBytesMax);
  preallocation_bytes_ = std::min(bytes, kPreallocationBytesMax);
}

uint64_t WalWriter::preallocation_chunk_bytes() {
  uint64_t chunk = preallocation_bytes_;
  auto available = fs_.available_bytes(path_);
  if (!available.is_ok()) {
    // Only a bound: without it the ENOSPC fallback below still protects writes.
    logger().debug("wal {}: free space unknown: {}", path_, available.status().message());
  } else if (*available != faultfs::FileSystem::kUnknownAvailableBytes) {
    chunk = std::min(chunk, *available / kPreallocationShareOfFree);
  }
  return chunk / kRecordAlignment * kRecordAlignment;
}

Status WalWriter::ensure_preallocated(uint64_t frame_end) {
  if (preallocation_bytes_ == 0 || frame_end <= file_size_bytes_) return Status::ok();
  const uint64_t chunk = preallocation_chunk_bytes();
  if (chunk == 0) return Status::ok();  // Too little space to spare: no extension.
  const uint64_t target =
      (frame_end + chunk + kRecordAlignment - 1) / kRecordAlignment * kRecordAlignment;
  assert(target > file_size_bytes_);
  static const std::string kZeros(kZeroChunkBytes, '\0');
  // Real zeros, not fallocate: an unwritten extent still costs a metadata
  // update on the first fdatasync that covers it.
  for (uint64_t offset = file_size_bytes_; offset < target; offset += kZeroChunkBytes) {
    const uint64_t n = std::min<uint64_t>(kZeroChunkBytes, target - offset);
    Status s = file_->write_at(offset, std::string_view(kZeros.data(), n));
    if (s.code() == ErrorCode::kNoSpace) return abandon_preallocation(s);
    if (!s.is_ok()) return poison(std::move(s));
  }
  Status s = file_->sync();
  if (!s.is_ok()) return poison(std::move(s));
  file_size_bytes_ = target;
  return Status::ok();
}

Status WalWriter::abandon_preallocation(const Status& no_space) {
  // Zeros that did land read as a clean end of log; the record is written
  // without an extension, so a record's worth of space is all it needs.
  auto size = file_->size();
  if (!size.is_ok()) return poison(size.status());
  file_size_bytes_ = std::max(*size, end_offset_);
  logger().warn("wal {}: no space to preallocate ({}); writing without it", path_,
                no_space.message());
  return Status::ok();
}

Result<uint64_t> WalWriter::append(RecordKind kind, uint64_t sequence, std::string_view payload) {
  RETURN_IF_ERROR(check_usable());
  if (!is_valid_kind(static_cast<uint8_t>(kind))) return invalid(path_, "unknown record kind");
  const uint64_t overhead = sealer_ != nullptr ? sealer_->overhead() : 0;
  if (payload.size() > kMaxRecordPayloadBytes - overhead) {
    return invalid(path_, "payload of " + std::to_string(payload.size()) +
                              " bytes exceeds kMaxRecordPayloadBytes");
  }
  uint64_t synced_sequence = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    assert(sync_progress_.epoch == epoch_);
    // The reader ends the log at a sequence that does not increase.
    if (sync_progress_.appended && sequence <= sync_progress_.last_sequence) {
      return invalid(path_, "sequence " + std::to_string(sequence) + " does not exceed " +
                                std::to_string(sync_progress_.last_sequence));
    }
    synced_sequence = sync_progress_.synced_sequence;
  }
  assert(synced_sequence < sequence || synced_sequence == 0);
  RETURN_IF_ERROR(write_frame(kind, epoch_, sequence, synced_sequence, payload));
  {
    std::lock_guard<std::mutex> lock(mu_);
    sync_progress_.claimed_sequence = std::max(sync_progress_.claimed_sequence, synced_sequence);
    if (!sync_progress_.appended) {
      sync_progress_.appended = true;
      sync_progress_.first_sequence = sequence;
    }
    sync_progress_.last_sequence = sequence;
  }
  return end_offset_;
}

Status WalWriter::sync() {
  RETURN_IF_ERROR(check_usable());
  // Only records whose write returned before the fdatasync started are
  // covered by it; append publishes last_sequence after its write returns.
  SyncProgress before;
  {
    std::lock_guard<std::mutex> lock(mu_);
    before = sync_progress_;
  }
  Status s = file_->sync();
  if (!s.is_ok()) return poison(std::move(s));
  if (before.appended) {
    std::lock_guard<std::mutex> lock(mu_);
    // A recycle() in between started a new epoch whose records this sync
    // may not cover; the old epoch's sequences mean nothing there.
    if (sync_progress_.epoch == before.epoch) {
      sync_progress_.synced_sequence =
          std::max(sync_progress_.synced_sequence, before.last_sequence);
    }
  }
  return Status::ok();
}

Status WalWriter::append_sync_proof() {
  RETURN_IF_ERROR(check_usable());
  uint64_t sequence = 0;
  uint64_t synced_sequence = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!sync_progress_.appended ||
        sync_progress_.synced_sequence <= sync_progress_.claimed_sequence) {
      return Status::ok();  // Nothing new to prove.
    }
    sequence = sync_progress_.last_sequence;
    synced_sequence = sync_progress_.synced_sequence;
  }
  assert(synced_sequence <= sequence);
  RETURN_IF_ERROR(write_frame(RecordKind::kSyncProof, epoch_, sequence, synced_sequence, {}));
  std::lock_guard<std::mutex> lock(mu_);
  sync_progress_.claimed_sequence = std::max(sync_progress_.claimed_sequence, synced_sequence);
  return Status::ok();
}

void WalWriter::note_synced(uint64_t sequence) {
  std::lock_guard<std::mutex> lock(mu_);
  // Claiming a sequence this writer did not append in this epoch could make a
  // later record "prove" an unsynced one durable: claim less, never more.
  if (!sync_progress_.appended || sequence < sync_progress_.first_sequence) return;
  const uint64_t clamped = std::min(sequence, sync_progress_.last_sequence);
  sync_progress_.synced_sequence = std::max(sync_progress_.synced_sequence, clamped);
}

Status WalWriter::recycle(uint64_t checkpoint_sequence) {
  RETURN_IF_ERROR(check_usable());
  if (epoch_ == UINT32_MAX) return invalid(path_, "epoch exhausted");
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (sync_progress_.appended && checkpoint_sequence < sync_progress_.last_sequence) {
      return invalid(path_, "checkpoint " + std::to_string(checkpoint_sequence) +
                                " does not cover record " +
                                std::to_string(sync_progress_.last_sequence));
    }
  }
  const uint32_t new_epoch = epoch_ + 1;
  std::array<char, kFileHeaderBytes> header;
  encode_file_header(new_epoch, checkpoint_sequence, header.data(),
                     sealer_ != nullptr ? kFormatVersionSealed : kFormatVersion);
  Status s = file_->write_at(0, std::string_view(header.data(), header.size()));
  if (!s.is_ok()) return poison(std::move(s));
  end_offset_ = kFirstRecordOffset;
  // The new epoch has nothing synced yet: synced_sequence 0.
  RETURN_IF_ERROR(write_frame(RecordKind::kCheckpoint, new_epoch, checkpoint_sequence, 0, {}));
  epoch_ = new_epoch;
  {
    std::lock_guard<std::mutex> lock(mu_);
    sync_progress_ = SyncProgress{};
    sync_progress_.epoch = new_epoch;
    sync_progress_.appended = true;
    sync_progress_.first_sequence = checkpoint_sequence;
    sync_progress_.last_sequence = checkpoint_sequence;
  }
  return Status::ok();
}

Status WalWriter::truncate_to_end() { return cut_to(end_offset_); }

Status WalWriter::trim_past_end(uint64_t keep_bytes) {
  const uint64_t new_size = end_offset_ + padded_bytes(keep_bytes);
  if (file_size_bytes_ <= new_size) return check_usable();
  return cut_to(new_size);
}

Status WalWriter::cut_to(uint64_t new_size) {
  assert(new_size >= end_offset_);
  RETURN_IF_ERROR(check_usable());
  Status s = file_->truncate(new_size);
  if (!s.is_ok()) return poison(std::move(s));
  s = file_->sync();
  if (!s.is_ok()) return poison(std::move(s));
  file_size_bytes_ = new_size;
  return Status::ok();
}

Status WalWriter::close() {
  if (!file_) return invalid(path_, "writer is already closed");
  Status s = file_->close();
  file_.reset();
  return s;
}

}  // namespace dbx::wal
