// Method: the rules of FsModel::kExt4Ordered, Linux ext4 mounted with its
// defaults (data=ordered, delalloc, auto_da_alloc), over the model-free
// pending state.
//
// Sources (facts only): the kernel's Documentation/filesystems/ext4 (the
// data=ordered, delalloc and auto_da_alloc mount options); jbd2, whose one
// running transaction takes every metadata change and which commits whole
// transactions in order, fsync waiting for the transaction that holds the
// inode's last change (i_datasync_tid); and Pillai et al., "All File Systems
// Are Not Created Equal" (OSDI'14, the ALICE study), whose ext4 findings are
// that directory operations persist in order and atomically, that appends
// are not ordered with later operations (delayed allocation), and that a
// rename over an existing file persists with the renamed file's data.
//
// What that gives, with journal positions (sim_state.h: change id k at 2k):
//  - the journal holds every entry change (the kJournal queue) and every
//    truncate; a crash keeps a prefix of it. With h the highest position of
//    a kept journal entry or size-chain element, every journal entry and
//    truncate below h is kept (a kept append was written back into a
//    transaction no earlier than its issue, which commits after everything
//    before it);
//  - a file's size chain (appends, truncates) persists as a prefix, each
//    append whole (data=ordered: its data is on disk before the size that
//    covers it commits), and an overwrite only with the chain elements its
//    bytes land on; overwrites are otherwise free (not journaled);
//  - a flush point (auto_da_alloc) at position p forces its file's earlier
//    appends once a journal entry at or past p is kept;
//  - everything below State::commit_pos is committed: the closure of those
//    entries, truncates and flush points is every crash's minimum.
// Simplifications, each of which loses states rather than invents them: an
// append is never torn (ext4 may write back a multi-page append a page at a
// time, i_disksize following each extent), and a truncate keeps the chain
// before it (ext4 may commit a shrink before writing back the delayed
// blocks below the new size, which then read as zeros).
#include <algorithm>
#include <cassert>

#include "crash_space.h"

