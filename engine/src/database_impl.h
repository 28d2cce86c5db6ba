// DatabaseImpl: the engine behind dbx::Database.
//
// Write path (one lock order: checkpoint_mutex_ → log_mutex_ → state_mutex_ →
// GroupCommit's):
//   validate → under log_mutex_: assign sequence, append the WAL record (one
//   write call: the record reaches the OS), apply to the delta → release →
//   Full: GroupCommit::sync_through(sequence) before acknowledging.
// Writes are therefore applied in sequence order, and a reader may observe a
// write before its writer is acknowledged (never one that is not in the log).
//
// Checkpoint (flush, checkpoint.cc), one at a time under checkpoint_mutex_:
//  1. freeze: under log_mutex_, the delta becomes frozen_ at sequence C (the
//     last appended) and writers continue into a fresh delta;
//  2. WOS::prepare(frozen_, C) writes the checkpoint and returns once it is
//     durable, directory entries included, while writers and readers go on
//     (readers see delta_ over frozen_ over the WOS);
//  3. publish: under state_mutex_, the WOS's memory switches and frozen_ goes;
//  4. cut: only when the log holds no record above C (checked under
//     log_mutex_) is the WAL recycled (new epoch, Checkpoint record) and
//     synced. If writers appended meanwhile, a small delta is checkpointed
//     again with writers held (then cut); a large one leaves the log uncut
//     until a later checkpoint, its records at or below C being skipped by
//     recovery. flush() always cuts; the WAL's length is bounded by forcing
//     the cut past wal_bytes_max().
// A crash at any point leaves the old or the new checkpoint plus a log whose
// records at or below it are skipped by recovery.
//
// Failure: a failed WAL write or sync, or a failed checkpoint, makes the
// handle read-only (writes throw read_only) until it is reopened.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "crypto/key_file.h"
#include "crypto/sealer.h"
#include "dbx/database.h"
#include "delta.h"
#include "faultfs/file_system.h"
#include "group_commit.h"
#include "mvcc/version_store.h"
#include "wal/wal_reader.h"
#include "wal/wal_record.h"

namespace dbx {

namespace wal {
class WalWriter;
}
namespace wos {
class WosStore;
}
struct LogReplayResult;

// `base` (rows of `table` in [begin, end), key order) with `delta`'s entries
// for the same range laid over it: a value replaces or adds, a tombstone
// removes. `end` nullopt: unbounded.
std::vector<Database::Row> overlay_delta(std::vector<Database::Row> base, const Delta& delta,
                                         std::string_view table, std::string_view begin,
                                         std::optional<std::string_view> end);

class DatabaseImpl {
 public:
  // Opens the database in `path` (nullopt: in memory) and recovers it.
  static std::unique_ptr<DatabaseImpl> open(std::optional<std::string> path,
                                            const Options& options);
  ~DatabaseImpl();

  // A write of one or more mutations (one WAL record); the views need only
  // outlive the call.
  uint64_t write(std::span<const wal::MutationView> mutations);
  bool remove(std::string_view table, std::string_view key);
  std::optional<std::string> get(std::string_view table, std::string_view key) const;
  uint64_t count(std::string_view table) const;
  std::vector<Database::Row> range(std::string_view table, std::string_view begin,
                                   std::optional<std::string_view> end) const;
  std::vector<std::string> table_names() const;

  // Snapshots and transactions (snapshot_reads.cc): a pin at the last
  // applied sequence, reads as of a pinned sequence, and a commit that fails
  // with write_conflict if a key it writes changed after `sequence`.
  uint64_t pin_snapshot();
  void unpin_snapshot(uint64_t sequence) noexcept;
  // One more pin at `sequence`, which must be pinned already (an iterator
  // outliving its snapshot keeps the versions it reads).
  void repin_snapshot(uint64_t sequence);
  std::optional<std::string> get_at(std::string_view table, std::string_view key,
                                    uint64_t sequence) const;
  // Rows of [begin, end) as of `sequence`, at most about `limit` per layer:
  // `rows` is complete up to `next_begin` (exclusive; nullopt: up to `end`).
  struct Chunk {
    std::vector<Database::Row> rows;
    std::optional<std::string> next_begin;
  };
  Chunk range_at(std::string_view table, std::string_view begin,
                 std::optional<std::string_view> end, uint64_t sequence, size_t limit) const;
  uint64_t commit_at(uint64_t sequence, std::span<const wal::MutationView> mutations);
  // Old versions held for readers (tests: memory returns to the baseline).
  size_t undo_count() const;

