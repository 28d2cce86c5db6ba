#include "earlier_images.h"

#include <cassert>
#include <map>

#include "crash_image.h"

namespace faultfs::sim {
namespace {

// Whether `st`'s durable state is the one `image` holds: the same reachable
// directories with the same entries and files sharing their byte trees (a
// sync that made something durable always replaces a tree or an entry).
bool same_durable(const State& image, const State& st) {
  for (const auto& [ino, dir] : image.dirs) {
    auto it = st.dirs.find(ino);
    if (it == st.dirs.end() || it->second->durable != dir->durable) return false;
  }
  for (const auto& [ino, file] : image.files) {
    auto it = st.files.find(ino);
    if (it == st.files.end() || !it->second->durable.shares_root_with(file->durable)) return false;
  }
  return true;
}

}  // namespace

State durable_image(const State& st) {
  std::map<uint64_t, DirEntries> entries;
  for (const auto& [ino, dir] : st.dirs) entries.emplace(ino, dir->durable);
  return reachable_image(st, entries, {});
}

void remember_durable_image(State& st, uint64_t point, size_t images_max) {
  assert(images_max >= 3);
  std::vector<EarlierImage>& kept = st.earlier;
  if (!kept.empty() && same_durable(*kept.back().image, st)) return;
  kept.push_back(EarlierImage{point, std::make_shared<const State>(durable_image(st))});
  if (kept.size() <= images_max) return;
  // Thinning: the inner image i with the least (gap it leaves) / (its age).
  size_t victim = 1;
  double best = 0;
  for (size_t i = 1; i + 1 < kept.size(); ++i) {
    const double gap = static_cast<double>(kept[i + 1].point - kept[i - 1].point);
    const double age = static_cast<double>(point - kept[i].point) + 1;
    const double score = gap / age;
    if (i == 1 || score < best) {
      best = score;
      victim = i;
    }
  }
  kept.erase(kept.begin() + static_cast<std::ptrdiff_t>(victim));
}

}  // namespace faultfs::sim
