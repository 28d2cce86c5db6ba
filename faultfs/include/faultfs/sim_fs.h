// SimFs: an in-memory FileSystem that can be crashed in every way a disk and
// a kernel may, deterministically from a seed.
//
// Per file it keeps the durable image and the ordered queue of un-synced
// changes (writes, truncates); per directory the durable entries, and for the
// whole file system the ordered queue of un-synced entry changes (create,
// rename, remove, mkdir, rmdir), each belonging to one directory. Reads see the
// latest state, as through a page cache. crash() builds the image a rebooted
// machine would see; crash_with() rebuilds it from a recorded CrashChoice.
//
// Paths: components split on '/', empty and "." components ignored, ".."
// refused; a leading '/' is ignored, so "/a/b" and "a/b" name the same file.
// The root always exists. remove() refuses directories, as unlink(2) does.
//
// Cost: file contents are persistent page trees shared between the live
// state, the durable image, clones and crash images, so clone() and crash()
// cost O(files + directory entries + pending changes), never O(bytes).
//
// Thread-safety: every method may be called from any thread (one lock per
// SimFs; crash images and clones are independent SimFs).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "faultfs/crash.h"
#include "faultfs/file_system.h"

namespace faultfs {

namespace sim {
struct Core;
}  // namespace sim

// Bounds that SimFs enforces (kInvalidArgument beyond, kNoSpace for the queue).
inline constexpr uint64_t kSimFileBytesMax = uint64_t{1} << 40;
inline constexpr size_t kSimPathBytesMax = 4096;
inline constexpr size_t kSimNameBytesMax = 255;
// Un-synced changes the whole file system may hold, like a dirty-page limit;
// beyond it a mutating call fails with kNoSpace until something is synced.
inline constexpr size_t kSimPendingChangesMax = size_t{1} << 20;

enum class OpKind {
  kMutation,  // open that created or truncated, append, write_at, truncate,
              // rename, remove, mkdir, rmdir, lock that created its file.
  kSync,      // File::sync().
  kSyncDir,   // FileSystem::sync_dir().
};

// One completed operation, as a crash-point hook sees it.
struct OpEvent {
  OpKind kind = OpKind::kMutation;
  std::string_view op;              // "append", "sync", "sync_dir", ...
  std::string_view path;            // As the caller spelled it.
  uint64_t mutations = 0;           // Mutating ops completed so far, this one included.
  uint64_t persistence_points = 0;  // sync + sync_dir completed so far, this one included.
};

struct SimFsStats {
  uint64_t mutations = 0;
  uint64_t syncs = 0;
  uint64_t dir_syncs = 0;
  uint64_t bytes_written = 0;  // By append and write_at.
  uint64_t failed_syncs = 0;   // Writeback failures reported (see fail_writeback()).
};

// A 128-bit digest of a whole durable image (SimFs::fingerprint()): equal
// digests mean equal entries and bytes, whatever state the images came from.
using ImageFingerprint = std::pair<uint64_t, uint64_t>;

// What SimFs::visit_crashes() walked.
struct CrashVisit {
  uint64_t candidates = 0;  // Choices tried and walk steps, within the budget.
  uint64_t distinct = 0;    // Images passed to the visitor.
  uint64_t duplicates = 0;  // Choices whose image an earlier choice had made.
  bool stopped = false;     // The visitor asked to stop.
  // Every distinct image was visited: the choice space fit the budget and
  // the visitor never stopped the walk.
  bool complete = false;
};

// Receives one distinct crash image's choice and fingerprint; false stops.
using CrashVisitor = std::function<bool(const CrashChoice&, const ImageFingerprint&)>;

class SimFs final : public FileSystem {
 public:
  SimFs();
  ~SimFs() override;
  SimFs(const SimFs&) = delete;
  SimFs& operator=(const SimFs&) = delete;

  // FileSystem.
  [[nodiscard]] Result<std::unique_ptr<File>> open(const std::string& path, OpenMode mode) override;
  [[nodiscard]] Status rename(const std::string& from, const std::string& to) override;
  [[nodiscard]] Status remove(const std::string& path) override;
  [[nodiscard]] Status mkdir(const std::string& path) override;
  [[nodiscard]] Status rmdir(const std::string& path) override;
  [[nodiscard]] Result<std::vector<std::string>> list(const std::string& path) override;
  [[nodiscard]] Status sync_dir(const std::string& path) override;
  [[nodiscard]] Result<std::unique_ptr<FileLock>> lock(const std::string& path) override;
  [[nodiscard]] Result<uint64_t> file_size(const std::string& path) override;
  [[nodiscard]] Result<bool> exists(const std::string& path) override;

  // The image a rebooted machine would see: the durable state plus a random
  // choice of the pending changes allowed by `options`. The result has no
  // pending changes, no hook, no halt, no locks and zero counters; inode
  // numbers are kept. `options` must be valid (validate_crash_options()).
  [[nodiscard]] std::unique_ptr<SimFs> crash(const CrashOptions& options, std::mt19937_64& rng,
                                             CrashChoice* choice_out = nullptr) const;

