// FaultInjectionFs: libfiu error points on every operation of any FileSystem.
//
// Each operation first asks libfiu whether its point ("faultfs/<op>", e.g.
// "faultfs/append", "faultfs/sync_dir") fails. Points are controlled through
// fiu's API (fiu_enable(), the helpers below), through its remote control, or
// from the environment: `fiu-run -c 'enable name=faultfs/sync' prog` (the
// preload library applies $FIU_ENABLE), or apply_fiu_environment() for a
// process started with FIU_ENABLE set but without fiu-run. fiu state is
// process-wide: a point enabled for one wrapper fires in every wrapper.
//
// The failnum a point was enabled with picks the error (FaultKind); any other
// value means kIoError, so a bare `enable name=...` injects EIO.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "faultfs/file_system.h"
#include "faultfs/file_system_wrapper.h"

namespace faultfs {

enum class FaultOp : uint8_t {
  kOpen,
  kReadAt,
  kAppend,
  kWriteAt,
  kSync,
  kTruncate,
  kSize,
  kClose,
  kRename,
  kRemove,
  kMkdir,
  kList,
  kSyncDir,
  kLock,
  kFileSize,
  kExists,
  kRmdir,  // Last: ops are named in artifacts, never numbered, but keep the order.
};
inline constexpr size_t kFaultOpCount = 17;

// "faultfs/open", "faultfs/read_at", ..., "faultfs/exists", "faultfs/rmdir".
const char* fault_point_name(FaultOp op);

enum class FaultKind : int {
  kIoError = 1,  // EIO.
  kNoSpace = 2,  // ENOSPC.
  // append / write_at store a prefix of the data (failinfo bytes, or half
  // when failinfo is 0) and return kShortWrite; other operations see EIO.
  kShortWrite = 3,
};

// fiu_init(), once per process; safe to call again.
[[nodiscard]] Status fiu_initialize();

// Enables the point of `op` (fiu_enable / fiu_enable_random). `once` disables
// it after its first failure. `short_write_bytes` is the failinfo.
[[nodiscard]] Status enable_fault(FaultOp op, FaultKind kind, bool once = false,
                                  uint64_t short_write_bytes = 0);
[[nodiscard]] Status enable_fault_random(FaultOp op, FaultKind kind, double probability);
// Disables the point; disabling a point that is not enabled is not an error.
void disable_fault(FaultOp op);
void disable_all_faults();

// Applies the newline-separated fiu remote-control commands in $FIU_ENABLE
// (e.g. "enable name=faultfs/sync,failnum=2"). Does nothing when the variable
// is unset or when the fiu-run preload library already applied it.
[[nodiscard]] Status apply_fiu_environment();

class FaultInjectionFs final : public FileSystemWrapper {
 public:
  // `inner` must outlive this wrapper and every File it hands out.
  explicit FaultInjectionFs(FileSystem& inner);

  [[nodiscard]] Result<std::unique_ptr<File>> open(const std::string& path, OpenMode mode) override;
  [[nodiscard]] Status rename(const std::string& from, const std::string& to) override;
  [[nodiscard]] Status remove(const std::string& path) override;
  [[nodiscard]] Status mkdir(const std::string& path) override;
  [[nodiscard]] Status rmdir(const std::string& path) override;
  [[nodiscard]] Result<std::vector<std::string>> list(const std::string& path) override;
  [[nodiscard]] Status sync_dir(const std::string& path) override;
  [[nodiscard]] Result<std::unique_ptr<FileLock>> lock(const std::string& path) override;
  [[nodiscard]] Result<uint64_t> file_size(const std::string& path) override;
  [[nodiscard]] Result<bool> exists(const std::string& path) override;
  // lock_shared() and available_bytes() have no point of their own: they
  // pass through (FileSystemWrapper).

  // Faults injected through this wrapper (and its files) since construction
  // or reset_injected(), per point and in total.
  uint64_t injected(FaultOp op) const;
  uint64_t injected_total() const;
  void reset_injected();

  // For the wrapper's files: asks fiu whether `op` fails now; counts it.
  // Returns the kind to inject, or 0 when the point does not fire.
  int check_point(FaultOp op);

 private:
  std::array<std::atomic<uint64_t>, kFaultOpCount> injected_{};
};

}  // namespace faultfs
