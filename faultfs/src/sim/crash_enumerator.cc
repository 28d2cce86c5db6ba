// Method: systematic exploration of the crash images of one state. The
// images are the product of what each queue may keep (queues crash
// independently), so each queue's outcomes are listed first: its allowed
// prefixes, or for kAnySubset every subset in every order that matters. Two
// orders of one subset give the same image when they differ only by swapping
// neighbours that do not conflict (disjoint byte ranges, different names), so
// only the lexicographically least order of each such class is listed: a
// sequence is extended by b only if no element after the last conflict with
// b is greater than b. kTorn adds, for each listed order and each write in
// it, every sector-fate string but all-new (and both size rules when the
// write extends the file); at most one queue is torn per image. kCorrupt adds
// every bit flip and every lost sector of every file in each prefix image;
// kLostFile every lost-file candidate of each prefix image.
// FsModel::kExt4Ordered file queues (kOrderedSubset) list every closed subset
// in issue order, tear only overwrites, and a product that breaks a rule tying
// queues together (crash_ext4.cc) is skipped: its closure is another product.
// Each candidate image is built and fingerprinted, duplicates are dropped.
// When the candidates exceed kEnumerationCandidatesMax the walk gives way to
// sampling, deduplicated the same way. visit_crash_choices() walks the same
// way within its own budget, hands each new image to its visitor at once
// and never samples: it says instead whether the walk was complete.
#include <algorithm>
#include <cassert>
#include <functional>
#include <set>

#include "crash_choose.h"
#include "crash_image.h"
#include "lost_file.h"

namespace faultfs::sim {
namespace {

struct Outcome {
  std::vector<uint64_t> seq;
  std::optional<TornWrite> torn;

  static Outcome of(std::vector<uint64_t> seq, std::optional<TornWrite> torn = std::nullopt) {
    Outcome o;
    o.seq = std::move(seq);
    o.torn = std::move(torn);
    return o;
  }
};

class Enumerator {
 public:
  Enumerator(const CrashSpace& space, size_t max_images, std::mt19937_64& rng)
      : space_(space), max_images_(max_images), rng_(rng), fingerprinter_(space) {}
  // Visiting: every distinct image goes to `visit` as it is found, within a
  // budget of `candidates_max` candidates; nothing is kept or sampled.
  Enumerator(const CrashSpace& space, size_t candidates_max, std::mt19937_64& rng,
             const CrashVisitor& visit)
      : space_(space),
        max_images_(0),
        rng_(rng),
        fingerprinter_(space),
        budget_(candidates_max),
        visit_(&visit) {}

  CrashVisit visit_all() {
    assert(visit_ != nullptr);
    const bool walked = exhaustive();
    CrashVisit out;
    out.candidates = std::min(candidates_, budget_);
    out.distinct = distinct_;
    out.duplicates = duplicates_;
    out.stopped = stopped_;
    out.complete = walked && !stopped_;
    return out;
  }

  std::vector<CrashChoice> run() {
    if (!exhaustive()) {
      found_.clear();
      seen_.clear();
      sample();
    } else if (found_.size() > max_images_) {
      std::shuffle(found_.begin(), found_.end(), rng_);
      found_.resize(max_images_);
    }
    return std::move(found_);
  }

 private:
  // Spends one candidate of the budget; false once it is exhausted.
  // A visitor that asked to stop ends the walk as an exhausted budget does.
  bool spend() { return !stopped_ && ++candidates_ <= budget_; }

  void add(const CrashChoice& choice) {
    if (stopped_) return;
    auto image = build_crash_image(space_, choice);
    assert(image.is_ok());
    const std::pair<uint64_t, uint64_t> digest = fingerprinter_.digest(*image);
    if (!seen_.insert(digest).second) {
      ++duplicates_;
      return;
    }
    ++distinct_;
    if (visit_ == nullptr) {
      found_.push_back(choice);
      return;
    }
    // The space's own digest covers only what this state's crashes change;
    // the visitor gets one that compares images of different states too.
    // Under kLostFile the space's digest is that one already: not twice.
    const ImageFingerprint whole =
        fingerprinter_.whole_image() ? digest : whole_image_digest(*image);
    if (!(*visit_)(choice, whole)) stopped_ = true;
  }

