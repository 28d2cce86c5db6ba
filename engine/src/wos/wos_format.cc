#include "wos/wos_format.h"

#include <cassert>

#include "faultfs/crc32c.h"
#include "faultfs/status_macros.h"
#include "util/coding.h"

namespace dbx::wos {
namespace {

uint32_t masked_crc(std::string_view bytes) {
  return faultfs::crc32c::mask(faultfs::crc32c::value(bytes));
}

uint8_t byte_at(std::string_view bytes, size_t i) { return static_cast<uint8_t>(bytes[i]); }

}  // namespace

faultfs::Status corruption(const std::string& path, uint64_t offset, std::string_view what) {
  return faultfs::Status(
      faultfs::ErrorCode::kCorruption,
      "wos: " + std::string(what) + " in " + path + " at offset " + std::to_string(offset));
}

std::string encode_db_header(const DbHeader& header) {
  assert(header.generation >= kFirstGeneration);
  assert(header.base_length >= kDbHeaderBytes);
  std::string out(kDbMagic);
  coding::put_fixed32(&out, kFormatVersion);
  coding::put_fixed32(&out, header.sealed ? kDbFlagSealed : 0);
  coding::put_fixed64(&out, header.generation);
  coding::put_fixed64(&out, header.base_sequence);
  coding::put_fixed64(&out, header.base_length);
  coding::put_fixed32(&out, 0);
  assert(out.size() == kDbHeaderCrcOffset);
  coding::put_fixed32(&out, masked_crc(out));
  assert(out.size() == kDbHeaderBytes);
  return out;
}

faultfs::Result<DbHeader> decode_db_header(std::string_view bytes, const std::string& path) {
  if (bytes.size() != kDbHeaderBytes) return corruption(path, 0, "short db header");
  if (bytes.substr(0, kDbMagic.size()) != kDbMagic) return corruption(path, 0, "bad db magic");
  const char* p = bytes.data();
  if (coding::decode_fixed32(p + kDbHeaderCrcOffset) !=
      masked_crc(bytes.substr(0, kDbHeaderCrcOffset))) {
    return corruption(path, 0, "db header checksum mismatch");
  }
  // Checked after the checksum: a valid checksum over an unknown version is a
  // newer format, not a flipped bit, and deserves its own message.
  if (coding::decode_fixed32(p + 8) != kFormatVersion) {
    return corruption(path, 8, "unsupported db format version");
  }
  const uint32_t flags = coding::decode_fixed32(p + 12);
  if ((flags & ~kDbFlagSealed) != 0 || coding::decode_fixed32(p + 40) != 0) {
    return corruption(path, 12, "db header reserved bits set");
  }
  DbHeader header;
  header.sealed = (flags & kDbFlagSealed) != 0;
  header.generation = coding::decode_fixed64(p + 16);
  header.base_sequence = coding::decode_fixed64(p + 24);
  header.base_length = coding::decode_fixed64(p + 32);
  if (header.generation < kFirstGeneration) return corruption(path, 16, "db generation zero");
  if (header.base_length < kDbHeaderBytes) return corruption(path, 32, "db base length too small");
  return header;
}

std::string encode_conf(const Conf& conf) {
  assert(conf.generation >= kFirstGeneration);
  assert(conf.db_length >= kDbHeaderBytes);
  assert(conf.live_bytes <= conf.db_length - kDbHeaderBytes);
  std::string out(kConfMagic);
  coding::put_fixed32(&out, kConfFormatVersion);
  coding::put_fixed32(&out, conf.wal.known ? 0 : kConfFlagWalUnknown);
  coding::put_fixed64(&out, conf.generation);
  coding::put_fixed64(&out, conf.db_length);
  coding::put_fixed64(&out, conf.checkpoint_sequence);
  coding::put_fixed64(&out, conf.live_entries);
  coding::put_fixed64(&out, conf.live_bytes);
  assert(out.size() == kConfWalEpochOffset);
  coding::put_fixed32(&out, conf.wal.known ? conf.wal.epoch : 0);
  coding::put_fixed32(&out, 0);
  coding::put_fixed64(&out, conf.wal.known ? conf.wal.synced_sequence : 0);
  coding::put_fixed32(&out, 0);
  assert(out.size() == kConfCrcOffset);
  coding::put_fixed32(&out, masked_crc(out));
  assert(out.size() == kConfBytes);
  return out;
}

faultfs::Result<Conf> decode_conf(std::string_view bytes, const std::string& path) {
  if (bytes.size() != kConfBytes && bytes.size() != kConfBytesV1) {
    return corruption(path, 0, "conf has the wrong size");
  }
  if (bytes.substr(0, kConfMagic.size()) != kConfMagic)
    return corruption(path, 0, "bad conf magic");
  const char* p = bytes.data();
  const bool v1 = bytes.size() == kConfBytesV1;
  const size_t crc_offset = v1 ? kConfCrcOffsetV1 : kConfCrcOffset;
  if (coding::decode_fixed32(p + crc_offset) != masked_crc(bytes.substr(0, crc_offset))) {
    return corruption(path, 0, "conf checksum mismatch");
  }
  // The size picks the layout; a version that does not match it is a format
  // this code does not know, never something to guess at.
  if (coding::decode_fixed32(p + 8) != (v1 ? kConfFormatVersionV1 : kConfFormatVersion)) {
    return corruption(path, 8, "unsupported conf format version");
  }
  const uint32_t flags = coding::decode_fixed32(p + 12);
  const bool reserved_clear =
      (v1 ? flags == 0 : (flags & ~kConfFlagWalUnknown) == 0) &&
      (v1 ? coding::decode_fixed32(p + 56) == 0
          : coding::decode_fixed32(p + 60) == 0 && coding::decode_fixed32(p + 72) == 0);
  if (!reserved_clear) return corruption(path, 12, "conf reserved bits set");
  Conf conf;
  conf.generation = coding::decode_fixed64(p + 16);
  conf.db_length = coding::decode_fixed64(p + 24);
  conf.checkpoint_sequence = coding::decode_fixed64(p + 32);
  conf.live_entries = coding::decode_fixed64(p + 40);
  conf.live_bytes = coding::decode_fixed64(p + 48);
  if (!v1 && (flags & kConfFlagWalUnknown) == 0) {
    conf.wal.known = true;
    conf.wal.epoch = coding::decode_fixed32(p + kConfWalEpochOffset);
    conf.wal.synced_sequence = coding::decode_fixed64(p + kConfWalSyncedOffset);
  }
  if (conf.generation < kFirstGeneration) return corruption(path, 16, "conf generation zero");
  if (conf.db_length < kDbHeaderBytes) return corruption(path, 24, "conf db length too small");
  if (conf.live_bytes > conf.db_length - kDbHeaderBytes) {
    return corruption(path, 48, "conf live bytes exceed the db length");
  }
  return conf;
}

void append_entry(std::string* dst, uint8_t type, std::string_view table, std::string_view key,
                  std::string_view value) {
  assert(type == kEntryTypePut || type == kEntryTypeTombstone);
  assert(type == kEntryTypePut || value.empty());
  assert(!table.empty() && table.size() <= kMaxTableNameBytes);
  assert(key.size() <= kMaxKeyBytes && value.size() <= kMaxValueBytes);
  const size_t start = dst->size();
  coding::put_fixed32(dst, 0);  // The checksum, filled in once the bytes it covers exist.
  dst->push_back(static_cast<char>(type));
  dst->push_back(static_cast<char>(static_cast<uint8_t>(table.size())));
  dst->append(2, '\0');
  coding::put_fixed32(dst, static_cast<uint32_t>(key.size()));
  coding::put_fixed32(dst, static_cast<uint32_t>(value.size()));
  dst->append(table);
  dst->append(key);
  dst->append(value);
  const std::string_view covered = std::string_view(*dst).substr(start + 4);
  coding::encode_fixed32(dst->data() + start, masked_crc(covered));
  assert(dst->size() - start == entry_bytes(table.size(), key.size(), value.size()));
}

faultfs::Result<EntryHeader> decode_entry_header(std::string_view bytes, const std::string& path,
                                                 uint64_t offset) {
  if (bytes.size() < kEntryHeaderBytes) return corruption(path, offset, "truncated entry header");
  EntryHeader header;
  header.type = byte_at(bytes, 4);
  header.table_bytes = byte_at(bytes, 5);
  header.key_bytes = coding::decode_fixed32(bytes.data() + 8);
  header.value_bytes = coding::decode_fixed32(bytes.data() + 12);
  if (header.type != kEntryTypePut && header.type != kEntryTypeTombstone) {
    return corruption(path, offset, "bad entry type");
  }
  if (byte_at(bytes, 6) != 0 || byte_at(bytes, 7) != 0) {
    return corruption(path, offset, "entry reserved bits set");
  }
  if (header.table_bytes == 0) return corruption(path, offset, "entry with an empty table name");
  if (header.key_bytes > kMaxKeyBytes) return corruption(path, offset, "entry key too long");
  if (header.value_bytes > kMaxValueBytes) return corruption(path, offset, "entry value too long");
  if (header.type == kEntryTypeTombstone && header.value_bytes != 0) {
    return corruption(path, offset, "tombstone with a value");
  }
  assert(header.total_bytes() <= kEntryBytesMax);
  return header;
}

faultfs::Result<EntryView> decode_entry(std::string_view bytes, const std::string& path,
                                        uint64_t offset) {
  ASSIGN_OR_RETURN(auto header, decode_entry_header(bytes, path, offset));
  RETURN_IF_ERROR(check_entry_size_and_crc(bytes, header, path, offset));
  return split_entry_body(header, bytes.substr(kEntryHeaderBytes));
}

faultfs::Status check_entry_size_and_crc(std::string_view bytes, const EntryHeader& header,
                                         const std::string& path, uint64_t offset) {
  if (bytes.size() != header.total_bytes()) return corruption(path, offset, "entry size mismatch");
  if (coding::decode_fixed32(bytes.data()) != masked_crc(bytes.substr(4))) {
    return corruption(path, offset, "entry checksum mismatch");
  }
  return faultfs::Status::ok();
}

EntryView split_entry_body(const EntryHeader& header, std::string_view body) {
  assert(body.size() == uint64_t{header.table_bytes} + header.key_bytes + header.value_bytes);
  EntryView view;
  view.type = header.type;
  view.table = body.substr(0, header.table_bytes);
  body.remove_prefix(header.table_bytes);
  view.key = body.substr(0, header.key_bytes);
  body.remove_prefix(header.key_bytes);
  view.value = body;
  assert(view.value.size() == header.value_bytes);
  return view;
}

}  // namespace dbx::wos
