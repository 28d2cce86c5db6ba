// What a campaign worker is doing, where its parent can see it: a target
// that aborts, segfaults or never returns from a recovery must become a
// finding naming that crash state, and the campaign must go on.
//
// Each worker owns one Slot in memory shared with the parent (MAP_SHARED).
// The worker writes it before every recovery: the workload, the crash state
// (a CrashSpec when the sim mode knows it), the crash point's operation and
// file, and when the recovery began. The parent reads `busy_since_ms` while
// the worker runs (a recovery older than the limit is a hang: it kills the
// worker) and the rest only once the worker is dead, so the text fields need
// no lock. Without attach() (replay, shrink, tests) every call is a no-op.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "torture/sim_runner.h"

namespace torture::watchdog {

// A recovery taking longer than this is a hang (`target_hung`);
// $DBX_TORTURE_RECOVERY_TIMEOUT_S overrides it. A campaign workload's database
// is small (recoveries take milliseconds, a few hundred under TSan), and a
// 30-second campaign must still report a hang and go on.
inline constexpr unsigned kRecoverySecondsMax = 10;
unsigned recovery_seconds_max();

inline constexpr uint64_t kNoWorkload = ~uint64_t{0};
inline constexpr size_t kSpecBytesMax = 8192;
inline constexpr size_t kTextBytesMax = 1024;

struct Slot {
  std::atomic<uint64_t> workload{kNoWorkload};
  std::atomic<int64_t> busy_since_ms{0};  // monotonic_ms() a recovery began; 0 = none.
  std::atomic<uint64_t> recoveries{0};    // Judged-state recoveries begun this workload.
  uint32_t spec_bytes = 0;                // 0: no CrashSpec (fork mode, or before the first).
  uint32_t op_bytes = 0;
  uint32_t file_bytes = 0;
  uint32_t what_bytes = 0;
  char spec[kSpecBytesMax];
  char op[kTextBytesMax];
  char file[kTextBytesMax];
  char what[kTextBytesMax];
};

// What the parent reads from a dead worker's slot.
struct SlotView {
  uint64_t workload = kNoWorkload;
  bool busy = false;  // It died inside a recovery.
  uint64_t recoveries = 0;
  std::optional<CrashSpec> spec;
  std::string op;
  std::string file;
  std::string what;
};

int64_t monotonic_ms();

// `count` zeroed slots in shared anonymous memory (nullptr on failure).
Slot* map_slots(size_t count);
void unmap_slots(Slot* slots, size_t count);
void reset(Slot* slot);
SlotView read(const Slot& slot);

// In the worker, once: routes the calls below to `slot`.
void attach(Slot* slot);
void begin_workload(uint64_t index);
void end_workload();
// SimControl::recovering: a recovery of `spec` begins (nullptr: it returned).
void recovering(const CrashSpec* spec, std::string_view crash_op, std::string_view crash_file);

// A recovery the sim mode has no CrashSpec of its own for (fork mode; the
// recovery a second crash interrupts keeps the spec last noted).
class Scope {
 public:
  explicit Scope(const std::string& what);
  ~Scope();
  Scope(const Scope&) = delete;
  Scope& operator=(const Scope&) = delete;
};

}  // namespace torture::watchdog
