// Crash policies and the record of every choice one crash made.
//
// A crash keeps the durable image of every file and directory and applies a
// choice of the pending (un-synced) changes (README, "Crash torture"). The
// policies kCorrupt and kLostFile go beyond that contract: they damage data
// that was durable. A CrashChoice names that choice completely, so that
// SimFs::crash_with() rebuilds the very same image from the same pre-crash
// state: it is what a failure artifact stores to replay one crash exactly.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "faultfs/status.h"

namespace faultfs {

enum class CrashPolicy {
  kDrop,     // No pending change survives (a page cache cleared).
  kPrefix,   // An in-order prefix of each queue survives.
  kReorder,  // Any subset of the pending changes, applied in any order.
  kTorn,     // As kReorder, and at most one write persisted in part, per sector.
  kCorrupt,  // As kPrefix, then one bit flipped or one sector lost in the image.
  // As kPrefix, then one file or directory strictly under the lost-file scope
  // (SimFs::set_lost_file_scope) deleted, or restored as it was in an earlier
  // durable image (SimFs::keep_earlier_images), as a backup restore or a lost
  // rename leaves it.
  kLostFile,
};

// Whether `policy` damages durable data (kCorrupt, kLostFile).
bool is_beyond_contract(CrashPolicy policy);
// Whether `path` may be a LostFile::path: non-empty names of [A-Za-z0-9._-]
// (not "." or ".."), joined by single '/'.
bool is_lost_file_path(std::string_view path);

// The file system whose crash behaviour a crash imitates: which pending
// changes may survive, and which a sync forces (faultfs/doc/crash_model.md).
enum class FsModel {
  // POSIX as written, the default. A file's data and size become durable
  // only through its own sync(); each directory's pending entry changes
  // persist on their own, per policy, and only sync_dir() of that directory
  // makes them durable. What an un-synced rename(from, to) may leave behind:
  //  - same directory: one atomic change of that directory, so a crash shows
  //    the old names (from, and to's old file if any) or the new (to only),
  //    never both names and never neither;
  //  - different directories: a link (to) in the target directory and an
  //    unlink (from) in the source, persisting independently, so a crash may
  //    show old, new, both names (one file under two names) or neither (the
  //    file is lost). sync_dir(target) alone rules out "old" and "neither";
  //    sync_dir(source) alone rules out "old" and "both"; both rule out all
  //    but "new".
  kPosix,
  // Linux ext4 with its default mount options (data=ordered, delalloc,
  // auto_da_alloc), as jbd2 journals it:
  //  - every entry change and every truncate of the whole file system is in
  //    one journal, committed in issue order: a crash keeps a prefix of it,
  //    and a rename is atomic, across directories too;
  //  - a file's sync() commits the journal up to the file's own last
  //    journaled change (the running transaction if it had appends to
  //    allocate), so an fsynced new file keeps its entry and every earlier
  //    entry change survives too; sync_dir() commits up to the directory's
  //    last entry change;
  //  - an append (a write past the end) persists whole or not at all, in
  //    order per file, and only after every journal entry issued before it
  //    (data=ordered: the size that covers it is committed after its data;
  //    delalloc: not before the file is written back, so later journal
  //    entries may persist without it);
  //  - an overwrite within the size is not ordered by the journal at all: it
  //    may be lost, or torn under kTorn, on its own;
  //  - auto_da_alloc: a rename over an existing file persists only with the
  //    renamed file's appends issued before it, and so does a journal entry
  //    issued after a close() of a file that was truncated to zero.
  kExt4Ordered,
};

inline constexpr uint32_t kSectorBytesMin = 64;
inline constexpr uint32_t kSectorBytesMax = 1u << 16;

struct CrashOptions {
  CrashPolicy policy = CrashPolicy::kDrop;
  FsModel fs_model = FsModel::kPosix;
  uint32_t sector_bytes = 512;  // A power of two in [kSectorBytesMin, kSectorBytesMax].

