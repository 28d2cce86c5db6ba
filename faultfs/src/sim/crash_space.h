// CrashSpace: the pending changes of one SimFs state, grouped into the
// queues that crash independently, with what a policy allows in each.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <unordered_map>
#include <vector>

#include "faultfs/crash.h"
#include "sim_state.h"

namespace faultfs::sim {

struct CrashQueue {
  enum class Kind : uint8_t {
    kFile,     // One file's data changes.
    kDir,      // One directory's entry changes (FsModel::kPosix).
    kJournal,  // Every directory's entry changes, in issue order (FsModel::kExt4Ordered).
  };
  // What a policy lets a crash keep of a queue.
  enum class Freedom : uint8_t {
    kMinimum,    // Only the changes a crash must keep (`minimum`).
    kPrefix,     // Any allowed prefix.
    kAnySubset,  // Any subset, in any order.
    // kExt4Ordered file queues under kReorder and kTorn: any subset that
    // holds `minimum` and is closed under the model's rules (a prefix of the
    // size chain; an overwrite with the chain elements it lands on), applied
    // in issue order, as a page cache writes back the latest bytes.
    kOrderedSubset,
  };

  Kind kind = Kind::kFile;
  Freedom freedom = Freedom::kMinimum;
  uint64_t owner = 0;         // The file or directory inode; 0 for the journal.
  std::vector<uint64_t> ids;  // Pending change ids, issue order.
  std::vector<size_t> cuts;   // Prefix lengths a crash may keep, ascending, never empty.
  std::vector<uint64_t>
      minimum;  // What every crash keeps, issue order (kPrefix: cuts.front() ids).
  // kExt4Ordered file queues: the size chain, the appends and truncates in
  // issue order (the rest of `ids` are overwrites within the size).
  std::vector<uint64_t> chain;
};

class CrashSpace {
 public:
  // `state` must outlive the CrashSpace and stay unchanged.
  CrashSpace(const State& state, const CrashOptions& options);

  const State& state() const { return state_; }
  const CrashOptions& options() const { return options_; }
  const std::vector<CrashQueue>& queues() const { return queues_; }

  // The queue holding pending change `id`, or nullopt if it is not pending.
  std::optional<size_t> queue_of(uint64_t id) const;
  // The pending file change `id` (null for directory changes).
  const FileChange* file_change(uint64_t id) const;
  // Whether applying pending changes a and b (of one queue) in either order
  // can give different images.
  bool conflicts(uint64_t a, uint64_t b) const;
  // Sectors a pending write covers.
  uint64_t sectors_of(const FileChange& write) const;

  // kInvalidArgument unless `choice.applied` and `choice.torn` fit this state
  // and the policy (corruption is checked against the built image).
  [[nodiscard]] Status validate(const CrashChoice& choice) const;

  // FsModel::kExt4Ordered (crash_ext4.cc). Whether the model applies.
  bool ext4() const { return options_.fs_model == FsModel::kExt4Ordered; }
  // Whether pending file change `id` is in its file's size chain (an append
  // or a truncate), and how many leading chain elements keeping it requires.
  bool in_chain(uint64_t id) const { return where_.at(id).chain; }
  size_t needs_chain(uint64_t id) const { return where_.at(id).needs_chain; }
  // Adds to `kept` everything the journal forces with it, until nothing more.
  void ext4_close(std::set<uint64_t>& kept) const;
  // Rewrites `choice.applied` as its closure, each queue's part in issue order.
  void ext4_canonicalize(CrashChoice& choice) const;
  // Whether `choice.applied` is closed (ext4_close adds nothing).
  bool ext4_closed(const CrashChoice& choice) const;

 private:
  struct Location {
    size_t queue = 0;
    const FileChange* file = nullptr;
    const DirChange* dir = nullptr;
    bool chain = false;     // kExt4Ordered: in its file's size chain.
    bool truncate = false;  // A kTruncate (chain elements only).
    size_t needs_chain = 0;
  };

  void add_journal();
  // kExt4Ordered: classifies file changes, then fixes every queue's minimum.
  void classify_ext4(CrashQueue& q, const FileInode& file);
  void set_ext4_minimum();

  const State& state_;
  const CrashOptions options_;
  std::vector<CrashQueue> queues_;
  std::unordered_map<uint64_t, Location> where_;
  std::optional<size_t> journal_;  // The kJournal queue, if any.
};

}  // namespace faultfs::sim