  void flush();
  void set_flush_interval(std::chrono::milliseconds interval);
  void close();
  // close(), its error logged: for destructors.
  void close_quietly() noexcept;
  void run_background_work(std::chrono::nanoseconds now);  // recovery.cc

  // encryption_setup.cc: Database::rotate_key.
  uint64_t rotate_key(const EncryptionConfig& config, bool reencrypt);
  bool is_encrypted() const { return options_.encryption.has_value(); }

  uint64_t last_sequence() const { return last_sequence_.load(std::memory_order_acquire); }
  Durability durability() const { return options_.durability; }
  RecoveryStats recovery_stats() const { return recovery_stats_; }

 private:
  DatabaseImpl(std::optional<std::string> path, const Options& options);

  void recover();  // recovery.cc
  // encryption_setup.cc: reads (or, for a new database, writes) the key
  // file and sets up sealer_; refuses a key for a plain database and a plain
  // open of an encrypted one.
  void setup_encryption(const std::string& dir);
  [[nodiscard]] crypto::KeySet create_key_file(const std::string& dir);
  // The sealer's keys, as the key file holds them (for re-wrapping).
  [[nodiscard]] crypto::KeySet sealer_key_set() const;
  // rotate_key's re-encryption, with checkpoint_mutex_ held.
  uint64_t reencrypt_holding(const EncryptionConfig& config);
  // recovery.cc: the replay's figures into recovery_stats_; the open's
  // elapsed time into recovery_stats_ and its per-phase timing into the log.
  struct OpenPhases {
    std::chrono::steady_clock::time_point started, wos_loaded, replayed, finished;
  };
  void record_replay_stats(const LogReplayResult& replay);
  void record_open_timing(const LogReplayResult& replay, const OpenPhases& phases);
  bool vouch_for_log(const wal::WalReadSummary& summary);
  void open_log(const wal::WalReadSummary& summary, bool loss_accepted);

  uint64_t append_and_apply(std::span<const wal::MutationView> mutations, wal::RecordKind kind);
  // Requires state_mutex_ held exclusively.
  void apply_to_delta(std::span<const wal::MutationView> mutations);
  // Requires state_mutex_ held exclusively: the undos pinned readers need of
  // the write `sequence`, taken before it applies.
  void record_undos(std::span<const wal::MutationView> mutations, uint64_t sequence);
  // Requires state_mutex_ held: the current value through every layer.
  std::optional<std::string> value_locked(std::string_view table, std::string_view key) const;
  // Requires state_mutex_ held: the first rows of [begin, end) through every
  // layer, complete up to the returned chunk's next_begin.
  Chunk current_chunk_locked(std::string_view table, std::string_view begin,
                             std::optional<std::string_view> end, size_t limit) const;
  // A Full write's acknowledgement: its sync. `what` names the write in errors.
  void acknowledge(uint64_t sequence, const char* what);
  // checkpoint.cc
  enum class CutPolicy {
    kAlways,     // flush(), close(): the log ends up cut, writers held if need be.
    kWhenCheap,  // Background: cut only if it costs writers little or the log is too long.
  };
  void checkpoint(CutPolicy policy);
  void checkpoint_holding(CutPolicy policy);  // Requires checkpoint_mutex_.
  // Steps 1-3 above; returns the sequence the WOS now covers. With
  // `held_log_lock` the caller holds log_mutex_ (and writers wait throughout).
  uint64_t checkpoint_delta(std::unique_lock<std::mutex>* held_log_lock);
  void cut_log(uint64_t checkpoint);  // Requires log_mutex_, no record above `checkpoint`.
  // Trims the WAL to its live log when space lies past its end (a checkpoint
  // that met a full disk retries after it). Whether anything was released.
  bool release_wal_space(std::unique_lock<std::mutex>* held_log_lock);
  // Whether the disk may lack room for a checkpoint of `checkpoint_bytes`.
  bool short_of_space(uint64_t checkpoint_bytes) const;
  uint64_t catch_up_bytes_max() const;
  uint64_t wal_bytes_max() const;
  void after_write();

