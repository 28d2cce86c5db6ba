#include "fork_issued_log.h"

#include <fcntl.h>
#include <unistd.h>

#include <cassert>
#include <cerrno>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <set>
#include <vector>

#include "faultfs/coding.h"
#include "faultfs/crc32c.h"
#include "faultfs/status_macros.h"

namespace torture::detail {

using faultfs::ErrorCode;
using faultfs::Result;
using faultfs::Status;
namespace coding = faultfs::coding;

namespace {

enum RecordType : uint8_t {
  kOpen = 1,
  kLazyWindow = 2,
  kPending = 3,
  kAck = 4,
  kFailed = 5,
  kSyncBegin = 6,
  kSyncEnd = 7,
  kTxn = 8,  // A transaction's event (oracle::TxnEvent); History ignores it.
};
constexpr size_t kHeaderBytes = 4 + 4 + 1;  // crc, length, type.
constexpr uint8_t kSyncKindMax = static_cast<uint8_t>(oracle::SyncKind::kClose);

Status corrupt(const std::string& path, const std::string& what) {
  return Status(ErrorCode::kCorruption, "issued log " + path + ": " + what);
}

// One record's fields, read in order; any read past the end fails it.
struct Fields {
  std::string_view rest;
  bool ok = true;

  uint64_t u64() {
    if (rest.size() < 8) return fail();
    const uint64_t v = coding::decode_fixed64(rest.data());
    rest.remove_prefix(8);
    return v;
  }
  uint8_t u8() {
    if (rest.empty()) return static_cast<uint8_t>(fail());
    const auto v = static_cast<uint8_t>(rest[0]);
    rest.remove_prefix(1);
    return v;
  }
  std::string str() {
    const auto s = coding::get_length_prefixed(&rest);
    if (!s) return fail(), std::string();
    return std::string(*s);
  }
  uint64_t fail() {
    ok = false;
    return 0;
  }
};

void put_op(std::string* out, const targets::Op& op) {
  out->push_back(static_cast<char>(op.kind));
  coding::put_length_prefixed(out, op.table);
  coding::put_length_prefixed(out, op.key);
  coding::put_length_prefixed(out, op.value);
}

std::optional<targets::Op> get_write_op(Fields* f) {
  const uint8_t kind = f->u8();
  if (!f->ok || kind > static_cast<uint8_t>(targets::OpKind::kDelete)) return std::nullopt;
  targets::Op op;
  op.kind = static_cast<targets::OpKind>(kind);
  op.table = f->str();
  op.key = f->str();
  op.value = f->str();
  if (!f->ok) return std::nullopt;
  return op;
}

std::optional<targets::Write> get_write(Fields* f) {
  const uint64_t count = f->u64();
  if (!f->ok || count == 0 || count > f->rest.size()) return std::nullopt;
  targets::Write write;
  for (uint64_t i = 0; i < count; ++i) {
    auto op = get_write_op(f);
    if (!op) return std::nullopt;
    write.push_back(std::move(*op));
  }
  return write;
}

}  // namespace

Result<std::unique_ptr<IssuedLogWriter>> IssuedLogWriter::create(const std::string& path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) return Status(ErrorCode::kIoError, "cannot create " + path);
  return std::unique_ptr<IssuedLogWriter>(new IssuedLogWriter(fd));
}

IssuedLogWriter::~IssuedLogWriter() { ::close(fd_); }

Status IssuedLogWriter::append(uint8_t type, std::string_view payload) {
  assert(payload.size() <= kIssuedRecordBytesMax);
  std::string record(kHeaderBytes, '\0');
  coding::encode_fixed32(record.data() + 4, static_cast<uint32_t>(payload.size()));
  record[8] = static_cast<char>(type);
  record.append(payload);
  const uint32_t crc = faultfs::crc32c::value(record.data() + 4, record.size() - 4);
  coding::encode_fixed32(record.data(), faultfs::crc32c::mask(crc));
  // One write(2): a kill keeps the record whole or cuts the log's tail.
  ssize_t n = 0;
  do {
    n = ::write(fd_, record.data(), record.size());
  } while (n < 0 && errno == EINTR);
  if (n != static_cast<ssize_t>(record.size())) {
    return Status(ErrorCode::kIoError, "cannot append to the issued log");
  }
  return Status::ok();
}

Status IssuedLogWriter::record_open() { return append(kOpen, {}); }

Status IssuedLogWriter::set_lazy_window(int64_t window_ns) {
  assert(window_ns > 0);
  std::string p;
  coding::put_fixed64(&p, static_cast<uint64_t>(window_ns));
  return append(kLazyWindow, p);
}

