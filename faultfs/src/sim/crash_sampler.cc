// Method: a random crash within a policy. Per queue: kMinimum keeps the
// queue's minimum; kPrefix a uniformly chosen allowed prefix;
// kAnySubset each change with probability 1/2, in a uniformly shuffled
// order; kOrderedSubset the minimum, a uniform cut of the size chain and each
// overwrite that fits it with probability 1/2, in issue order. Under FsModel::kExt4Ordered the
// choice is then closed under the model's rules (crash_ext4.cc), after any tear. kTorn then, three
// times in four, tears one pending write chosen uniformly (added if it was not kept): each covered
// sector gets a uniform fate, at least one of them not new. kCorrupt corrupts one file of the
// prefix image with data: a uniform bit flip or a uniform lost sector.
// kLostFile deletes or restores one path of the prefix image
// (lost_file_candidates), a restore two times in three when there is one.
#include <algorithm>
#include <cassert>

#include "crash_choose.h"
#include "crash_image.h"
#include "lost_file.h"

namespace faultfs::sim {
namespace {

uint64_t uniform(std::mt19937_64& rng, uint64_t bound) {
  assert(bound > 0);
  return std::uniform_int_distribution<uint64_t>(0, bound - 1)(rng);
}

void add_tear(const CrashSpace& space, std::mt19937_64& rng, CrashChoice& choice) {
  std::vector<const FileChange*> writes;
  for (const CrashQueue& q : space.queues()) {
    if (q.kind != CrashQueue::Kind::kFile) continue;
    for (uint64_t id : q.ids) {
      const FileChange* c = space.file_change(id);
      // kExt4Ordered never tears an append (crash_ext4.cc).
      if (space.ext4() && space.in_chain(id)) continue;
      if (c->kind == FileChange::Kind::kWrite) writes.push_back(c);
    }
  }
  if (writes.empty() || uniform(rng, 4) == 0) return;
  const FileChange& w = *writes[uniform(rng, writes.size())];
  if (std::find(choice.applied.begin(), choice.applied.end(), w.id) == choice.applied.end()) {
    choice.applied.insert(choice.applied.begin() +
                              static_cast<std::ptrdiff_t>(uniform(rng, choice.applied.size() + 1)),
                          w.id);
  }
  static constexpr char kFates[] = {'N', 'O', 'Z', 'G'};
  TornWrite torn;
  torn.change_id = w.id;
  const uint64_t sectors = space.sectors_of(w);
  for (uint64_t i = 0; i < sectors; ++i) torn.fates.push_back(kFates[uniform(rng, 4)]);
  if (torn.fates.find_first_not_of('N') == std::string::npos) {
    torn.fates[uniform(rng, sectors)] = kFates[1 + uniform(rng, 3)];
  }
  torn.size_follows_data = uniform(rng, 2) == 1;
  torn.garbage_seed = rng();
  choice.torn = std::move(torn);
}

void add_corruption(const CrashSpace& space, std::mt19937_64& rng, CrashChoice& choice) {
  auto image = build_crash_image(space, choice);
  assert(image.is_ok());
  std::vector<std::pair<uint64_t, uint64_t>> targets;  // (ino, size)
  for (const auto& [ino, file] : image->files) {
    if (file->durable.size() > 0) targets.emplace_back(ino, file->durable.size());
  }
  if (targets.empty()) return;
  const auto [ino, size] = targets[uniform(rng, targets.size())];
  Corruption c;
  c.ino = ino;
  if (uniform(rng, 2) == 0) {
    c.kind = CorruptionKind::kBitFlip;
    c.offset = uniform(rng, size);
    c.bit = static_cast<uint32_t>(uniform(rng, 8));
  } else {
    const uint64_t sb = space.options().sector_bytes;
    c.kind = CorruptionKind::kLostSector;
    c.offset = uniform(rng, (size + sb - 1) / sb) * sb;
  }
  choice.corruption = c;
}

// Two restores in three when the history has one: they test more than a
// plain deletion does.
void add_lost_file(const CrashSpace& space, std::mt19937_64& rng, CrashChoice& choice) {
  auto image = build_crash_image(space, choice);
  assert(image.is_ok());
  std::vector<LostFile> deletes, restores;
  for (LostFile& c : lost_file_candidates(space.state(), *image)) {
    (c.kind == LostFile::Kind::kDelete ? deletes : restores).push_back(std::move(c));
  }
  if (deletes.empty() && restores.empty()) return;
  const bool restore = !restores.empty() && (deletes.empty() || uniform(rng, 3) != 0);
  std::vector<LostFile>& from = restore ? restores : deletes;
  choice.lost = std::move(from[uniform(rng, from.size())]);
}

}  // namespace

CrashChoice sample_crash_choice(const CrashSpace& space, std::mt19937_64& rng) {
  CrashChoice choice;
  choice.options = space.options();
  for (const CrashQueue& q : space.queues()) {
    switch (q.freedom) {
      case CrashQueue::Freedom::kMinimum:
        choice.applied.insert(choice.applied.end(), q.minimum.begin(), q.minimum.end());
        break;
      case CrashQueue::Freedom::kPrefix: {
        const size_t keep = q.cuts[uniform(rng, q.cuts.size())];
        choice.applied.insert(choice.applied.end(), q.ids.begin(),
                              q.ids.begin() + static_cast<std::ptrdiff_t>(keep));
        break;
      }
      case CrashQueue::Freedom::kOrderedSubset: {
        // A uniform cut of the size chain (at least the minimum's part of it,
        // a prefix), then each overwrite that lands on kept chain elements
        // only with probability 1/2: a coin per chain element would almost
        // never lose more than the last few appends.
        size_t forced_chain = 0;
        for (uint64_t id : q.minimum) forced_chain += space.in_chain(id) ? 1 : 0;
        const size_t cut = forced_chain + uniform(rng, q.chain.size() - forced_chain + 1);
        for (uint64_t id : q.ids) {
          const bool forced = std::binary_search(q.minimum.begin(), q.minimum.end(), id);
          const bool keep = space.in_chain(id)
                                ? space.needs_chain(id) < cut
                                : space.needs_chain(id) <= cut && uniform(rng, 2) == 1;
          if (forced || keep) choice.applied.push_back(id);
        }
        break;
      }
      case CrashQueue::Freedom::kAnySubset: {
        std::vector<uint64_t> kept;
        for (uint64_t id : q.ids) {
          if (uniform(rng, 2) == 1) kept.push_back(id);
        }
        std::shuffle(kept.begin(), kept.end(), rng);
        choice.applied.insert(choice.applied.end(), kept.begin(), kept.end());
        break;
      }
    }
  }
  if (space.options().policy == CrashPolicy::kTorn) add_tear(space, rng, choice);
  if (space.ext4()) space.ext4_canonicalize(choice);
  if (space.options().policy == CrashPolicy::kCorrupt) add_corruption(space, rng, choice);
  if (space.options().policy == CrashPolicy::kLostFile) add_lost_file(space, rng, choice);
  assert(space.validate(choice).is_ok());
  return choice;
}

}  // namespace faultfs::sim
