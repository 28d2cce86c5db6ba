// The fork child's issued log: what the child issued and saw, in the order it
// happened, as one append-only file of checksummed records.
//
// Why not the oracle's History (SQLite) in the child: opening a connection,
// reading its schema and preparing its statements cost a third of a kill
// cycle's child, and every page SQLite touches first is a copy-on-write
// fault of the forked process. A record here is one write(2), so a SIGKILL
// leaves every record written before it (the page cache keeps them) and at
// most the last one cut short. The parent replays the file into a History
// once the child is gone (replay_issued_log), then judges as before.
//
// Format: records, each [u32 masked crc32c of the rest][u32 payload
// length][u8 type][payload]; integers little-endian fixed width, strings
// length-prefixed (varint). A cut-off last record is the end of the log; a
// bad record before the last is corruption (nothing but a kill writes here).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "faultfs/status.h"
#include "oracle/concurrent_isolation.h"
#include "oracle/history.h"
#include "targets/types.h"

namespace torture::detail {

// A record's payload is bounded so that the reader never trusts a length
// for allocation (a workload's largest batch is far below it).
inline constexpr uint32_t kIssuedRecordBytesMax = 64u << 20;

// The child's side. Callers serialise calls (the child holds its history
// mutex), so records are in the order the calls happened.
class IssuedLogWriter {
 public:
  // Creates (truncating) the log at `path`.
  [[nodiscard]] static faultfs::Result<std::unique_ptr<IssuedLogWriter>> create(
      const std::string& path);
  ~IssuedLogWriter();
  IssuedLogWriter(const IssuedLogWriter&) = delete;
  IssuedLogWriter& operator=(const IssuedLogWriter&) = delete;

  // The same meaning as History's methods of these names; sequence numbers
  // and sync ids are dense from 1 in call order, as History assigns them.
  [[nodiscard]] faultfs::Status record_open();
  [[nodiscard]] faultfs::Status set_lazy_window(int64_t window_ns);
  [[nodiscard]] faultfs::Result<uint64_t> record_pending(const targets::Write& write,
                                                         int64_t issued_ns);
  [[nodiscard]] faultfs::Status record_ack(uint64_t seq, uint64_t engine_seq, int64_t acked_ns);
  [[nodiscard]] faultfs::Status record_failed(uint64_t seq, bool maybe_applied,
                                              std::string_view error);
  [[nodiscard]] faultfs::Result<uint64_t> begin_sync(oracle::SyncKind kind);
  [[nodiscard]] faultfs::Status end_sync(oracle::SyncKind kind, bool ok, uint64_t sync_id);
  // A transaction's event (any kind but the plain ones, which the pending
  // and ack records are).
  [[nodiscard]] faultfs::Status record_txn(const oracle::TxnEvent& event);

 private:
  explicit IssuedLogWriter(int fd) : fd_(fd) {}
  [[nodiscard]] faultfs::Status append(uint8_t type, std::string_view payload);

  const int fd_;
  uint64_t seq_last_ = 0;
  uint64_t sync_id_last_ = 0;
};

// Replays the issued log at `path` into `history` (freshly opened, empty),
// record by record through the same History calls the child would have
// made. A missing file replays nothing (the child died before creating it).
// kCorruption if a record before the last is damaged or names a write or
// sync that was never begun.
[[nodiscard]] faultfs::Status replay_issued_log(const std::string& path, oracle::History* history);

// The isolation judge's view of the same log (oracle/concurrent_isolation.h):
// the transactions' events and the plain writes' issues and
// acknowledgements, in log order (a commit's own write is no plain write).
[[nodiscard]] faultfs::Result<std::vector<oracle::TxnEvent>> read_txn_events(
    const std::string& path);

}  // namespace torture::detail