Result<uint64_t> IssuedLogWriter::record_pending(const targets::Write& write, int64_t issued_ns) {
  assert(!write.empty());
  std::string p;
  coding::put_fixed64(&p, seq_last_ + 1);
  coding::put_fixed64(&p, static_cast<uint64_t>(issued_ns));
  coding::put_fixed64(&p, write.size());
  for (const targets::Op& op : write) put_op(&p, op);
  if (p.size() > kIssuedRecordBytesMax) return Status(ErrorCode::kInvalidArgument, "write too big");
  RETURN_IF_ERROR(append(kPending, p));
  return ++seq_last_;
}

Status IssuedLogWriter::record_ack(uint64_t seq, uint64_t engine_seq, int64_t acked_ns) {
  assert(seq >= 1 && seq <= seq_last_);
  std::string p;
  coding::put_fixed64(&p, seq);
  coding::put_fixed64(&p, engine_seq);
  coding::put_fixed64(&p, static_cast<uint64_t>(acked_ns));
  return append(kAck, p);
}

Status IssuedLogWriter::record_failed(uint64_t seq, bool maybe_applied, std::string_view error) {
  assert(seq >= 1 && seq <= seq_last_);
  std::string p;
  coding::put_fixed64(&p, seq);
  p.push_back(maybe_applied ? 1 : 0);
  coding::put_length_prefixed(&p, error.substr(0, 4096));
  return append(kFailed, p);
}

Result<uint64_t> IssuedLogWriter::begin_sync(oracle::SyncKind kind) {
  std::string p;
  p.push_back(static_cast<char>(kind));
  coding::put_fixed64(&p, sync_id_last_ + 1);
  RETURN_IF_ERROR(append(kSyncBegin, p));
  return ++sync_id_last_;
}

Status IssuedLogWriter::record_txn(const oracle::TxnEvent& event) {
  using Kind = oracle::TxnEvent::Kind;
  assert(event.kind != Kind::kPlainIssued && event.kind != Kind::kPlainAcked);
  std::string p;
  p.push_back(static_cast<char>(event.kind));
  coding::put_fixed64(&p, event.txn);
  coding::put_fixed64(&p, event.seq);
  if (event.kind == Kind::kRead || event.kind == Kind::kWrite) put_op(&p, event.op);
  if (event.kind == Kind::kRead) {
    p.push_back(event.seen ? 1 : 0);
    coding::put_length_prefixed(&p, event.seen.value_or(""));
  }
  if (p.size() > kIssuedRecordBytesMax) return Status(ErrorCode::kInvalidArgument, "too big");
  return append(kTxn, p);
}

Status IssuedLogWriter::end_sync(oracle::SyncKind kind, bool ok, uint64_t sync_id) {
  assert(sync_id >= 1 && sync_id <= sync_id_last_);
  std::string p;
  p.push_back(static_cast<char>(kind));
  p.push_back(ok ? 1 : 0);
  coding::put_fixed64(&p, sync_id);
  return append(kSyncEnd, p);
}

namespace {

// Replays one record's fields into `history`; `syncs` maps the child's sync
// ids to the history's.
Status replay_record(uint8_t type, Fields* f, oracle::History* history,
                     std::map<uint64_t, uint64_t>* syncs) {
  switch (type) {
    case kOpen:
      return history->record_open();
    case kLazyWindow:
      return history->set_lazy_window(static_cast<int64_t>(f->u64()));
    case kPending: {
      const uint64_t seq = f->u64();
      const auto issued_ns = static_cast<int64_t>(f->u64());
      const auto write = get_write(f);
      if (!write) return Status(ErrorCode::kCorruption, "bad pending write");
      ASSIGN_OR_RETURN(auto logged, history->record_pending(*write, issued_ns));
      if (logged != seq) return Status(ErrorCode::kCorruption, "pending write out of order");
      return Status::ok();
    }
    case kAck: {
      const uint64_t seq = f->u64();
      const uint64_t engine_seq = f->u64();
      return history->record_ack(seq, engine_seq, static_cast<int64_t>(f->u64()));
    }
    case kFailed: {
      const uint64_t seq = f->u64();
      const bool maybe_applied = f->u8() != 0;
      return history->record_failed(seq, maybe_applied, f->str());
    }
    case kSyncBegin: {
      const uint8_t kind = f->u8();
      const uint64_t id = f->u64();
      if (kind > kSyncKindMax || syncs->count(id) != 0) break;
      ASSIGN_OR_RETURN(auto mine, history->begin_sync(static_cast<oracle::SyncKind>(kind)));
      (*syncs)[id] = mine;
      return Status::ok();
    }
    case kSyncEnd: {
      const uint8_t kind = f->u8();
      const bool ok = f->u8() != 0;
      const auto it = syncs->find(f->u64());
      if (kind > kSyncKindMax || it == syncs->end()) break;
      return history->end_sync(static_cast<oracle::SyncKind>(kind), ok, it->second);
    }
    case kTxn:
      f->rest = {};  // read_txn_events() reads these.
      return Status::ok();
  }
  return Status(ErrorCode::kCorruption, "unknown record or sync");
}

}  // namespace

