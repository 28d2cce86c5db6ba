// The Recorder's trace format, its reader and the rebuilder that makes a
// SimFs from any prefix of a trace.
//
// Layout (little-endian):
//   header: "DBXTRACE" | u32 version (1) | u32 masked CRC32C of the 12 bytes before
//   record: u32 masked CRC32C of payload | u32 payload bytes | payload
//   payload: u64 seq (1, 2, 3...) | u8 op | op fields
//   fields: u64 handle, u8 mode, u64 offset/size and length-prefixed (u32)
//           strings, as each op needs (see trace.cc).
// A record cut short or failing its checksum at the very end of the file is
// a torn tail (the writer was killed) and is dropped; anything wrong before
// the last record is kCorruption.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "faultfs/file_system.h"
#include "faultfs/sim_fs.h"

namespace faultfs {

inline constexpr uint32_t kTraceVersion = 1;
inline constexpr size_t kTraceHeaderBytes = 16;
inline constexpr size_t kTraceRecordHeaderBytes = 8;
// A record holds at most this many payload bytes (one append's data and more).
inline constexpr size_t kTracePayloadBytesMax = size_t{1} << 30;

enum class TraceOp : uint8_t {
  kOpen = 1,    // handle, mode, path
  kClose,       // handle
  kAppend,      // handle, data
  kWriteAt,     // handle, offset, data
  kTruncate,    // handle, offset (the new size)
  kSync,        // handle
  kSyncFailed,  // handle: a failed sync, its un-synced data dropped
  kRename,      // path, path2
  kRemove,      // path
  kMkdir,       // path
  kSyncDir,     // path
  kLock,        // path (the lock file, created if missing)
  kRmdir,       // path (an empty directory removed). Added later: older traces read as before.
  kLink,        // path (existing), path2 (the new name): a hard link
  kSyncFs,      // no fields: every file and directory made durable (sync, syncfs)
};

const char* trace_op_name(TraceOp op);

struct TraceRecord {
  uint64_t seq = 0;
  TraceOp op = TraceOp::kOpen;
  uint64_t handle = 0;
  OpenMode mode = OpenMode::kRead;
  uint64_t offset = 0;
  std::string path;
  std::string path2;
  std::string data;

  bool operator==(const TraceRecord&) const = default;
};

// A record of an operation on an open handle (close, append, write_at,
// truncate, sync...): the recorder's and the exec preload's.
inline TraceRecord handle_record(TraceOp op, uint64_t handle, uint64_t offset = 0,
                                 std::string_view data = {}) {
  TraceRecord r;
  r.op = op;
  r.handle = handle;
  r.offset = offset;
  r.data = std::string(data);
  return r;
}

struct Trace {
  std::vector<TraceRecord> records;
  bool torn_tail = false;  // An incomplete last record was dropped.
};

std::string encode_trace_header();
// The bytes of one record: record header and payload.
std::string encode_trace_record(const TraceRecord& record);
[[nodiscard]] Result<Trace> parse_trace(std::string_view bytes);
// Reads the trace at `path` with POSIX calls.
[[nodiscard]] Result<Trace> read_trace(const std::string& path);

// Applies trace records, in order, to a SimFs.
class TraceRebuilder {
 public:
  // Directories missing from `fs` when a record needs them as parents are
  // created durable, as having existed before the trace began. The trace
  // must start from a state `fs` has (typically both empty).
  explicit TraceRebuilder(SimFs& fs);
  ~TraceRebuilder();

  // kCorruption when the record does not fit (unknown handle, bad seq);
  // the op's own error if the SimFs refuses it.
  [[nodiscard]] Status apply(const TraceRecord& record);

 private:
  SimFs& fs_;
  uint64_t last_seq_ = 0;
  std::map<uint64_t, std::unique_ptr<File>> handles_;
};

// A fresh SimFs with the first `record_count` records of `trace` applied.
[[nodiscard]] Result<std::unique_ptr<SimFs>> rebuild_from_trace(const Trace& trace,
                                                                size_t record_count);

}  // namespace faultfs
