// Building the crash image a CrashChoice describes, and fingerprinting
// images so that enumeration keeps only distinct ones.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>

#include "crash_space.h"
#include "faultfs/crash.h"
#include "sim_state.h"

namespace faultfs::sim {

// The durable state of `space.state()` with `choice` applied: no pending
// changes, only what the root reaches, inode numbers kept. kInvalidArgument
// if the choice does not fit (see CrashSpace::validate) or its corruption
// names no byte of a file in the image.
[[nodiscard]] Result<State> build_crash_image(const CrashSpace& space, const CrashChoice& choice);

// The image holding, for each directory the root reaches through `entries`
// (every directory of `src` must have its entries there), those entries, and
// for each file its bytes in `contents` or else its durable bytes in `src`;
// live == durable, no pending changes, inode numbers kept.
State reachable_image(const State& src, const std::map<uint64_t, DirEntries>& entries,
                      const std::map<uint64_t, PageTree>& contents);

// Applies a torn write: each sector the write covers gets its fate.
void apply_torn_write(PageTree& tree, const FileChange& write, const TornWrite& torn,
                      uint32_t sector_bytes);

// A 128-bit digest of a whole durable image: every directory's entries and
// every file's size and bytes, by inode. Equal digests mean equal images;
// O(bytes).
std::pair<uint64_t, uint64_t> whole_image_digest(const State& image);

// A 128-bit digest of the parts of an image a crash of `space` can change:
// the entries of directories with pending changes and, for files with
// pending changes (every file under kCorrupt), the size and the bytes of the
// range any choice could touch; under kLostFile every entry and byte. Equal
// digests mean equal images.
class ImageFingerprinter {
 public:
  explicit ImageFingerprinter(const CrashSpace& space);
  std::pair<uint64_t, uint64_t> digest(const State& image) const;
  // digest() is whole_image_digest() (kLostFile).
  bool whole_image() const { return whole_image_; }

 private:
  bool whole_image_ = false;
  std::vector<uint64_t> dirs_;                                     // Sorted.
  std::map<uint64_t, std::pair<uint64_t, uint64_t>> file_ranges_;  // ino -> [lo, hi).
};

}  // namespace faultfs::sim