  void dfs(const CrashQueue& q, std::vector<uint64_t>& seq, std::vector<bool>& used,
           std::vector<Outcome>& out, bool& over) {
    if (!spend()) {
      over = true;
      return;
    }
    out.push_back(Outcome::of(seq));
    for (size_t i = 0; i < q.ids.size() && !over; ++i) {
      if (used[i]) continue;
      const uint64_t b = q.ids[i];
      bool least = true;
      for (size_t j = seq.size(); j-- > 0;) {
        if (space_.conflicts(seq[j], b)) break;
        if (seq[j] > b) {
          least = false;
          break;
        }
      }
      if (!least) continue;
      used[i] = true;
      seq.push_back(b);
      dfs(q, seq, used, out, over);
      seq.pop_back();
      used[i] = false;
    }
  }

  // The torn variants of `base`; false when over budget.
  bool tear(const CrashQueue& q, const Outcome& base, std::vector<Outcome>& out) {
    PageTree tree = space_.state().files.at(q.owner)->durable;
    for (uint64_t id : base.seq) {
      const FileChange& w = *space_.file_change(id);
      // kExt4Ordered never tears an append (crash_ext4.cc).
      const bool tearable = !space_.ext4() || !space_.in_chain(id);
      if (w.kind == FileChange::Kind::kWrite && tearable) {
        const uint64_t sectors = space_.sectors_of(w);
        if (sectors > 8) return false;  // 4^9 fate strings: sample instead.
        const bool extends = w.offset + w.length() > tree.size();
        const uint64_t combos = uint64_t{1} << (2 * sectors);
        for (uint64_t code = 0; code < combos; ++code) {
          std::string fates;
          for (uint64_t s = 0; s < sectors; ++s) fates.push_back("NOZG"[(code >> (2 * s)) & 3]);
          if (code == 0) continue;  // All new: the untorn outcome.
          for (int follows = 0; follows <= (extends ? 1 : 0); ++follows) {
            if (!spend()) return false;
            TornWrite torn;
            torn.change_id = id;
            torn.fates = fates;
            torn.size_follows_data = follows == 1;
            torn.garbage_seed = garbage_seed_;
            out.push_back(Outcome::of(base.seq, std::move(torn)));
          }
        }
      }
      apply_file_change(tree, w);
    }
    return true;
  }

  // kOrderedSubset: every subset holding the minimum whose chain part is a
  // prefix and whose overwrites have the chain elements they need, in issue
  // order (cross-queue rules are checked on the product).
  void subsets(const CrashQueue& q, size_t i, size_t chain_kept, std::vector<uint64_t>& seq,
               std::vector<Outcome>& out, bool& over) {
    if (over) return;
    if (i == q.ids.size()) {
      if (!spend()) {
        over = true;
        return;
      }
      out.push_back(Outcome::of(seq));
      return;
    }
    const uint64_t id = q.ids[i];
    const bool chain = space_.in_chain(id);
    const bool forced = std::binary_search(q.minimum.begin(), q.minimum.end(), id);
    const bool can_keep = space_.needs_chain(id) <= chain_kept;
    assert(can_keep || !forced);  // The minimum is closed.
    if (!forced) subsets(q, i + 1, chain_kept, seq, out, over);
    // A chain element at chain index k needs the k before it (so a skipped
    // one ends the chain); an overwrite the ones it lands on.
    if (!can_keep) return;
    seq.push_back(id);
    subsets(q, i + 1, chain_kept + (chain ? 1 : 0), seq, out, over);
    seq.pop_back();
  }

