// An example target plugin: a tiny log-structured store, one file of
// checksummed records, each write one record, synced before it is
// acknowledged (Full durability only). The plugin offers two targets:
//   example-log          the store as designed: the lab passes it;
//   example-log-no-sync  acknowledges before the sync: the lab catches it.
//
// Recovery reads records until the first that is incomplete or fails its
// checksum: the torn tail of a write that was never acknowledged. It cuts
// the file there (and syncs), so the next record follows the last good one.
// A damaged record followed by a valid one is damaged durable data, and open
// reports kCorruption. A write that fails leaves the handle refusing writes
// until it is reopened. The database directory is the harness's
// (creates_dir = false): the store only creates its file, and syncs the
// directory so the file's name is durable before the first acknowledgement.
//
// Record: u32 masked CRC-32C of the rest | u32 payload bytes | payload, and
// payload = u64 sequence | per op: u8 kind, then table, key, value as
// length-prefixed strings.
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "faultfs/coding.h"
#include "faultfs/crc32c.h"
#include "faultfs/file_system.h"
#include "targets/plugin.h"
#include "targets/target.h"

namespace {

using faultfs::ErrorCode;
using faultfs::Result;
using faultfs::Status;

constexpr size_t kHeaderBytes = 8;
constexpr uint32_t kPayloadBytesMax = 1u << 24;

std::string encode_record(uint64_t seq, const targets::Write& write) {
  std::string payload;
  faultfs::coding::put_fixed64(&payload, seq);
  for (const targets::Op& op : write) {
    payload.push_back(op.kind == targets::OpKind::kPut ? 'P' : 'D');
    faultfs::coding::put_length_prefixed(&payload, op.table);
    faultfs::coding::put_length_prefixed(&payload, op.key);
    faultfs::coding::put_length_prefixed(&payload, op.value);
  }
  std::string record;
  faultfs::coding::put_fixed32(&record, faultfs::crc32c::mask(faultfs::crc32c::value(payload)));
  faultfs::coding::put_fixed32(&record, static_cast<uint32_t>(payload.size()));
  return record + payload;
}

struct Decoded {
  uint64_t seq = 0;
  targets::Write write;
};

std::optional<Decoded> decode_payload(std::string_view in) {
  Decoded out;
  if (in.size() < 8) return std::nullopt;
  out.seq = faultfs::coding::decode_fixed64(in.data());
  in.remove_prefix(8);
  while (!in.empty()) {
    const char kind = in.front();
    in.remove_prefix(1);
    auto table = faultfs::coding::get_length_prefixed(&in);
    auto key = table ? faultfs::coding::get_length_prefixed(&in) : std::nullopt;
    auto value = key ? faultfs::coding::get_length_prefixed(&in) : std::nullopt;
    if (!value || (kind != 'P' && kind != 'D')) return std::nullopt;
    out.write.push_back(kind == 'P' ? targets::Op::put(*table, *key, *value)
                                    : targets::Op::del(*table, *key));
  }
  return out;
}

// The record at the front of `in`, or nullopt if it is incomplete or fails
// its checksum; `bytes` gets its size.
std::optional<Decoded> read_record(std::string_view in, size_t* bytes) {
  if (in.size() < kHeaderBytes) return std::nullopt;
  const uint32_t crc = faultfs::crc32c::unmask(faultfs::coding::decode_fixed32(in.data()));
  const uint32_t length = faultfs::coding::decode_fixed32(in.data() + 4);
  if (length > kPayloadBytesMax || in.size() - kHeaderBytes < length) return std::nullopt;
  const std::string_view payload = in.substr(kHeaderBytes, length);
  if (faultfs::crc32c::value(payload) != crc) return std::nullopt;
  *bytes = kHeaderBytes + length;
  return decode_payload(payload);
}

class LogTarget final : public targets::Target {
 public:
  explicit LogTarget(bool sync_before_ack) : sync_before_ack_(sync_before_ack) {}
  ~LogTarget() override {
    if (file_) (void)file_->close();
  }

  Status open(faultfs::FileSystem& fs, const std::string& dir,
              targets::Durability durability) override {
    if (file_) return Status(ErrorCode::kInvalidArgument, "already open");
    if (durability != targets::Durability::kFull) {
      return Status(ErrorCode::kInvalidArgument, "example-log offers Full durability only");
    }
    const std::string path = dir + "/example.log";
    auto exists = fs.exists(path);
    if (!exists.is_ok()) return exists.status();
    auto file = fs.open(path, faultfs::OpenMode::kCreate);
    if (!file.is_ok()) return file.status();
    file_ = std::move(file.value());
    Status s = exists.value() ? recover() : file_->sync();
    if (s.is_ok() && !exists.value()) s = fs.sync_dir(dir);  // The new name, durably.
    if (!s.is_ok()) {
      (void)file_->close();
      file_.reset();
    }
    return s;
  }

