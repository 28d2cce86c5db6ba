// Appends framed records to the recycled WAL file (engine/doc/wal_format.md).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "faultfs/file_system.h"
#include "faultfs/status.h"
#include "wal/wal_format.h"

namespace dbx::crypto {
class Sealer;
}

namespace dbx::wal {

// Not thread-safe, except sync() and note_synced(), which may run on another
// thread concurrently with append() and recycle().
//
// Every record carries `synced_sequence`: the sequence of the newest record
// of the current epoch that this writer knows to be durable (0 when none).
// The reader relies on it to tell corruption from a torn tail, so it must
// never claim more than is true: it is advanced by a successful sync() (to
// the last record appended before that sync started) and by note_synced(),
// and it restarts at 0 in every new epoch.
//
// After a failed write or sync the writer is poisoned: every later append,
// recycle or sync fails with kIoError. A failed fdatasync may have dropped
// dirty pages, so records written before it can no longer be claimed durable;
// the engine reopens (recovery then sees what really reached the disk).
class WalWriter {
 public:
  static constexpr uint64_t kPreallocationShareOfFree = 8;

  // Creates `path`, or resets it in place, as a fresh log with `epoch` (>= 1)
  // starting after checkpoint `base_sequence` (0: after nothing; the engine
  // always passes the store's checkpoint): writes the header over the
  // first sector (one write), cuts the file to the header and syncs it. The
  // existing file is never truncated to 0 first, so a crash leaves its old
  // header or the new one. The caller syncs the directory. Appends start at
  // kFirstRecordOffset.
  // With a `sealer` (not owned; outlives the writer) the log is an encrypted
  // one (header version 3) and every payload is sealed (wal_seal.h).
  [[nodiscard]] static faultfs::Result<std::unique_ptr<WalWriter>> create(
      faultfs::FileSystem& fs, const std::string& path, uint32_t epoch, uint64_t base_sequence = 0,
      const crypto::Sealer* sealer = nullptr);

  // Continues an existing log with header `epoch` whose valid records end at
  // `end_offset` (WalReadSummary::end_offset). Checks that the header on disk
  // carries `epoch`. When the summary said must_truncate, call truncate_to_end()
  // before the first append.
  [[nodiscard]] static faultfs::Result<std::unique_ptr<WalWriter>> resume(
      faultfs::FileSystem& fs, const std::string& path, uint32_t epoch, uint64_t end_offset,
      const crypto::Sealer* sealer = nullptr);

  WalWriter(const WalWriter&) = delete;
  WalWriter& operator=(const WalWriter&) = delete;
  ~WalWriter();

  // Frames `payload` and writes it at the end with ONE File::write_at call.
  // Returns the log offset just past the record. `sequence` must exceed the
  // previous record's written by this writer. Reuses an internal buffer: no
  // heap allocation per call in steady state.
  [[nodiscard]] faultfs::Result<uint64_t> append(RecordKind kind, uint64_t sequence,
                                                 std::string_view payload);

  // fdatasync of the log file; on success, every record appended before the
  // call began is durable and later records say so in synced_sequence.
  [[nodiscard]] faultfs::Status sync();

  // Appends a kSyncProof record when the last successful sync made durable
  // more than any record written so far claims, so that a reader can tell a
  // damaged synced record from a crash's torn tail even if no write follows.
  // The proof itself is not synced: it only has to exist. Not thread-safe
  // against append() and recycle() (the caller serializes them).
  [[nodiscard]] faultfs::Status append_sync_proof();

  // Records that every record with sequence <= `sequence` is durable (the
  // engine calls it after a sync it knows covered them). Clamped to the records
  // this writer appended in the current epoch; older sequences are ignored.
  void note_synced(uint64_t sequence);

  // The cut after a durable checkpoint at `checkpoint_sequence`, which must
  // cover every record in the log: epoch + 1, rewrite the header at offset 0
  // (one 512-byte write_at), write a kCheckpoint record at kFirstRecordOffset,
  // and continue appending after it. Does not truncate. Does not sync.
  [[nodiscard]] faultfs::Status recycle(uint64_t checkpoint_sequence);