  bool operator==(const CrashOptions&) const = default;
};

// What became of one sector that a torn write covers. Only the bytes the
// write itself covers are affected; the rest of the sector keeps its bytes,
// so a torn write never destroys data that was durable outside its range.
enum class SectorFate : char {
  kNew = 'N',      // The write's bytes reached the sector.
  kOld = 'O',      // The sector kept its previous bytes (zeros past the old end).
  kZero = 'Z',     // The write's range in the sector reads as zeros.
  kGarbage = 'G',  // The write's range in the sector holds garbage (from garbage_seed).
};

struct TornWrite {
  uint64_t change_id = 0;  // A pending write listed in CrashChoice::applied.
  std::string fates;       // One SectorFate char per sector the write covers, first first.
  // When the write extends the file: false = the size grows to the write's end
  // (data=writeback: a tail of zeros or garbage may show); true = the size grows
  // only to the end of the last sector whose fate is not kOld (data=ordered).
  bool size_follows_data = false;
  uint64_t garbage_seed = 0;

  bool operator==(const TornWrite&) const = default;
};

enum class CorruptionKind {
  kBitFlip,     // One bit of one byte inverted.
  kLostSector,  // One sector reads as zeros.
};

struct Corruption {
  CorruptionKind kind = CorruptionKind::kBitFlip;
  uint64_t ino = 0;     // The file, by its inode number in the pre-crash state.
  uint64_t offset = 0;  // kBitFlip: the byte; kLostSector: the sector's first byte.
  uint32_t bit = 0;     // kBitFlip only, 0..7.

  bool operator==(const Corruption&) const = default;
};

// What a kLostFile crash did to one path.
struct LostFile {
  enum class Kind : uint8_t {
    kDelete,   // The path (a file, or a directory with its subtree) is gone.
    kRestore,  // The path holds what it held in the earlier durable image
               // `point`, as new inodes (absent there: deleted here).
  };
  Kind kind = Kind::kDelete;
  // '/'-separated, no leading '/', names of [A-Za-z0-9._-] only (shell-safe).
  std::string path;
  uint64_t point = 0;  // kRestore: the persistence point of the earlier image.

  bool operator==(const LostFile&) const = default;
};

struct CrashChoice {
  CrashOptions options;
  // Ids of the pending changes that persist, in the order they were applied.
  // Ids are those of the pre-crash SimFs (see SimFs::describe()).
  std::vector<uint64_t> applied;
  std::optional<TornWrite> torn;         // kTorn only.
  std::optional<Corruption> corruption;  // kCorrupt only.
  std::optional<LostFile> lost;          // kLostFile only.

  bool operator==(const CrashChoice&) const = default;

  // A one-line, shell-safe text form, e.g.
  // "v1;policy=torn;fs=posix;sector=512;applied=3,5,1;torn=5,NNOZ,ext,1f2e";
  // lost-file adds ";lost=delete,db/wos" or ";lost=restore,db/wal.log,12".
  // parse() also reads the form older builds wrote: "dir=strict" is posix,
  // "dir=lenient" (a retired model) is refused.
  std::string serialize() const;
  [[nodiscard]] static Result<CrashChoice> parse(std::string_view text);
};

// Stable names ("drop", "prefix", "reorder", "torn", "corrupt", "lost-file";
// "posix", "ext4-ordered").
const char* crash_policy_name(CrashPolicy policy);
const char* fs_model_name(FsModel model);
[[nodiscard]] Result<CrashPolicy> parse_crash_policy(std::string_view name);
// kInvalidArgument for an unknown name; for "lenient" (retired) the message
// names its replacement.
[[nodiscard]] Result<FsModel> parse_fs_model(std::string_view name);
// The value of the "dir_mode" field older builds wrote: "strict" is kPosix;
// "lenient" is refused, never misread (it allowed states ext4 cannot reach).
[[nodiscard]] Result<FsModel> parse_legacy_dir_mode(std::string_view name);

// kInvalidArgument unless sector_bytes is a power of two within bounds.
[[nodiscard]] Status validate_crash_options(const CrashOptions& options);

// The garbage byte a torn sector shows at absolute file offset `offset`.
// Deterministic, so that a replayed choice yields identical bytes.
char torn_garbage_byte(uint64_t seed, uint64_t offset);

}  // namespace faultfs