  Result<uint64_t> apply(const targets::Write& write) override {
    std::lock_guard lock(mu_);
    if (!file_) return Status(ErrorCode::kInvalidArgument, "closed");
    if (!failed_.is_ok()) return failed_;
    const uint64_t seq = seq_ + 1;
    Status s = file_->append(encode_record(seq, write));
    if (s.is_ok() && sync_before_ack_) s = file_->sync();
    if (!s.is_ok()) {
      // The record may be in the file, whole or in part: a next record
      // would follow it under the same number, or behind garbage. Only a
      // reopen's recovery knows the tail again.
      failed_ = Status(ErrorCode::kIoError, "an earlier write failed: " + s.to_string());
      return s;
    }
    seq_ = seq;
    apply_to_rows(write);
    return seq;
  }

  Status background(std::chrono::nanoseconds) override { return Status::ok(); }
  Status flush() override {
    std::lock_guard lock(mu_);
    return file_ ? file_->sync() : Status(ErrorCode::kInvalidArgument, "closed");
  }

  Result<targets::State> read_all() override {
    std::lock_guard lock(mu_);
    targets::State out;
    for (const auto& [table_key, value] : rows_) {
      out.push_back(targets::Entry{table_key.first, table_key.second, value});
    }
    return out;
  }

  Status close() override {
    std::lock_guard lock(mu_);
    if (!file_) return Status::ok();
    Status s = file_->sync();
    const Status closed = file_->close();
    file_.reset();
    return s.is_ok() ? closed : s;
  }
  bool is_open() const override { return file_ != nullptr; }

 private:
  Status recover() {
    auto size = file_->size();
    if (!size.is_ok()) return size.status();
    std::string bytes(size.value(), '\0');
    auto read = file_->read_at(0, bytes);
    if (!read.is_ok()) return read.status();
    bytes.resize(read.value());
    size_t offset = 0;
    size_t record_bytes = 0;
    while (auto record = read_record(std::string_view(bytes).substr(offset), &record_bytes)) {
      if (record->seq != seq_ + 1) return Status(ErrorCode::kCorruption, "a gap in the log");
      seq_ = record->seq;
      apply_to_rows(record->write);
      offset += record_bytes;
    }
    if (offset == bytes.size()) return Status::ok();
    if (later_record_follows(bytes, offset)) {
      return Status(ErrorCode::kCorruption, "damaged record at byte " + std::to_string(offset));
    }
    Status s = file_->truncate(offset);  // The torn tail of an unacknowledged write.
    return s.is_ok() ? file_->sync() : s;
  }

  // Whether a valid record starts anywhere after the bad one at `offset`.
  static bool later_record_follows(const std::string& bytes, size_t offset) {
    size_t ignored = 0;
    for (size_t at = offset + 1; at + kHeaderBytes <= bytes.size(); ++at) {
      if (read_record(std::string_view(bytes).substr(at), &ignored)) return true;
    }
    return false;
  }

  void apply_to_rows(const targets::Write& write) {
    for (const targets::Op& op : write) {
      if (op.kind == targets::OpKind::kPut) {
        rows_[{op.table, op.key}] = op.value;
      } else {
        rows_.erase({op.table, op.key});
      }
    }
  }

  const bool sync_before_ack_;
  std::mutex mu_;
  Status failed_;  // Not OK once a write failed: the handle refuses more.
  std::unique_ptr<faultfs::File> file_;
  uint64_t seq_ = 0;
  std::map<std::pair<std::string, std::string>, std::string> rows_;
};

targets::TargetInfo log_target(const char* name, const char* description, bool sync_before_ack) {
  targets::TargetInfo info;
  info.name = name;
  info.description = description;
  info.known_bug = !sync_before_ack;
  info.durabilities = {targets::Durability::kFull};
  info.make = [sync_before_ack](const targets::TargetTuning&) {
    return std::make_unique<LogTarget>(sync_before_ack);
  };
  info.capabilities.creates_dir = false;
  return info;
}

std::vector<targets::TargetInfo> example_targets() {
  return {
      log_target("example-log", "an example plugin: one checksummed log, synced per write", true),
      log_target("example-log-no-sync", "an example plugin: acknowledges a write before its sync",
                 false)};
}

}  // namespace

DBX_LAB_PLUGIN(example_targets)