  bool outcomes(const CrashQueue& q, std::vector<Outcome>& untorn, std::vector<Outcome>& torn) {
    if (q.freedom == CrashQueue::Freedom::kMinimum) {
      if (!spend()) return false;
      untorn.push_back(Outcome::of(q.minimum));
      return true;
    }
    if (q.freedom == CrashQueue::Freedom::kOrderedSubset) {
      std::vector<uint64_t> seq;
      bool over = false;
      subsets(q, 0, 0, seq, untorn, over);
      if (over) return false;
      return tear_all(q, untorn, torn);
    }
    if (q.freedom != CrashQueue::Freedom::kAnySubset) {
      for (size_t cut : q.cuts) {
        if (!spend()) return false;
        untorn.push_back(
            Outcome::of({q.ids.begin(), q.ids.begin() + static_cast<std::ptrdiff_t>(cut)}));
      }
      return true;
    }
    std::vector<uint64_t> seq;
    std::vector<bool> used(q.ids.size(), false);
    bool over = false;
    dfs(q, seq, used, untorn, over);
    if (over) return false;
    return tear_all(q, untorn, torn);
  }

  bool tear_all(const CrashQueue& q, const std::vector<Outcome>& untorn,
                std::vector<Outcome>& torn) {
    if (space_.options().policy == CrashPolicy::kTorn && q.kind == CrashQueue::Kind::kFile) {
      for (const Outcome& base : untorn) {
        if (!tear(q, base, torn)) return false;
      }
    }
    return true;
  }

  // Calls `visit` for every product of one outcome per queue, where queue
  // `torn_queue` (if any) takes its outcome from torn lists.
  bool product(const std::vector<std::vector<Outcome>>& untorn,
               const std::vector<std::vector<Outcome>>& torn, size_t torn_queue,
               const std::function<bool(const CrashChoice&)>& visit) {
    const size_t n = untorn.size();
    auto list = [&](size_t q) -> const std::vector<Outcome>& {
      return q == torn_queue ? torn[q] : untorn[q];
    };
    for (size_t q = 0; q < n; ++q) {
      if (list(q).empty()) return true;
    }
    std::vector<size_t> digit(n, 0);
    while (true) {
      CrashChoice choice;
      choice.options = space_.options();
      for (size_t q = 0; q < n; ++q) {
        const Outcome& o = list(q)[digit[q]];
        choice.applied.insert(choice.applied.end(), o.seq.begin(), o.seq.end());
        if (o.torn) choice.torn = o.torn;
      }
      if (!visit(choice)) return false;
      size_t q = 0;
      while (q < n && ++digit[q] == list(q).size()) digit[q++] = 0;
      if (q == n) return true;
    }
  }

  bool exhaustive() {
    const auto& queues = space_.queues();
    std::vector<std::vector<Outcome>> untorn(queues.size()), torn(queues.size());
    for (size_t q = 0; q < queues.size(); ++q) {
      if (!outcomes(queues[q], untorn[q], torn[q])) return false;
    }
    // Give up before building any image if the product is over budget.
    auto saturating_product = [&](size_t torn_queue) {
      size_t total = 1;
      for (size_t q = 0; q < queues.size(); ++q) {
        const size_t n = q == torn_queue ? torn[q].size() : untorn[q].size();
        if (n != 0 && total > budget_ / n) return budget_ + 1;
        total *= n;
      }
      return total;
    };
    size_t images = saturating_product(queues.size());
    for (size_t q = 0; q < queues.size() && images <= budget_; ++q) {
      if (!torn[q].empty()) images += saturating_product(q);
    }
    if (images > budget_ - std::min(candidates_, budget_)) {
      return false;
    }
    // kCorrupt tries every bit of every file of each image: estimated from
    // the durable bytes, so that a walk bound to blow its budget builds none.
    if (space_.options().policy == CrashPolicy::kCorrupt) {
      uint64_t bytes = 0;
      for (const auto& [ino, file] : space_.state().files) bytes += file->durable.size();
      if (bytes != 0 && images > (budget_ - std::min(candidates_, budget_)) / (8 * bytes)) {
        return false;
      }
    }
    const CrashPolicy policy = space_.options().policy;
    auto visit = [&](const CrashChoice& choice) {
      if (!spend()) return false;
      // A product that breaks a cross-queue rule of kExt4Ordered is skipped:
      // its closure is another product, visited on its own.
      if (space_.ext4() && !space_.ext4_closed(choice)) return true;
      if (policy == CrashPolicy::kCorrupt) return corrupt_all(choice);
      if (policy == CrashPolicy::kLostFile) return lose_each(choice);
      add(choice);
      return true;
    };
    if (!product(untorn, torn, queues.size(), visit)) return false;
    for (size_t q = 0; q < queues.size(); ++q) {
      if (!torn[q].empty() && !product(untorn, torn, q, visit)) return false;
    }
    return true;
  }

