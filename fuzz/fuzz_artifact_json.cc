// artifact.json reading on arbitrary text. read_artifact() takes a folder, so
// write_artifact() fills one once with valid companion files (workload,
// recovered and expected states) and each input replaces its artifact.json.
// Whatever the reader accepts must have a mode the harness knows.
#include <stdlib.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include "fuzz_input.h"
#include "torture/artifact.h"
#include "torture/options.h"
#include "torture/workload.h"

namespace {

void write_text(const std::filesystem::path& file, std::string_view text) {
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
  DBX_ASSERT(out.good());
}

// One folder per fuzzing process, made on the first input.
const std::string& artifact_dir() {
  static const std::string dir = [] {
    std::string parent = (std::filesystem::temp_directory_path() / "dbx-fuzz-XXXXXX").string();
    DBX_ASSERT(mkdtemp(parent.data()) != nullptr);
    torture::Artifact artifact;
    artifact.mode = torture::kModeSim;
    artifact.workload = torture::generate_workload(1, {});
    const std::string dir = parent + "/artifact";
    DBX_ASSERT(torture::write_artifact(artifact, dir).is_ok());
    return dir;
  }();
  return dir;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string& dir = artifact_dir();
  write_text(std::filesystem::path(dir) / "artifact.json", dbx::fuzz::as_view(data, size));
  auto artifact = torture::read_artifact(dir);
  if (!artifact.is_ok()) return 0;
  DBX_ASSERT(artifact->mode == torture::kModeSim || artifact->mode == torture::kModeFork);
  DBX_ASSERT(artifact->mode != torture::kModeFork || artifact->fork.has_value());
  return 0;
}
