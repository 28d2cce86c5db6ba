// The Recorder trace format (see faultfs/trace.h): encoding and parsing.
#include "faultfs/trace.h"

#include <fcntl.h>
#include <unistd.h>

#include <cassert>
#include <cerrno>
#include <cstring>

#include "faultfs/crc32c.h"

namespace faultfs {
namespace {

constexpr char kMagic[8] = {'D', 'B', 'X', 'T', 'R', 'A', 'C', 'E'};

void put32(std::string& out, uint32_t v) {
  char b[4];
  std::memcpy(b, &v, 4);  // Little-endian hosts only (x86-64, aarch64).
  out.append(b, 4);
}
void put64(std::string& out, uint64_t v) {
  char b[8];
  std::memcpy(b, &v, 8);
  out.append(b, 8);
}
void put_str(std::string& out, std::string_view s) {
  assert(s.size() <= kTracePayloadBytesMax);
  put32(out, static_cast<uint32_t>(s.size()));
  out.append(s);
}

// Consumes fields from the front of a payload; any shortfall sets !ok.
class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  uint64_t u64() { return fixed<uint64_t>(); }
  uint32_t u32() { return fixed<uint32_t>(); }
  uint8_t u8() { return fixed<uint8_t>(); }
  std::string str() {
    const uint32_t n = u32();
    if (!ok_ || in_.size() < n) {
      ok_ = false;
      return {};
    }
    std::string s(in_.substr(0, n));
    in_.remove_prefix(n);
    return s;
  }
  bool done() const { return ok_ && in_.empty(); }

 private:
  template <typename T>
  T fixed() {
    T v{};
    if (!ok_ || in_.size() < sizeof(T)) {
      ok_ = false;
      return v;
    }
    std::memcpy(&v, in_.data(), sizeof(T));
    in_.remove_prefix(sizeof(T));
    return v;
  }

  std::string_view in_;
  bool ok_ = true;
};

bool has_handle(TraceOp op) {
  return op == TraceOp::kOpen || op == TraceOp::kClose || op == TraceOp::kAppend ||
         op == TraceOp::kWriteAt || op == TraceOp::kTruncate || op == TraceOp::kSync ||
         op == TraceOp::kSyncFailed;
}

Status corrupt(size_t at, const std::string& why) {
  return Status(ErrorCode::kCorruption, "trace corrupt at byte " + std::to_string(at) + ": " + why);
}

// Decodes one payload; false if it is malformed.
bool decode_payload(std::string_view payload, TraceRecord* r) {
  Reader in(payload);
  r->seq = in.u64();
  const uint8_t op = in.u8();
  if (op < static_cast<uint8_t>(TraceOp::kOpen) || op > static_cast<uint8_t>(TraceOp::kRmdir)) {
    return false;
  }
  r->op = static_cast<TraceOp>(op);
  if (has_handle(r->op)) r->handle = in.u64();
  switch (r->op) {
    case TraceOp::kOpen: {
      const uint8_t mode = in.u8();
      if (mode > static_cast<uint8_t>(OpenMode::kCreateTruncate)) return false;
      r->mode = static_cast<OpenMode>(mode);
      r->path = in.str();
      break;
    }
    case TraceOp::kAppend:
      r->data = in.str();
      break;
    case TraceOp::kWriteAt:
      r->offset = in.u64();
      r->data = in.str();
      break;
    case TraceOp::kTruncate:
      r->offset = in.u64();
      break;
    case TraceOp::kRename:
      r->path = in.str();
      r->path2 = in.str();
      break;
    case TraceOp::kRemove:
    case TraceOp::kMkdir:
    case TraceOp::kSyncDir:
    case TraceOp::kLock:
    case TraceOp::kRmdir:
      r->path = in.str();
      break;
    case TraceOp::kClose:
    case TraceOp::kSync:
    case TraceOp::kSyncFailed:
      break;
  }
  return in.done();
}

}  // namespace

