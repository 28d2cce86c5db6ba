// Options for opening a DBX database.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>

#include "dbx/encryption.h"

namespace faultfs {
class FileSystem;
}

namespace dbx {

// What survives a crash; the contract the oracle checks (engine/doc/contract.md).
enum class Durability {
  kNone,  // No WAL: data persists at flush() and close().
  kLazy,  // WAL written to the OS per write; synced every sync_interval.
  kFull,  // A write returns only after its WAL record is synced.
};

// What recovery does with a bad WAL record that is followed by good ones.
// A bad record with nothing valid after it is a torn tail in every mode: it
// is the expected leftover of a crash, truncated and logged.
enum class RecoveryMode {
  kStrict,         // Fail the open with kCorruption (default).
  kTolerateTail,   // Stop at the bad record, keep everything before it and
                   // drop everything after it (a consistent prefix).
  kSkipCorrupted,  // Skip bad records and replay the valid ones after them.
                   // May break the prefix property: for salvage only.
};

struct Options {
  Durability durability = Durability::kLazy;
  // Lazy mode: how often the background thread syncs the WAL.
  std::chrono::milliseconds sync_interval{100};
  // When non-zero, a background flush() runs at this period.
  std::chrono::milliseconds flush_interval{0};
  // flush() runs after a write when the delta store holds this many bytes.
  uint64_t delta_flush_threshold_bytes = 64ull << 20;
  RecoveryMode recovery_mode = RecoveryMode::kStrict;
  // WAL space written with zeros ahead of the append point (synced once per
  // chunk), so that Full's per-write syncs overwrite allocated blocks instead
  // of growing the file. 0 disables it. At most 256 MiB.
  uint64_t wal_preallocate_bytes = 4ull << 20;
  // A checkpoint compacts the store's db file once it would exceed both 2x
  // its live bytes and this (engine/doc/wos_format.md). Smaller values bound
  // the file tighter at the cost of more rewrites; crash harnesses lower it
  // so that short histories crash inside compactions. At least 4 KiB.
  uint64_t wos_compaction_min_bytes = 1ull << 20;
  // When false, no background thread runs: Lazy's periodic sync and the
  // background checkpoints (requested by the delta threshold, or due by
  // flush_interval) run only inside Database::run_background_work(now), on
  // the caller's clock. For harnesses that need every run to be the same.
  bool background_threads = true;
  // The file system every byte goes through; nullptr means the real POSIX one.
  // Not owned; must outlive the Database.
  faultfs::FileSystem* file_system = nullptr;
  // Opens an existing database without writing a byte, for verifying a backup
  // or inspecting a database on a read-only mount: no directory, LOCK or WAL
  // is created, nothing is truncated, synced, renamed or removed. Recovery
  // runs in memory (a torn tail is left unread, not cut) and the handle serves
  // that state; writes and flush() throw read_only. A shared lock is taken on
  // LOCK when it exists and can be opened read-only (writers then get busy,
  // other read-only handles coexist); otherwise none is taken. An open that
  // cannot finish without a write (no database at the path, a compaction a
  // crash interrupted) throws read_only naming the path.
  bool read_only = false;
  // Encryption at rest (dbx/encryption.h, engine/doc/encryption.md). Set:
  // the database is created encrypted, or must be an encrypted one (a plain
  // database is then invalid_argument, a wrong key invalid_key). Unset: an
  // encrypted database is refused with invalid_argument. In memory, nothing
  // is on disk to seal; the handle still reports is_encrypted().
  std::optional<EncryptionConfig> encryption;
  // Lab double knob, never for a program: every nonce is a counter that
  // starts at 0 at each open instead of random bits, the classic nonce-reuse
  // bug ("dbx-encrypted-nonce-restart", which the crash lab's nonce check
  // must catch). Reopening then seals new plaintexts under nonces already on
  // disk with the same data key, which voids the AEAD's guarantees.
  bool lab_nonce_counter_restarts = false;
};

// Limits enforced on every write (invalid_argument beyond them).
inline constexpr size_t kMaxTableNameBytes = 255;
inline constexpr size_t kMaxKeyBytes = 64 * 1024;
inline constexpr size_t kMaxValueBytes = 16 * 1024 * 1024;
// A WAL record (one batch) may not exceed this many payload bytes.
inline constexpr size_t kMaxBatchBytes = 64 * 1024 * 1024;

}  // namespace dbx
