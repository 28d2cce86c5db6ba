// dump-image: the exact crash image an artifact names, written as real files,
// so that a developer can open it with the engine's own tools, a hex editor,
// or a debugger attached to a recovery of it.
//
// The image is the database directory as the target's recovery found it: for
// a sim-mode artifact, the crash state rebuilt from its workload and crash
// spec (the second crash's image, for a crash during recovery); for a
// fork-mode artifact, the directory as the killed child left it (process
// kill) or the power-loss image rebuilt from the saved trace.
#pragma once

#include <string>

#include "faultfs/file_system.h"
#include "faultfs/status.h"
#include "torture/artifact.h"

namespace torture {

// Limits on what a dump writes: an image bigger than this is refused.
inline constexpr uint64_t kDumpFilesMax = 100'000;
inline constexpr uint64_t kDumpBytesMax = uint64_t{16} << 30;

// Copies the tree under `dir` of `fs` into the real directory `out_dir`
// (created; it must not exist or be empty): every directory, and every file
// with its bytes as `fs` reads them. kInvalidArgument past the limits.
[[nodiscard]] faultfs::Status write_tree(faultfs::FileSystem& fs, const std::string& dir,
                                         const std::string& out_dir);

// Rebuilds the crash image of the artifact in `artifact_dir` and writes it to
// `out_dir` (see write_tree). kInvalidArgument for an artifact whose finding
// has no image (an operation that failed with no crash).
[[nodiscard]] faultfs::Status dump_image(const Artifact& artifact, const std::string& artifact_dir,
                                         const std::string& out_dir);

}  // namespace torture
