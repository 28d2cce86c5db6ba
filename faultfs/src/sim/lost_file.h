// kLostFile: one path of a crash image deleted, or restored from an earlier
// durable image of the same SimFs (earlier_images.h).
#pragma once

#include <vector>

#include "faultfs/crash.h"
#include "sim_state.h"

namespace faultfs::sim {

// Applies `lost` to `image` (a crash image of `src`: live == durable, no
// pending changes). The path must lie strictly under src.lost_file_scope,
// its parent must be a directory of the image, and a restore must name one of
// src.earlier. Restored inodes get fresh numbers from image.next_ino;
// whatever the root no longer reaches is dropped. kInvalidArgument if the
// choice does not fit.
[[nodiscard]] Status apply_lost_file(const State& src, const LostFile& lost, State& image);

// Every lost file that changes `image`: each path under the scope deleted
// (files and directories), and each (path, earlier image) whose content there
// differs from the image's and whose parent the image has. Paths with names
// is_lost_file_path() refuses are left out. Deterministic order.
std::vector<LostFile> lost_file_candidates(const State& src, const State& image);

}  // namespace faultfs::sim