  // Drops every byte past end_offset() and syncs: what the engine does after
  // recovery reported must_truncate, before appending.
  [[nodiscard]] faultfs::Status truncate_to_end();

  // Cuts the file to end_offset() + `keep_bytes` (rounded to
  // kRecordAlignment) when it is longer, and syncs. What lies past the end is
  // recycled space (an older epoch's records, all covered by the checkpoint
  // of a cut) or preallocated zeros: nothing a reader needs. Why: every open
  // scans the space past the end of the log for a record that would prove a
  // loss, so a log once grown to hundreds of MB and then cut would cost each
  // later open time in proportion (~1 ms per MB). A clean close trims it.
  [[nodiscard]] faultfs::Status trim_past_end(uint64_t keep_bytes);

  // When the next record would pass the file's end, first extend the file
  // with `bytes` (rounded to kRecordAlignment) of written zeros and sync
  // them, so that the syncs of the records that follow overwrite allocated
  // blocks and need no metadata update. Zeros read as a clean end of log.
  // 0 (the default) disables it. Not thread-safe: call before appending.
  // Disk space: one extension never takes more than 1/kPreallocationShareOfFree
  // of the space the file system reports available, and an extension that
  // meets ENOSPC is abandoned (the record is then written without one).
  void set_preallocation_bytes(uint64_t bytes);

  // Closes the file. Further calls fail with kInvalidArgument.
  [[nodiscard]] faultfs::Status close();

  uint64_t end_offset() const { return end_offset_; }
  uint32_t epoch() const { return epoch_; }
  uint64_t file_size_bytes() const { return file_size_bytes_; }
  const std::string& path() const { return path_; }

 private:
  // What sync() may claim, shared with the syncing thread under mu_.
  struct SyncProgress {
    uint32_t epoch = 0;
    bool appended = false;          // This writer appended a record in `epoch`.
    uint64_t first_sequence = 0;    // The first such record's sequence.
    uint64_t last_sequence = 0;     // The newest such record's sequence.
    uint64_t synced_sequence = 0;   // 0, or a sequence in [first, last] known durable.
    uint64_t claimed_sequence = 0;  // The most any frame of `epoch` claims synced.
  };

  WalWriter(faultfs::FileSystem& fs, std::unique_ptr<faultfs::File> file, uint32_t epoch,
            uint64_t end_offset, uint64_t file_size_bytes);

  // How many zeros one extension may write now: the configured amount, or
  // less on a file system short of space.
  uint64_t preallocation_chunk_bytes();

  // Extends the file with synced zeros when a frame ending at `frame_end`
  // would not fit (see set_preallocation_bytes).
  [[nodiscard]] faultfs::Status ensure_preallocated(uint64_t frame_end);
  // An extension met ENOSPC: keep what landed, go on without it.
  [[nodiscard]] faultfs::Status abandon_preallocation(const faultfs::Status& no_space);

  // Truncates the file to `new_size` (>= end_offset()) and syncs.
  [[nodiscard]] faultfs::Status cut_to(uint64_t new_size);
  // Checks the writer can still write: open and not poisoned.
  [[nodiscard]] faultfs::Status check_usable() const;
  // Frames one record into frame_ and writes it at end_offset_ in one call.
  [[nodiscard]] faultfs::Status write_frame(RecordKind kind, uint32_t epoch, uint64_t sequence,
                                            uint64_t synced_sequence, std::string_view payload);
  [[nodiscard]] faultfs::Status poison(faultfs::Status failure);

  faultfs::FileSystem& fs_;
  std::unique_ptr<faultfs::File> file_;
  std::string path_;
  uint32_t epoch_;
  uint64_t end_offset_;
  uint64_t file_size_bytes_;
  uint64_t preallocation_bytes_ = 0;
  std::string frame_;                       // Reused across appends.
  const crypto::Sealer* sealer_ = nullptr;  // Encrypted log when set.
  std::atomic<bool> failed_{false};
  std::mutex mu_;
  SyncProgress sync_progress_;  // Guarded by mu_.
};

}  // namespace dbx::wal
