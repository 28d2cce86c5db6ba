// The state behind a SimFs: inodes, their durable and live images, and the
// queues of un-synced changes. Shared by the live operations (sim_fs.cc) and
// the crash machinery (crash_*.cc).
//
// Invariants (checked by State::check() in debug builds):
//  - every file's live bytes == its durable bytes with its pending changes
//    applied in order; pending ids ascend;
//  - every directory's live entries == its durable entries with the pending
//    directory changes that belong to it applied in order;
//  - change ids are unique across files and directories and ascend in issue
//    order; the root directory (kRootIno) always exists.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "faultfs/status.h"
#include "page_tree.h"

namespace faultfs::sim {

inline constexpr uint64_t kRootIno = 1;

struct FileChange {
  enum class Kind : uint8_t { kWrite, kTruncate };
  uint64_t id = 0;
  Kind kind = Kind::kWrite;
  uint64_t offset = 0;                      // kWrite: where; kTruncate: the new size.
  std::shared_ptr<const std::string> data;  // kWrite only; shared by clones.

  uint64_t length() const { return kind == Kind::kWrite ? data->size() : 0; }

  static FileChange write(uint64_t offset, std::string_view bytes) {
    FileChange c;
    c.offset = offset;
    c.data = std::make_shared<const std::string>(bytes);
    return c;
  }
  static FileChange truncate(uint64_t size) {
    FileChange c;
    c.kind = Kind::kTruncate;
    c.offset = size;
    return c;
  }
};

struct FileInode {
  uint64_t ino = 0;
  PageTree live;
  PageTree durable;
  std::vector<FileChange> pending;  // Issue order.
  // A writeback failure not yet reported: the next sync() returns it once.
  std::optional<ErrorCode> writeback_error;
  // FsModel::kExt4Ordered bookkeeping (ignored by kPosix). The id of the
  // last journaled change of this inode's metadata (its creation entry, a
  // truncate, an append): what its fdatasync must commit the journal up to.
  uint64_t meta_id = 0;
  // Truncated to zero since its last close (ext4's EXT4_STATE_DA_ALLOC_CLOSE):
  // the next close() forces the allocation of its appends (auto_da_alloc).
  bool da_alloc_close = false;
};

using DirEntries = std::map<std::string, uint64_t>;  // name -> inode.

struct DirInode {
  uint64_t ino = 0;
  std::map<std::string, uint64_t> live;
  std::map<std::string, uint64_t> durable;
  // The id of the last entry change of this directory, or of its own
  // creation entry: what its fsync commits the journal up to (kExt4Ordered).
  uint64_t last_change_id = 0;
};

// One entry edit; target 0 removes the entry.
struct EntryEdit {
  std::string name;
  uint64_t target = 0;
};

// An atomic change of one directory's entries.
struct DirChange {
  uint64_t id = 0;
  uint64_t dir = 0;
  std::vector<EntryEdit> edits;  // Applied together, in order.
  uint64_t partner = 0;  // The other half of a cross-directory rename (a change id), else 0.
};

// Positions in the kExt4Ordered journal: change `id` sits at 2 * id, and a
// moment between changes (a close) at the odd position before the next id.
inline uint64_t journal_pos(uint64_t id) { return 2 * id; }

// auto_da_alloc (kExt4Ordered): the appends of file `ino` with ids below
// `writes_before` were allocated at journal position `pos`, so they persist
// with any journal entry at or past `pos` (a rename over an existing file:
// the rename's own position; a close after a truncate to zero: the odd
// position of the close).
struct FlushPoint {
  uint64_t ino = 0;
  uint64_t writes_before = 0;
  uint64_t pos = 0;
};

struct State;

// A durable image remembered for kLostFile crashes (SimFs::keep_earlier_images).
struct EarlierImage {
  uint64_t point = 0;                  // Persistence points completed when taken.
  std::shared_ptr<const State> image;  // Durable entries and bytes only, reachable only.
};

struct State {
  State();  // An empty file system: the root directory only.

  // An independent copy; file pages stay shared copy-on-write.
  State deep_copy() const;

  bool is_file(uint64_t ino) const { return files.count(ino) != 0; }
  bool is_dir(uint64_t ino) const { return dirs.count(ino) != 0; }
  size_t pending_changes() const { return pending_file_changes + pending_dirs.size(); }
  // The pending directory change with `id`, or null.
  const DirChange* find_dir_change(uint64_t id) const;

  // Drops inodes that neither the live nor the durable namespace nor any
  // pending entry change can reach (open handles keep their own reference).
  void collect_garbage();

  // Asserts the invariants above (debug builds; O(bytes), for tests).
  void check() const;

  std::map<uint64_t, std::shared_ptr<FileInode>> files;
  std::map<uint64_t, std::shared_ptr<DirInode>> dirs;
  std::vector<DirChange> pending_dirs;  // Issue order.
  uint64_t next_ino = kRootIno + 1;
  uint64_t next_change_id = 1;
  // kExt4Ordered: every journal position below commit_pos is committed (a
  // sync or sync_dir forced it). Ignored by kPosix.
  uint64_t commit_pos = 0;
  // kExt4Ordered: the auto_da_alloc flushes of files with pending changes.
  std::vector<FlushPoint> flushes;
  size_t pending_file_changes = 0;
  // kLostFile: paths strictly under this directory (components) may be lost,
  // and restores pick among these earlier images (ascending point). Copied by
  // clones; crash images keep the scope only.
  std::vector<std::string> lost_file_scope;
  std::vector<EarlierImage> earlier;
};

void apply_file_change(PageTree& tree, const FileChange& change);
void apply_dir_change(std::map<std::string, uint64_t>& entries, const DirChange& change);

// Splits and checks a path (see sim_fs.h). kInvalidArgument on "..", an
// over-long path or name.
[[nodiscard]] Result<std::vector<std::string>> split_path(const std::string& path);

// The directory named by `parts` in the live namespace. kNotFound if a
// component is missing or is a file.
[[nodiscard]] Result<uint64_t> resolve_dir(const State& state, std::span<const std::string> parts,
                                           const std::string& path);

// The live entry `name` of directory `dir`, or 0.
uint64_t lookup(const State& state, uint64_t dir, const std::string& name);

// Every reachable file of a namespace: path -> inode. `durable` picks the
// durable entries instead of the live ones.
std::map<std::string, uint64_t> reachable_files(const State& state, bool durable);

// FNV-1a of a byte string, for descriptions.
uint64_t hash_bytes(std::string_view bytes, uint64_t seed = 0);

std::string describe_state(const State& state);

}  // namespace faultfs::sim