const char* trace_op_name(TraceOp op) {
  switch (op) {
    case TraceOp::kOpen:
      return "open";
    case TraceOp::kClose:
      return "close";
    case TraceOp::kAppend:
      return "append";
    case TraceOp::kWriteAt:
      return "write_at";
    case TraceOp::kTruncate:
      return "truncate";
    case TraceOp::kSync:
      return "sync";
    case TraceOp::kSyncFailed:
      return "sync_failed";
    case TraceOp::kRename:
      return "rename";
    case TraceOp::kRemove:
      return "remove";
    case TraceOp::kMkdir:
      return "mkdir";
    case TraceOp::kSyncDir:
      return "sync_dir";
    case TraceOp::kLock:
      return "lock";
    case TraceOp::kRmdir:
      return "rmdir";
  }
  return "?";
}

std::string encode_trace_header() {
  std::string out(kMagic, sizeof kMagic);
  put32(out, kTraceVersion);
  put32(out, crc32c::mask(crc32c::value(out)));
  assert(out.size() == kTraceHeaderBytes);
  return out;
}

std::string encode_trace_record(const TraceRecord& r) {
  std::string payload;
  put64(payload, r.seq);
  payload.push_back(static_cast<char>(r.op));
  if (has_handle(r.op)) put64(payload, r.handle);
  switch (r.op) {
    case TraceOp::kOpen:
      payload.push_back(static_cast<char>(r.mode));
      put_str(payload, r.path);
      break;
    case TraceOp::kAppend:
      put_str(payload, r.data);
      break;
    case TraceOp::kWriteAt:
      put64(payload, r.offset);
      put_str(payload, r.data);
      break;
    case TraceOp::kTruncate:
      put64(payload, r.offset);
      break;
    case TraceOp::kRename:
      put_str(payload, r.path);
      put_str(payload, r.path2);
      break;
    case TraceOp::kRemove:
    case TraceOp::kMkdir:
    case TraceOp::kSyncDir:
    case TraceOp::kLock:
    case TraceOp::kRmdir:
      put_str(payload, r.path);
      break;
    case TraceOp::kClose:
    case TraceOp::kSync:
    case TraceOp::kSyncFailed:
      break;
  }
  std::string out;
  out.reserve(kTraceRecordHeaderBytes + payload.size());
  put32(out, crc32c::mask(crc32c::value(payload)));
  put32(out, static_cast<uint32_t>(payload.size()));
  out += payload;
  return out;
}

Result<Trace> parse_trace(std::string_view bytes) {
  if (bytes.size() < kTraceHeaderBytes) return corrupt(0, "shorter than its header");
  const std::string header = encode_trace_header();
  if (bytes.substr(0, 8) != std::string_view(header).substr(0, 8)) return corrupt(0, "bad magic");
  if (bytes.substr(0, kTraceHeaderBytes) != header) {
    return corrupt(8, "unsupported version or bad header checksum");
  }
  Trace trace;
  size_t at = kTraceHeaderBytes;
  while (at < bytes.size()) {
    const std::string_view rest = bytes.substr(at);
    Reader head(rest);
    const uint32_t masked = head.u32();
    const uint32_t length = head.u32();
    if (rest.size() < kTraceRecordHeaderBytes || length > rest.size() - kTraceRecordHeaderBytes) {
      trace.torn_tail = true;  // Cut short by a kill mid-write: the tail is dropped.
      break;
    }
    const std::string_view payload = rest.substr(kTraceRecordHeaderBytes, length);
    const bool last = kTraceRecordHeaderBytes + length == rest.size();
    if (crc32c::unmask(masked) != crc32c::value(payload)) {
      if (last) {
        trace.torn_tail = true;
        break;
      }
      return corrupt(at, "record checksum mismatch");
    }
    TraceRecord record;
    if (!decode_payload(payload, &record)) return corrupt(at, "malformed record");
    if (record.seq != trace.records.size() + 1) return corrupt(at, "sequence gap");
    trace.records.push_back(std::move(record));
    at += kTraceRecordHeaderBytes + length;
  }
  return trace;
}

Result<Trace> read_trace(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return status_from_errno(errno, "open", path);
  std::string bytes;
  char buf[1 << 16];
  while (true) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      ::close(fd);
      return status_from_errno(err, "read", path);
    }
    if (n == 0) break;
    bytes.append(buf, static_cast<size_t>(n));
  }
  if (::close(fd) != 0) return status_from_errno(errno, "close", path);
  return parse_trace(bytes);
}

}  // namespace faultfs
