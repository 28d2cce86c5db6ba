// DatabaseImpl: the engine behind dbx::Database.
//
// Write path (one lock order: log_mutex_ → state_mutex_ → GroupCommit's):
//   validate → under log_mutex_: assign sequence, append the WAL record (one
//   write call: the record reaches the OS), apply to the delta → release →
//   Full: GroupCommit::sync_through(sequence) before acknowledging.
// Writes are therefore applied in sequence order, and a reader may observe a
// write before its writer is acknowledged (never one that is not in the log).
//
// Checkpoint (flush): under log_mutex_ (writers wait): WOS::apply(delta, C)
// returns once the new checkpoint is durable, directory entry included; only
// then is the WAL recycled (new epoch, Checkpoint record) and synced. A crash
// at any point leaves the old or the new checkpoint plus a log whose records
// at or below C are skipped by recovery.
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
#include <string>
#include <thread>
#include <vector>

#include "dbx/database.h"
#include "delta.h"
#include "faultfs/file_system.h"
#include "group_commit.h"
#include "wal/wal_record.h"

namespace dbx {

namespace wal {
class WalWriter;
}
namespace wos {
class WosStore;
}

class DatabaseImpl {
 public:
  // Opens the database in `path` (nullopt: in memory) and recovers it.
  static std::unique_ptr<DatabaseImpl> open(std::optional<std::string> path,
                                            const Options& options);
  ~DatabaseImpl();

  uint64_t write(std::vector<wal::Mutation> mutations);
  bool remove(std::string_view table, std::string_view key);
  std::optional<std::string> get(std::string_view table, std::string_view key) const;
  uint64_t count(std::string_view table) const;
  std::vector<Database::Row> range(std::string_view table, std::string_view begin,
                                   std::optional<std::string_view> end) const;
  std::vector<std::string> table_names() const;

  void flush();
  void set_flush_interval(std::chrono::milliseconds interval);
  void close();

  uint64_t last_sequence() const { return last_sequence_.load(std::memory_order_acquire); }
  Durability durability() const { return options_.durability; }
  RecoveryStats recovery_stats() const { return recovery_stats_; }

 private:
  DatabaseImpl(std::optional<std::string> path, const Options& options);

  void recover();  // recovery.cc
  void replay_record(const wal::Record& record);

  uint64_t append_and_apply(std::vector<wal::Mutation>&& mutations, wal::RecordKind kind);
  void apply_to_delta(std::vector<wal::Mutation>&& mutations);
  void checkpoint_locked();  // Requires log_mutex_.
  void sync_log_for_close();

  void check_writable() const;
  void check_open() const;
  void enter_read_only(const std::string& reason);
  bool exists_locked(std::string_view table, std::string_view key) const;

  void start_background();
  void stop_background();
  void background_loop();

  const std::optional<std::string> path_;  // nullopt: in memory.
  const Options options_;
  faultfs::FileSystem* const fs_;

  std::unique_ptr<faultfs::FileLock> lock_;
  std::unique_ptr<wos::WosStore> wos_;   // Null in memory.
  std::unique_ptr<wal::WalWriter> wal_;  // Null for kNone and in memory.
  std::unique_ptr<GroupCommit> group_commit_;
  std::string wal_path_;

  // Serializes appends, sequence assignment and checkpoints.
  mutable std::mutex log_mutex_;
  std::string payload_buffer_;  // Guarded by log_mutex_: reused for every record.
  std::atomic<uint64_t> last_sequence_{0};

  // Guards delta_ and the WOS index against concurrent readers.
  mutable std::shared_mutex state_mutex_;
  Delta delta_;
  std::atomic<uint64_t> delta_bytes_{0};

  std::atomic<bool> closed_{false};
  std::atomic<bool> read_only_{false};
  mutable std::mutex failure_mutex_;
  std::string failure_reason_;

  std::mutex background_mutex_;
  std::condition_variable background_wakeup_;
  bool background_stop_ = false;
  bool flush_requested_ = false;
  std::chrono::milliseconds flush_interval_;
  std::thread background_;

  RecoveryStats recovery_stats_;
};

}  // namespace dbx
