// Recorder: a FileSystem wrapper that logs every mutating operation and sync
// to a trace file that survives the process being killed, so that the real
// I/O of a killed child can later be turned into power-loss crash images
// (rebuild a SimFs from the trace, then SimFs::crash()).
//
// The trace is written with raw POSIX calls, one write(2) per record on an
// O_APPEND descriptor, never buffered in the process: whatever record a
// SIGKILL interrupts is at worst cut short, and the reader drops a cut tail.
// Only operations that succeeded are logged (after they returned), plus
// failed syncs, whose writeback failure drops data. So every effect the
// program saw acknowledged is in the trace. Mutating operations and their
// records are serialized by one lock, so the trace order is the real order.
//
// Stacking: put the Recorder under FaultInjectionFs (FaultInjectionFs(Recorder(fs)))
// so that an injected short write is logged as the prefix that was stored
// and an injected sync failure as a failed sync.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "faultfs/file_system.h"
#include "faultfs/file_system_wrapper.h"
#include "faultfs/trace.h"

namespace faultfs {

class Recorder final : public FileSystemWrapper {
 public:
  // Creates (or truncates) the trace at `trace_path` on the real file system
  // and writes its header. `inner` must outlive the Recorder and its files.
  [[nodiscard]] static Result<std::unique_ptr<Recorder>> create(FileSystem& inner,
                                                                const std::string& trace_path);
  ~Recorder() override;
  Recorder(const Recorder&) = delete;
  Recorder& operator=(const Recorder&) = delete;

  [[nodiscard]] Result<std::unique_ptr<File>> open(const std::string& path, OpenMode mode) override;
  [[nodiscard]] Status rename(const std::string& from, const std::string& to) override;
  [[nodiscard]] Status remove(const std::string& path) override;
  [[nodiscard]] Status mkdir(const std::string& path) override;
  [[nodiscard]] Status rmdir(const std::string& path) override;
  [[nodiscard]] Status sync_dir(const std::string& path) override;
  [[nodiscard]] Result<std::unique_ptr<FileLock>> lock(const std::string& path) override;
  // Reads, listings, sizes, shared locks and free space change nothing and
  // are not recorded: they pass through (FileSystemWrapper).

  // Records appended to the trace so far.
  uint64_t records_written() const;

  // For the Recorder's files. mutex() serializes each mutating call with its
  // record; append_record() requires it held, assigns the next seq and
  // writes the record with one write(2). After a failed (maybe partial)
  // write the trace is damaged and every later append_record() fails.
  std::mutex& mutex() { return mu_; }
  [[nodiscard]] Status append_record(TraceRecord record);
  uint64_t next_handle() { return next_handle_.fetch_add(1) + 1; }

 private:
  Recorder(FileSystem& inner, int fd, std::string trace_path);

  const int fd_;
  const std::string trace_path_;
  std::mutex mu_;        // Serializes mutating ops and record writes (trace order = real order).
  uint64_t seq_ = 0;     // Guarded by mu_.
  bool broken_ = false;  // Guarded by mu_.
  std::atomic<uint64_t> records_written_{0};
  std::atomic<uint64_t> next_handle_{0};
};

}  // namespace faultfs