  void check_writable() const;
  // Whether writes go to the WAL (every durability but kNone).
  bool logs_records() const { return options_.durability != Durability::kNone; }
  void check_open() const;
  void enter_read_only(const std::string& reason);
  bool exists_locked(std::string_view table, std::string_view key) const;
  bool exists_below_delta_locked(std::string_view table, std::string_view key) const;

  void start_background();
  void stop_background();
  void background_loop();  // Checkpoints: on request and every flush_interval_.
  void sync_loop();        // Lazy: a WAL sync every sync_interval.
  void background_sync();  // One Lazy sync of everything appended, if needed.

  const std::optional<std::string> path_;  // nullopt: in memory.
  const Options options_;
  // Read-only open: the view every file access goes through (read_only_fs.h).
  const std::unique_ptr<faultfs::FileSystem> read_only_view_;
  faultfs::FileSystem* const fs_;

  std::unique_ptr<faultfs::FileLock> lock_;
  // Encrypted databases on disk: the sealer every WAL, WOS and conf byte
  // goes through, and the only holder of the data keys (null for plain and
  // in-memory databases). Its keys change only in rotate_key, under
  // checkpoint_mutex_.
  std::unique_ptr<crypto::Sealer> sealer_;
  std::optional<EncryptionConfig> encryption_;  // The user's current key.
  std::unique_ptr<wos::WosStore> wos_;          // Null in memory.
  // Null in memory. In kNone it holds only its header: no record is ever
  // appended, but each checkpoint recycles it, so its base sequence vouches
  // for the store (a deleted or rolled-back wos/ is then corruption, not an
  // empty or older database served as if nothing happened).
  std::unique_ptr<wal::WalWriter> wal_;
  std::unique_ptr<GroupCommit> group_commit_;
  std::string wal_path_;

  // Serializes checkpoints (and close against a running one).
  std::mutex checkpoint_mutex_;
  // The sequence the WAL was last recycled at; 0: not since open.
  uint64_t wal_cut_sequence_ = 0;  // Guarded by log_mutex_.
  // The last checkpoint this handle saw become durable: its own, or the one
  // open found (synced by the WOS open). Guarded by checkpoint_mutex_.
  uint64_t wos_applied_sequence_ = 0;

  // Serializes appends and sequence assignment.
  mutable std::mutex log_mutex_;
  std::string payload_buffer_;  // Guarded by log_mutex_: reused for every record.
  std::atomic<uint64_t> last_sequence_{0};

  // Guards delta_, frozen_ and the WOS's memory against concurrent readers.
  mutable std::shared_mutex state_mutex_;
  Delta delta_;
  // Old versions for snapshots and transactions. Guarded by state_mutex_.
  mvcc::VersionStore versions_;
  // The delta a running checkpoint is writing to the WOS; null otherwise.
  // Immutable while set.
  std::unique_ptr<Delta> frozen_;
  std::atomic<uint64_t> delta_bytes_{0};

  std::atomic<bool> closed_{false};
  std::atomic<bool> read_only_;  // Set from the open for Options::read_only.
  mutable std::mutex failure_mutex_;
  std::string failure_reason_;

  std::mutex background_mutex_;
  std::condition_variable background_wakeup_;
  bool background_stop_ = false;
  bool flush_requested_ = false;
  // Set by set_flush_interval: the background loop recomputes its deadline
  // (a wait already running towards the old one would otherwise not end).
  bool flush_interval_changed_ = false;
  std::chrono::milliseconds flush_interval_;
  std::thread background_;
  std::thread syncer_;
  // Without background threads: the caller's clock at the last sync check and
  // the last background checkpoint (nullopt: none yet). Guarded by
  // background_mutex_.
  std::optional<std::chrono::nanoseconds> manual_synced_at_;
  std::optional<std::chrono::nanoseconds> manual_flushed_at_;

  RecoveryStats recovery_stats_;
};

}  // namespace dbx
