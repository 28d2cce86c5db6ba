// An in-memory faultfs::FileSystem for the WOS tests, with the crash model of
// The crash model (faultfs/doc/crash_model.md) reduced to what the WOS protocols must survive:
//  - a file's bytes have a durable image (set by File::sync) and a current one;
//  - directory entry changes (create, rename, remove, mkdir) are queued until
//    sync_dir() of their directory; a crash keeps ANY subset of the queued
//    changes (strict POSIX), each change atomic in itself (a rename moves its
//    name as one step);
//  - a crash keeps, per file, either its durable or its current bytes.
// It also counts read_at calls and written bytes, and can "kill the process"
// after N mutating operations: every later mutating call fails with kIoError
// and changes nothing, which is what a crash at that point leaves behind.
//
// Paths are absolute ("/db/wos/conf"); the root "/" always exists.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "faultfs/file_system.h"

namespace dbx::wos::testing {

class FakeFs : public faultfs::FileSystem {
 public:
  FakeFs();

  // ---- counters (reset_counters() zeroes them) ----
  uint64_t read_calls() const;
  uint64_t bytes_written() const;  // append + write_at payload bytes
  uint64_t mutating_ops() const;
  void reset_counters();

  // From now on, allow `ops` more mutating operations, then refuse all.
  void stop_after(uint64_t ops);
  bool stopped() const;  // Whether some operation was refused.
  // Fails the mutating operation that comes after `ops` more (kIoError, no
  // effect), once; later operations work again (an I/O error, not a crash).
  void fail_once_after(uint64_t ops);

  // A deep copy of the whole state, pending changes included (no counters,
  // no stop limit). Open handles stay bound to this instance.
  std::unique_ptr<FakeFs> clone() const;

  // How many independent un-synced changes a crash may keep or drop: first
  // the queued directory changes in order, then the files whose current
  // bytes differ from their durable ones.
  size_t pending_choices() const;
  // The file system after a crash that keeps change i iff bit i of `keep` is
  // set. Everything in the image is durable.
  std::unique_ptr<FakeFs> crash_image(uint64_t keep) const;

  // Test access to a file's current bytes, bypassing counters and limits.
  // set_contents() changes the durable bytes too (models bit rot on disk).
  std::string contents(const std::string& path) const;
  void set_contents(const std::string& path, const std::string& data);

  // ---- faultfs::FileSystem ----
  faultfs::Result<std::unique_ptr<faultfs::File>> open(const std::string& path,
                                                       faultfs::OpenMode mode) override;
  faultfs::Status rename(const std::string& from, const std::string& to) override;
  faultfs::Status remove(const std::string& path) override;
  faultfs::Status mkdir(const std::string& path) override;
  faultfs::Result<std::vector<std::string>> list(const std::string& path) override;
  faultfs::Status sync_dir(const std::string& path) override;
  faultfs::Result<std::unique_ptr<faultfs::FileLock>> lock(const std::string& path) override;
  faultfs::Result<uint64_t> file_size(const std::string& path) override;
  faultfs::Result<bool> exists(const std::string& path) override;

 private:
  friend class FakeFile;
  struct Node {
    bool is_dir = false;
    std::string data;                            // Files: what reads see.
    std::string durable_data;                    // Files: what survives a crash for sure.
    std::map<std::string, int> entries;          // Dirs: current names.
    std::map<std::string, int> durable_entries;  // Dirs: synced names.
  };
  // One queued change of one directory entry; nullopt removes the name.
  struct Change {
    int dir = 0;
    std::string name;
    std::optional<int> node;
  };
  // A directory operation: its changes persist together or not at all.
  using Op = std::vector<Change>;

  // Resolves `path` to (parent dir id, leaf name); nullopt if a parent is missing.
  std::optional<std::pair<int, std::string>> resolve_parent(const std::string& path) const;
  std::optional<int> resolve(const std::string& path) const;
  // Counts one mutating op; false (and stopped_) once the limit is reached.
  bool admit();
  faultfs::Status refused(const std::string& what) const;

  mutable std::mutex mutex_;
  std::map<int, Node> nodes_;
  int next_id_ = 1;
  std::vector<Op> pending_;
  std::set<std::string> locks_;
  uint64_t read_calls_ = 0;
  uint64_t bytes_written_ = 0;
  uint64_t ops_ = 0;
  std::optional<uint64_t> ops_limit_;
  std::optional<uint64_t> fail_at_;
  bool stopped_ = false;
};

}  // namespace dbx::wos::testing
