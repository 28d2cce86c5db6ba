// Method: which subsets and orders of the pending changes a crash may keep.
// Each file's queue of data changes is one queue. In FsModel::kPosix each
// queue crashes independently of every other, and so does each directory's
// queue of entry changes (the two halves of a cross-directory rename sit in
// two queues). In FsModel::kExt4Ordered all entry changes form one journal
// whose surviving part is an in-order prefix that never splits a rename, and
// the rules that tie it to the file queues (crash_ext4.cc) fix what every
// crash keeps (`minimum`) and close every choice.
// kDrop keeps the minimum of every queue, kPrefix, kCorrupt and kLostFile any
// allowed prefix, kReorder and kTorn any subset in any order of kPosix queues
// (the journal stays a prefix; kExt4Ordered file queues keep closed subsets
// in issue order).
#include "crash_space.h"

#include <algorithm>
#include <cassert>
#include <map>
#include <set>
#include <string>

namespace faultfs::sim {
namespace {

CrashQueue::Freedom freedom_of(CrashPolicy policy, CrashQueue::Kind kind, FsModel model) {
  switch (policy) {
    case CrashPolicy::kDrop:
      return CrashQueue::Freedom::kMinimum;
    case CrashPolicy::kPrefix:
    case CrashPolicy::kCorrupt:
    case CrashPolicy::kLostFile:
      return CrashQueue::Freedom::kPrefix;
    case CrashPolicy::kReorder:
    case CrashPolicy::kTorn:
      if (kind == CrashQueue::Kind::kJournal) return CrashQueue::Freedom::kPrefix;
      return model == FsModel::kExt4Ordered ? CrashQueue::Freedom::kOrderedSubset
                                            : CrashQueue::Freedom::kAnySubset;
  }
  return CrashQueue::Freedom::kMinimum;
}

std::vector<size_t> all_cuts(size_t n) {
  std::vector<size_t> cuts(n + 1);
  for (size_t i = 0; i <= n; ++i) cuts[i] = i;
  return cuts;
}

Status invalid(const std::string& why) {
  return Status(ErrorCode::kInvalidArgument, "crash choice does not fit this state: " + why);
}

}  // namespace

CrashSpace::CrashSpace(const State& state, const CrashOptions& options)
    : state_(state), options_(options) {
  for (const auto& [ino, file] : state_.files) {
    if (file->pending.empty()) continue;
    CrashQueue q;
    q.kind = CrashQueue::Kind::kFile;
    q.owner = ino;
    for (const FileChange& c : file->pending) {
      q.ids.push_back(c.id);
      where_[c.id] = Location{.queue = queues_.size(), .file = &c};
    }
    q.cuts = all_cuts(q.ids.size());
    if (ext4()) classify_ext4(q, *file);
    queues_.push_back(std::move(q));
  }
  if (ext4()) {
    add_journal();
  } else {
    std::map<uint64_t, size_t> by_dir;
    for (const DirChange& c : state_.pending_dirs) {
      auto [it, added] = by_dir.emplace(c.dir, queues_.size());
      if (added) {
        queues_.emplace_back();
        queues_.back().kind = CrashQueue::Kind::kDir;
        queues_.back().owner = c.dir;
      }
      queues_[it->second].ids.push_back(c.id);
      where_[c.id] = Location{.queue = it->second, .dir = &c};
    }
    for (CrashQueue& q : queues_) {
      if (q.kind == CrashQueue::Kind::kDir) q.cuts = all_cuts(q.ids.size());
    }
  }
  for (CrashQueue& q : queues_) {
    q.freedom = freedom_of(options_.policy, q.kind, options_.fs_model);
    assert(!q.cuts.empty() && q.cuts.back() <= q.ids.size());
    q.minimum.assign(q.ids.begin(), q.ids.begin() + static_cast<std::ptrdiff_t>(q.cuts.front()));
  }
  if (ext4()) set_ext4_minimum();
}

void CrashSpace::add_journal() {
  const auto& pending = state_.pending_dirs;
  if (pending.empty()) return;
  CrashQueue q;
  q.kind = CrashQueue::Kind::kJournal;
  journal_ = queues_.size();
  std::map<uint64_t, size_t> position;
  for (const DirChange& c : pending) {
    position[c.id] = q.ids.size();
    where_[c.id] = Location{.queue = queues_.size(), .dir = &c};
    q.ids.push_back(c.id);
  }
  // The shortest prefix the journal must keep on its own: every half whose
  // partner is durable (a sync_dir of one side made it so; the rename is one
  // journal entry). What commits force comes on top (set_ext4_minimum).
  size_t must_keep = 0;
  for (size_t i = 0; i < pending.size(); ++i) {
    const DirChange& c = pending[i];
    const bool partner_durable = c.partner != 0 && position.count(c.partner) == 0;
    if (partner_durable) must_keep = i + 1;
  }
  for (size_t k = must_keep; k <= pending.size(); ++k) {
    // A cut between two pending halves of one rename would split it.
    bool splits = false;
    for (size_t i = 0; i < k && !splits; ++i) {
      auto p = position.find(pending[i].partner);
      splits = p != position.end() && p->second >= k;
    }
    if (!splits) q.cuts.push_back(k);
  }
  assert(!q.cuts.empty());  // k = size never splits.
  queues_.push_back(std::move(q));
}

std::optional<size_t> CrashSpace::queue_of(uint64_t id) const {
  auto it = where_.find(id);
  if (it == where_.end()) return std::nullopt;
  return it->second.queue;
}

const FileChange* CrashSpace::file_change(uint64_t id) const {
  auto it = where_.find(id);
  return it == where_.end() ? nullptr : it->second.file;
}

uint64_t CrashSpace::sectors_of(const FileChange& write) const {
  assert(write.kind == FileChange::Kind::kWrite && write.length() > 0);
  const uint64_t sb = options_.sector_bytes;
  return (write.offset + write.length() - 1) / sb - write.offset / sb + 1;
}

bool CrashSpace::conflicts(uint64_t a, uint64_t b) const {
  const Location& la = where_.at(a);
  const Location& lb = where_.at(b);
  assert(la.queue == lb.queue);
  if (la.file != nullptr) {
    const FileChange& x = *la.file;
    const FileChange& y = *lb.file;
    using Kind = FileChange::Kind;
    if (x.kind == Kind::kWrite && y.kind == Kind::kWrite) {
      return x.offset < y.offset + y.length() && y.offset < x.offset + x.length();
    }
    if (x.kind == Kind::kTruncate && y.kind == Kind::kTruncate) return x.offset != y.offset;
    const FileChange& w = x.kind == Kind::kWrite ? x : y;
    const FileChange& t = x.kind == Kind::kWrite ? y : x;
    return w.offset + w.length() > t.offset;
  }
  std::set<std::string> names;
  for (const EntryEdit& e : la.dir->edits) names.insert(e.name);
  for (const EntryEdit& e : lb.dir->edits) {
    if (names.count(e.name) != 0 && la.dir->dir == lb.dir->dir) return true;
  }
  return false;
}

Status CrashSpace::validate(const CrashChoice& choice) const {
  if (!(choice.options == options_)) return invalid("options differ from the crash options");
  std::vector<std::vector<uint64_t>> per_queue(queues_.size());
  std::set<uint64_t> seen;
  for (uint64_t id : choice.applied) {
    auto q = queue_of(id);
    if (!q) return invalid("change " + std::to_string(id) + " is not pending");
    if (!seen.insert(id).second) return invalid("change " + std::to_string(id) + " twice");
    per_queue[*q].push_back(id);
  }
  for (size_t i = 0; i < queues_.size(); ++i) {
    const CrashQueue& q = queues_[i];
    const std::vector<uint64_t>& got = per_queue[i];
    if (q.freedom == CrashQueue::Freedom::kAnySubset) continue;
    if (q.freedom == CrashQueue::Freedom::kMinimum ||
        q.freedom == CrashQueue::Freedom::kOrderedSubset) {
      const bool ascending = std::is_sorted(got.begin(), got.end());
      const bool holds_minimum =
          std::includes(got.begin(), got.end(), q.minimum.begin(), q.minimum.end());
      const bool exact = q.freedom != CrashQueue::Freedom::kMinimum || got == q.minimum;
      if (!ascending || !holds_minimum || !exact) {
        return invalid("queue " + std::to_string(i) + " must keep its minimum, in issue order");
      }
      continue;
    }
    const bool is_prefix = std::equal(got.begin(), got.end(), q.ids.begin(),
                                      q.ids.begin() + static_cast<std::ptrdiff_t>(got.size()));
    const bool cut_ok = std::binary_search(q.cuts.begin(), q.cuts.end(), got.size());
    if (!is_prefix || !cut_ok) {
      return invalid("the policy keeps only allowed in-order prefixes of queue " +
                     std::to_string(i));
    }
  }
  if (choice.torn) {
    const TornWrite& torn = *choice.torn;
    if (options_.policy != CrashPolicy::kTorn) return invalid("a torn write outside kTorn");
    const FileChange* w = file_change(torn.change_id);
    if (w == nullptr || w->kind != FileChange::Kind::kWrite || seen.count(torn.change_id) == 0) {
      return invalid("the torn change is not an applied write");
    }
    if (torn.fates.size() != sectors_of(*w)) return invalid("torn fates do not cover the write");
    if (ext4() && in_chain(torn.change_id)) {
      return invalid("ext4-ordered persists an append whole or not at all");
    }
    for (char f : torn.fates) {
      if (f != 'N' && f != 'O' && f != 'Z' && f != 'G') return invalid("bad sector fate");
    }
  }
  if (choice.corruption && options_.policy != CrashPolicy::kCorrupt) {
    return invalid("a corruption outside kCorrupt");
  }
  if (choice.lost && options_.policy != CrashPolicy::kLostFile) {
    return invalid("a lost file outside kLostFile");
  }
  if (ext4() && !ext4_closed(choice)) {
    return invalid("ext4-ordered: a kept change needs another its journal orders first");
  }
  return Status::ok();
}

}  // namespace faultfs::sim