namespace faultfs::sim {

void CrashSpace::classify_ext4(CrashQueue& q, const FileInode& file) {
  uint64_t size = file.durable.size();
  for (const FileChange& c : file.pending) {
    Location& loc = where_.at(c.id);
    const bool truncate = c.kind == FileChange::Kind::kTruncate;
    const uint64_t end = c.offset + c.length();
    if (truncate || end > size) {
      loc.chain = true;
      loc.truncate = truncate;
      loc.needs_chain = q.chain.size();
      q.chain.push_back(c.id);
    } else {
      // An overwrite within the size needs the chain elements that made
      // its range part of the file, or that it overlaps: the latest one.
      for (size_t i = q.chain.size(); i-- > 0;) {
        if (conflicts(q.chain[i], c.id)) {
          loc.needs_chain = i + 1;
          break;
        }
      }
    }
    size = truncate ? c.offset : std::max(size, end);
  }
}

void CrashSpace::set_ext4_minimum() {
  // Seeds: what a commit forced. Journal entries and truncates below
  // commit_pos, and the flushes a commit covered.
  std::set<uint64_t> kept;
  const uint64_t commit = state_.commit_pos;
  for (const CrashQueue& q : queues_) {
    for (uint64_t id : q.ids) {
      const Location& loc = where_.at(id);
      if ((loc.dir != nullptr || loc.truncate) && journal_pos(id) < commit) kept.insert(id);
    }
    if (q.kind != CrashQueue::Kind::kFile) continue;
    for (const FlushPoint& f : state_.flushes) {
      if (f.ino != q.owner || f.pos >= commit) continue;
      for (uint64_t id : q.chain) {
        if (id < f.writes_before) kept.insert(id);
      }
    }
  }
  ext4_close(kept);
  for (CrashQueue& q : queues_) {
    q.minimum.clear();
    size_t last = 0;  // Prefix length that covers the minimum.
    for (size_t i = 0; i < q.ids.size(); ++i) {
      if (kept.count(q.ids[i]) == 0) continue;
      q.minimum.push_back(q.ids[i]);
      last = i + 1;
    }
    std::erase_if(q.cuts, [&](size_t cut) { return cut < last; });
    assert(!q.cuts.empty());
    if (q.kind == CrashQueue::Kind::kJournal || q.freedom == CrashQueue::Freedom::kPrefix) {
      // A prefix queue's minimum is its shortest allowed prefix.
      q.minimum.assign(q.ids.begin(), q.ids.begin() + static_cast<std::ptrdiff_t>(q.cuts.front()));
    }
  }
}

void CrashSpace::ext4_close(std::set<uint64_t>& kept) const {
  assert(ext4());
  while (true) {
    const size_t before = kept.size();
    uint64_t h = 0;
    for (auto it = kept.rbegin(); it != kept.rend(); ++it) {
      const Location& loc = where_.at(*it);
      if (loc.dir != nullptr || loc.chain) {
        h = journal_pos(*it);
        break;
      }
    }
    for (const CrashQueue& q : queues_) {
      // Leading elements of `ids` (journal, prefix queues) or of `chain`
      // that the kept changes and position h require.
      size_t need = 0;
      const bool prefix_shaped =
          q.kind == CrashQueue::Kind::kJournal || q.freedom == CrashQueue::Freedom::kPrefix;
      if (prefix_shaped) {
        for (size_t i = 0; i < q.ids.size(); ++i) {
          const Location& loc = where_.at(q.ids[i]);
          const bool journaled = loc.dir != nullptr || loc.truncate;
          if (kept.count(q.ids[i]) != 0 || (journaled && journal_pos(q.ids[i]) < h)) need = i + 1;
        }
      }
      size_t chain_need = 0;
      for (uint64_t id : q.ids) {
        const Location& loc = where_.at(id);
        if (loc.dir != nullptr) continue;
        if (kept.count(id) != 0) chain_need = std::max(chain_need, loc.needs_chain + loc.chain);
        if (loc.truncate && journal_pos(id) < h)
          chain_need = std::max(chain_need, loc.needs_chain + 1);
      }
      for (const FlushPoint& f : state_.flushes) {
        if (f.ino != q.owner || q.kind != CrashQueue::Kind::kFile || f.pos > h) continue;
        const auto below = std::lower_bound(q.chain.begin(), q.chain.end(), f.writes_before);
        chain_need = std::max(chain_need, static_cast<size_t>(below - q.chain.begin()));
      }
      kept.insert(q.chain.begin(), q.chain.begin() + static_cast<std::ptrdiff_t>(chain_need));
      if (prefix_shaped) {
        if (chain_need > 0) {
          const auto at = std::find(q.ids.begin(), q.ids.end(), q.chain[chain_need - 1]);
          need = std::max(need, static_cast<size_t>(at - q.ids.begin()) + 1);
        }
        // Round up to a cut that splits no rename (the journal) or to any
        // allowed prefix.
        auto cut = std::lower_bound(q.cuts.begin(), q.cuts.end(), need);
        assert(cut != q.cuts.end());
        kept.insert(q.ids.begin(), q.ids.begin() + static_cast<std::ptrdiff_t>(*cut));
      }
    }
    if (kept.size() == before) return;
  }
}

void CrashSpace::ext4_canonicalize(CrashChoice& choice) const {
  std::set<uint64_t> kept(choice.applied.begin(), choice.applied.end());
  ext4_close(kept);
  choice.applied.clear();
  for (const CrashQueue& q : queues_) {
    for (uint64_t id : q.ids) {
      if (kept.count(id) != 0) choice.applied.push_back(id);
    }
  }
}

bool CrashSpace::ext4_closed(const CrashChoice& choice) const {
  std::set<uint64_t> kept;
  for (uint64_t id : choice.applied) {
    if (where_.count(id) == 0) return false;
    kept.insert(id);
  }
  const size_t size = kept.size();
  ext4_close(kept);
  return kept.size() == size;
}

}  // namespace faultfs::sim
