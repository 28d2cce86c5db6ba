// The shared core of one SimFs: its state, lock, counters, crash-point hook
// and halt rule. SimFs, its files and its locks all hold it by shared_ptr, so
// a handle outliving its SimFs stays safe to use.
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <set>
#include <string>
#include <string_view>

#include "faultfs/sim_fs.h"
#include "sim_state.h"

namespace faultfs::sim {

struct Core {
  enum class HaltRule { kNone, kMutations, kPersistencePoints };

  // Recursive so that the crash-point hook may call crash() and friends.
  mutable std::recursive_mutex mu;
  State st;
  SimFsStats stats;
  std::function<void(const OpEvent&)> hook;
  HaltRule halt_rule = HaltRule::kNone;
  uint64_t halt_count = 0;
  bool halted = false;
  std::set<std::string> locks;  // Normalized paths of the held locks.
  // Earlier durable images kept at persistence points (0: none are taken).
  size_t earlier_images_max = 0;

  // Whether a mutating op may run: kIoError once halted, kNoSpace when
  // `new_changes` more would overflow the pending queue. Requires mu held.
  [[nodiscard]] Status admit(std::string_view op, const std::string& path,
                             size_t new_changes) const;

  // Bookkeeping after a successful op: counters, halt rule, then the hook.
  // Requires mu held.
  void finish(OpKind kind, std::string_view op, const std::string& path);

  // Queues a change of a file and applies it to the live bytes. A file no
  // namespace reaches any more (removed and its removal durable) has nothing
  // a crash could keep, so its change is made durable at once.
  void push_file_change(FileInode& inode, FileChange change);
  // Queues a change of a directory and applies it to its live entries.
  // Returns its id.
  uint64_t push_dir_change(DirChange change);

  // FsModel::kExt4Ordered bookkeeping (the state stays model-free: a crash
  // applies the model). A close of `inode` after a truncate to zero forces
  // its appends so far (auto_da_alloc).
  void note_close(FileInode& inode);
  // Before `inode`'s pending changes become durable by its sync(): the
  // journal commit that fdatasync waits for (jbd2 commits whole
  // transactions in order, up to the one holding the inode's last change).
  void note_sync(FileInode& inode);
};

}  // namespace faultfs::sim
