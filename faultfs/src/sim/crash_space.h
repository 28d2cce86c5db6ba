// CrashSpace: the pending changes of one SimFs state, grouped into the
// queues that crash independently, with what a policy allows in each.
#pragma once

#include <cstdint>
#include <optional>
#include <unordered_map>
#include <vector>

#include "faultfs/crash.h"
#include "sim_state.h"

namespace faultfs::sim {

struct CrashQueue {
  enum class Kind : uint8_t {
    kFile,     // One file's data changes.
    kDir,      // One directory's entry changes (DirMode::kStrict).
    kJournal,  // Every directory's entry changes, in issue order (DirMode::kLenient).
  };
  // What a policy lets a crash keep of a queue.
  enum class Freedom : uint8_t {
    kMinimum,    // Only the shortest allowed prefix (cuts.front()).
    kPrefix,     // Any allowed prefix.
    kAnySubset,  // Any subset, in any order.
  };

  Kind kind = Kind::kFile;
  Freedom freedom = Freedom::kMinimum;
  uint64_t owner = 0;         // The file or directory inode; 0 for the journal.
  std::vector<uint64_t> ids;  // Pending change ids, issue order.
  std::vector<size_t> cuts;   // Prefix lengths a crash may keep, ascending, never empty.
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

 private:
  struct Location {
    size_t queue = 0;
    const FileChange* file = nullptr;
    const DirChange* dir = nullptr;
  };

  void add_journal();

  const State& state_;
  const CrashOptions options_;
  std::vector<CrashQueue> queues_;
  std::unordered_map<uint64_t, Location> where_;
};

}  // namespace faultfs::sim