namespace {

// Calls fn(type, fields) for every whole record of the log at `path`; a
// missing file has none.
template <typename Fn>
Status for_each_record(const std::string& path, Fn&& fn) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::ok();  // The child died before creating it.
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return Status(ErrorCode::kIoError, "cannot read " + path);
  size_t at = 0;
  while (bytes.size() - at >= kHeaderBytes) {
    const uint32_t length = coding::decode_fixed32(bytes.data() + at + 4);
    const bool whole =
        length <= kIssuedRecordBytesMax && bytes.size() - at - kHeaderBytes >= length;
    const bool last = !whole || at + kHeaderBytes + length == bytes.size();
    const uint32_t crc = whole ? faultfs::crc32c::value(bytes.data() + at + 4, 5 + length) : 0;
    if (!whole || faultfs::crc32c::unmask(coding::decode_fixed32(bytes.data() + at)) != crc) {
      // Only the kill's cut can damage a record, and only the last one.
      if (last) return Status::ok();
      return corrupt(path, "damaged record at byte " + std::to_string(at));
    }
    Fields f{std::string_view(bytes).substr(at + kHeaderBytes, length)};
    Status s = fn(static_cast<uint8_t>(bytes[at + 8]), &f);
    if (s.is_ok() && (!f.ok || !f.rest.empty())) s = corrupt(path, "malformed record");
    if (!s.is_ok()) {
      return Status(s.code(),
                    "issued log " + path + " at byte " + std::to_string(at) + ": " + s.message());
    }
    at += kHeaderBytes + length;
  }
  assert(at <= bytes.size());
  return Status::ok();
}

constexpr uint8_t kTxnKindMax = static_cast<uint8_t>(oracle::TxnEvent::Kind::kRolledBack);

Status read_txn_record(uint8_t type, Fields* f, std::vector<oracle::TxnEvent>* out) {
  using Kind = oracle::TxnEvent::Kind;
  oracle::TxnEvent e;
  if (type == kPending) {
    e.kind = Kind::kPlainIssued;
    e.seq = f->u64();
    (void)f->u64();  // issued_ns
    auto write = get_write(f);
    if (!write) return Status(ErrorCode::kCorruption, "bad pending write");
    e.write = std::move(*write);
  } else if (type == kAck) {
    e.kind = Kind::kPlainAcked;
    e.seq = f->u64();
    f->rest = {};
  } else if (type == kTxn) {
    const uint8_t kind = f->u8();
    if (kind > kTxnKindMax) return Status(ErrorCode::kCorruption, "bad transaction event");
    e.kind = static_cast<Kind>(kind);
    e.txn = f->u64();
    e.seq = f->u64();
    if (e.kind == Kind::kRead || e.kind == Kind::kWrite) {
      auto op = get_write_op(f);
      if (!op) return Status(ErrorCode::kCorruption, "bad transaction op");
      e.op = std::move(*op);
    }
    if (e.kind == Kind::kRead) {
      const bool has = f->u8() != 0;
      std::string value = f->str();
      if (has) e.seen = std::move(value);
    }
  } else {
    f->rest = {};
    return Status::ok();
  }
  out->push_back(std::move(e));
  return Status::ok();
}

}  // namespace

Status replay_issued_log(const std::string& path, oracle::History* history) {
  assert(history != nullptr);
  std::map<uint64_t, uint64_t> syncs;
  return for_each_record(
      path, [&](uint8_t type, Fields* f) { return replay_record(type, f, history, &syncs); });
}

Result<std::vector<oracle::TxnEvent>> read_txn_events(const std::string& path) {
  std::vector<oracle::TxnEvent> events;
  RETURN_IF_ERROR(for_each_record(
      path, [&](uint8_t type, Fields* f) { return read_txn_record(type, f, &events); }));
  // A commit's pending write is no plain write: drop those the commits name.
  std::set<uint64_t> commits;
  for (const oracle::TxnEvent& e : events) {
    if (e.kind == oracle::TxnEvent::Kind::kCommitCall && e.seq > 0) commits.insert(e.seq);
  }
  std::erase_if(events, [&](const oracle::TxnEvent& e) {
    const bool plain = e.kind == oracle::TxnEvent::Kind::kPlainIssued ||
                       e.kind == oracle::TxnEvent::Kind::kPlainAcked;
    return plain && commits.count(e.seq) > 0;
  });
  return events;
}

}  // namespace torture::detail