  bool corrupt_all(const CrashChoice& base) {
    auto image = build_crash_image(space_, base);
    assert(image.is_ok());
    const uint64_t sb = space_.options().sector_bytes;
    bool any_data = false;
    for (const auto& [ino, file] : image->files) {
      any_data = any_data || file->durable.size() > 0;
    }
    if (!any_data) {
      add(base);  // Nothing to corrupt: the sampler leaves such images whole too.
      return true;
    }
    for (const auto& [ino, file] : image->files) {
      const uint64_t size = file->durable.size();
      for (uint64_t offset = 0; offset < size; ++offset) {
        for (uint32_t bit = 0; bit < 8; ++bit) {
          if (!spend()) return false;
          CrashChoice choice = base;
          choice.corruption = Corruption{CorruptionKind::kBitFlip, ino, offset, bit};
          add(choice);
        }
      }
      for (uint64_t offset = 0; offset < size; offset += sb) {
        if (!spend()) return false;
        CrashChoice choice = base;
        choice.corruption = Corruption{CorruptionKind::kLostSector, ino, offset, 0};
        add(choice);
      }
    }
    return true;
  }

  bool lose_each(const CrashChoice& base) {
    auto image = build_crash_image(space_, base);
    assert(image.is_ok());
    std::vector<LostFile> candidates = lost_file_candidates(space_.state(), *image);
    if (candidates.empty()) add(base);  // As the sampler: nothing to lose.
    for (LostFile& lost : candidates) {
      if (!spend()) return false;
      CrashChoice choice = base;
      choice.lost = std::move(lost);
      add(choice);
    }
    return true;
  }

  void sample() {
    const size_t attempts_max = std::max<size_t>(8 * max_images_, 256);
    for (size_t i = 0; i < attempts_max && found_.size() < max_images_; ++i) {
      add(sample_crash_choice(space_, rng_));
    }
  }

  const CrashSpace& space_;
  const size_t max_images_;
  std::mt19937_64& rng_;
  const ImageFingerprinter fingerprinter_;
  const uint64_t garbage_seed_ = rng_();
  const size_t budget_ = kEnumerationCandidatesMax;
  const CrashVisitor* visit_ = nullptr;
  size_t candidates_ = 0;
  size_t distinct_ = 0;
  size_t duplicates_ = 0;
  bool stopped_ = false;
  std::set<std::pair<uint64_t, uint64_t>> seen_;
  std::vector<CrashChoice> found_;
};

}  // namespace

std::vector<CrashChoice> enumerate_crash_choices(const CrashSpace& space, size_t max_images,
                                                 std::mt19937_64& rng) {
  assert(max_images >= 1);
  Enumerator enumerator(space, max_images, rng);
  std::vector<CrashChoice> out = enumerator.run();
  assert(out.size() <= max_images);
  return out;
}

CrashVisit visit_crash_choices(const CrashSpace& space, size_t candidates_max, std::mt19937_64& rng,
                               const CrashVisitor& visit) {
  assert(candidates_max >= 1);
  Enumerator enumerator(space, candidates_max, rng, visit);
  const CrashVisit out = enumerator.visit_all();
  assert(out.distinct + out.duplicates <= out.candidates || !out.complete);
  return out;
}

}  // namespace faultfs::sim
