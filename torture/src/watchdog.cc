#include "watchdog.h"

#include <sys/mman.h>
#include <time.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <new>

#include "torture/artifact.h"

namespace torture::watchdog {

namespace {

Slot* g_slot = nullptr;

uint32_t put(char* to, size_t capacity, std::string_view text) {
  const size_t n = std::min(capacity, text.size());
  std::memcpy(to, text.data(), n);
  return static_cast<uint32_t>(n);
}

void mark_busy() {
  g_slot->busy_since_ms.store(std::max<int64_t>(1, monotonic_ms()), std::memory_order_release);
}

}  // namespace

unsigned recovery_seconds_max() {
  if (const char* env = std::getenv("DBX_TORTURE_RECOVERY_TIMEOUT_S"); env != nullptr) {
    const long seconds = std::strtol(env, nullptr, 10);
    if (seconds > 0 && seconds <= 86'400) return static_cast<unsigned>(seconds);
  }
  return kRecoverySecondsMax;
}

int64_t monotonic_ms() {
  timespec now{};
  ::clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<int64_t>(now.tv_sec) * 1000 + now.tv_nsec / 1'000'000;
}

Slot* map_slots(size_t count) {
  void* mem = ::mmap(nullptr, sizeof(Slot) * count, PROT_READ | PROT_WRITE,
                     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (mem == MAP_FAILED) return nullptr;
  Slot* slots = static_cast<Slot*>(mem);
  for (size_t i = 0; i < count; ++i) new (&slots[i]) Slot();
  return slots;
}

void unmap_slots(Slot* slots, size_t count) {
  if (slots != nullptr) ::munmap(slots, sizeof(Slot) * count);
}

void reset(Slot* slot) {
  slot->workload.store(kNoWorkload);
  slot->busy_since_ms.store(0);
  slot->recoveries.store(0);
  slot->spec_bytes = slot->op_bytes = slot->file_bytes = slot->what_bytes = 0;
}

SlotView read(const Slot& slot) {
  SlotView view;
  view.workload = slot.workload.load(std::memory_order_acquire);
  view.busy = slot.busy_since_ms.load(std::memory_order_acquire) != 0;
  view.recoveries = slot.recoveries.load(std::memory_order_acquire);
  if (slot.spec_bytes > 0) {
    auto spec = crash_spec_from_text(std::string_view(slot.spec, slot.spec_bytes));
    if (spec.is_ok()) view.spec = std::move(spec).value();
  }
  view.op.assign(slot.op, slot.op_bytes);
  view.file.assign(slot.file, slot.file_bytes);
  view.what.assign(slot.what, slot.what_bytes);
  return view;
}

void attach(Slot* slot) { g_slot = slot; }

void begin_workload(uint64_t index) {
  if (g_slot == nullptr) return;
  reset(g_slot);
  g_slot->workload.store(index, std::memory_order_release);
}

void end_workload() {
  if (g_slot != nullptr) reset(g_slot);
}

void recovering(const CrashSpec* spec, std::string_view crash_op, std::string_view crash_file) {
  if (g_slot == nullptr) return;
  if (spec == nullptr) {
    g_slot->busy_since_ms.store(0, std::memory_order_release);
    return;
  }
  const std::string text = crash_spec_to_text(*spec);
  // A spec too long for the slot (never expected) is dropped, not cut.
  g_slot->spec_bytes = text.size() <= kSpecBytesMax ? put(g_slot->spec, kSpecBytesMax, text) : 0;
  g_slot->op_bytes = put(g_slot->op, kTextBytesMax, crash_op);
  g_slot->file_bytes = put(g_slot->file, kTextBytesMax, crash_file);
  g_slot->what_bytes = 0;  // The parent describes the spec itself.
  g_slot->recoveries.fetch_add(1, std::memory_order_relaxed);
  mark_busy();
}

Scope::Scope(const std::string& what) {
  if (g_slot == nullptr) return;
  g_slot->what_bytes = put(g_slot->what, kTextBytesMax, what);
  mark_busy();
}

Scope::~Scope() {
  if (g_slot != nullptr) g_slot->busy_since_ms.store(0, std::memory_order_release);
}

}  // namespace torture::watchdog