  // The choice crash() would draw with `rng` in this state, without building
  // its image: a caller that keeps only distinct choices builds each image
  // once, with crash_with(). Draws exactly what crash() draws.
  [[nodiscard]] CrashChoice draw_crash_choice(const CrashOptions& options,
                                              std::mt19937_64& rng) const;

  // Rebuilds the image `choice` describes. kInvalidArgument if `choice` does
  // not fit this state (an id that is not pending, an order or subset the
  // policy forbids, a torn write that is not a write...) or if its options
  // differ from `options`.
  [[nodiscard]] Result<std::unique_ptr<SimFs>> crash_with(const CrashOptions& options,
                                                          const CrashChoice& choice) const;

  // Distinct crash images of the current pending state under `options`:
  // every one of them while they number at most `max_images` (and the choice
  // space is small enough to walk), else `max_images` of them (or fewer if
  // sampling finds no more), chosen with `rng`. No two results yield the
  // same image. 1 <= max_images <= 1 << 20.
  [[nodiscard]] std::vector<CrashChoice> enumerate_crashes(const CrashOptions& options,
                                                           size_t max_images,
                                                           std::mt19937_64& rng) const;

  // The distinct crash images of the current pending state under `options`,
  // one call of `visit` each, found by the same walk as enumerate_crashes()
  // but never sampled: it visits every one (complete) unless the choice space
  // exceeds `candidates_max` candidates or `visit` returns false, and
  // duplicates cost a build and a digest, never a visit. `visit` runs with
  // this SimFs locked (as an op hook does). `rng` only seeds the garbage of
  // torn sectors, recorded in each choice. candidates_max >= 1.
  [[nodiscard]] CrashVisit visit_crashes(const CrashOptions& options, size_t candidates_max,
                                         std::mt19937_64& rng, const CrashVisitor& visit) const;

  // A whole-image digest of the durable state (for a crash image, all of it):
  // every directory's entries and every file's bytes, by inode. O(bytes).
  ImageFingerprint fingerprint() const;

  // A copy of the live state, pending changes included, sharing file pages
  // copy-on-write. Like a crash image it has no hook, halt, locks or counts.
  [[nodiscard]] std::unique_ptr<SimFs> clone() const;

  // Pending file changes plus pending directory-entry changes.
  size_t pending_changes() const;
  SimFsStats stats() const;

  // Crash points. The hook runs after every successful mutating op, sync and
  // sync_dir, on the caller's thread with this SimFs locked, so it may call
  // crash(), clone(), enumerate_crashes() and the accessors, but no
  // FileSystem method of this SimFs. Pass nullptr to remove it.
  void set_op_hook(std::function<void(const OpEvent&)> hook);

  // Power loss mid-workload: once `count` mutating ops (resp. syncs and
  // sync_dirs together) have completed, every later mutating op, sync and
  // sync_dir fails with kIoError "halted"; reads still work. A count already
  // reached halts at once. Each call replaces the previous halt rule.
  void halt_after_mutations(uint64_t count);
  void halt_after_persistence_points(uint64_t count);
  void halt();
  void clear_halt();
  bool halted() const;

  // kLostFile crashes lose one path strictly under `dir` (by default: any
  // path). Kept by clones and crash images. kInvalidArgument on a bad path.
  [[nodiscard]] Status set_lost_file_scope(const std::string& dir);
  // From now on, at each persistence point that changed the durable state,
  // remembers the durable image for kLostFile restores, keeping at most
  // `images_max` (>= 3; 0 stops taking new ones), spread over the history.
  // Images are named by the persistence point they were taken at; clones
  // carry them (and take no new ones), crash images do not.
  void keep_earlier_images(size_t images_max);

  // Creates `path` and its missing parents as directories that are already
  // durable (as if they existed before the workload). Not counted, no hook.
  [[nodiscard]] Status create_dirs_durable(const std::string& path);

  // An asynchronous writeback failure of the file at `path`, as Linux has
  // them: its un-synced changes are dropped now (reads see the durable bytes)
  // and the next sync() of the file, on any handle, fails once with `code`.
  [[nodiscard]] Status fail_writeback(const std::string& path, ErrorCode code);

  // Every file reachable from the root in the live state: path -> bytes.
  // Paths have no leading '/'. For tests and reports.
  std::map<std::string, std::string> live_files() const;

  // A canonical dump of the whole state (live and durable entries, sizes and
  // content hashes, pending changes with their ids). Two SimFs that received
  // the same operations from empty describe themselves identically.
  std::string describe() const;

 private:
  explicit SimFs(std::shared_ptr<sim::Core> core);

  std::shared_ptr<sim::Core> core_;
};

}  // namespace faultfs
