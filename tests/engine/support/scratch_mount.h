// A small tmpfs mounted for one test (root only): a file system that fills
// up, or that can be remounted read-only, without touching the machine's.
#pragma once

#include <sys/mount.h>

#include <string>

#include "support/temp_dir.h"

namespace dbx::testing {

class ScratchMount {
 public:
  // Mounts a tmpfs of `size_bytes` on a fresh directory; mounted() says
  // whether that worked (it needs CAP_SYS_ADMIN).
  explicit ScratchMount(uint64_t size_bytes) : point_(dir_.root()) {
    const std::string data = "size=" + std::to_string(size_bytes) + ",mode=0755";
    mounted_ = ::mount("tmpfs", point_.c_str(), "tmpfs", 0, data.c_str()) == 0;
  }
  ~ScratchMount() {
    if (mounted_) ::umount2(point_.c_str(), MNT_DETACH);
  }
  ScratchMount(const ScratchMount&) = delete;
  ScratchMount& operator=(const ScratchMount&) = delete;

  bool mounted() const { return mounted_; }
  const std::string& path() const { return point_; }

  // Remounts read-only (true) or read-write (false); whether it worked.
  bool set_read_only(bool read_only) {
    const unsigned long flags = MS_REMOUNT | (read_only ? MS_RDONLY : 0);
    return ::mount("tmpfs", point_.c_str(), "tmpfs", flags, nullptr) == 0;
  }

 private:
  TempDir dir_;
  std::string point_;
  bool mounted_ = false;
};

}  // namespace dbx::testing
