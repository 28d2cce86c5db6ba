#include "wos/wos_seal.h"

#include <cassert>
#include <cstring>

#include "faultfs/crc32c.h"
#include "faultfs/status_macros.h"
#include "util/coding.h"

namespace dbx::wos {
namespace {

constexpr std::string_view kEntryAdTag = "DBXWOSE1";
constexpr std::string_view kConfAdTag = "DBXWCNF1";

uint32_t masked_crc(std::string_view bytes) {
  return faultfs::crc32c::mask(faultfs::crc32c::value(bytes));
}

// Tag, generation, offset and the entry header after its crc.
struct EntryAd {
  static constexpr size_t kBytes = 8 + 8 + 8 + (kEntryHeaderBytes - 4);
  char bytes[kBytes];
  std::string_view view() const { return std::string_view(bytes, kBytes); }
};

EntryAd entry_ad(uint64_t generation, uint64_t offset, const char* header) {
  EntryAd ad;
  std::memcpy(ad.bytes, kEntryAdTag.data(), kEntryAdTag.size());
  coding::encode_fixed64(ad.bytes + 8, generation);
  coding::encode_fixed64(ad.bytes + 16, offset);
  std::memcpy(ad.bytes + 24, header + 4, kEntryHeaderBytes - 4);
  return ad;
}

std::string conf_ad(std::string_view conf_bytes) {
  std::string ad(kConfAdTag);
  ad.append(conf_bytes);
  return ad;
}

}  // namespace

void EntryCodec::append(std::string* dst, uint64_t generation, uint64_t offset, uint8_t type,
                        std::string_view table, std::string_view key, std::string_view value,
                        std::string* scratch) const {
  if (sealer_ == nullptr) {
    append_entry(dst, type, table, key, value);
    return;
  }
  const size_t start = dst->size();
  // The plain encoding first: its header is the sealed entry's header. Its
  // body moves to the caller's scratch (capacity reused: no allocation per
  // entry) to be sealed back into dst.
  append_entry(dst, type, table, key, value);
  std::string& plain = *scratch;
  plain.assign(*dst, start + kEntryHeaderBytes);
  dst->resize(start + kEntryHeaderBytes + plain.size() + sealer_->overhead());
  char* entry = dst->data() + start;
  sealer_->seal(entry_ad(generation, offset, entry).view(), plain, entry + kEntryHeaderBytes);
  const std::string_view covered(entry + 4, dst->size() - start - 4);
  coding::encode_fixed32(entry, masked_crc(covered));
  assert(dst->size() - start == stored_bytes(table.size(), key.size(), value.size()));
}

faultfs::Result<EntryHeader> EntryCodec::decode_header(std::string_view bytes,
                                                       const std::string& path,
                                                       uint64_t offset) const {
  ASSIGN_OR_RETURN(auto header, decode_entry_header(bytes, path, offset));
  header.seal_bytes = seal_bytes();
  return header;
}

faultfs::Result<EntryView> EntryCodec::decode(std::string_view bytes, const std::string& path,
                                              uint64_t generation, uint64_t offset,
                                              std::string* plain) const {
  if (sealer_ == nullptr) return decode_entry(bytes, path, offset);
  ASSIGN_OR_RETURN(auto header, decode_header(bytes, path, offset));
  RETURN_IF_ERROR(check_entry_size_and_crc(bytes, header, path, offset));
  plain->resize(bytes.size() - kEntryHeaderBytes - sealer_->overhead());
  if (!sealer_->open(entry_ad(generation, offset, bytes.data()).view(),
                     bytes.substr(kEntryHeaderBytes), plain->data())) {
    return corruption(path, offset, "sealed entry fails authentication");
  }
  return split_entry_body(header, *plain);
}

std::string EntryCodec::encode_conf_file(const Conf& conf) const {
  std::string out = encode_conf(conf);
  if (sealer_ == nullptr) return out;
  const std::string ad = conf_ad(out);
  out.resize(kConfBytes + sealer_->overhead());
  sealer_->seal(ad, {}, out.data() + kConfBytes);
  return out;
}

faultfs::Result<Conf> EntryCodec::decode_conf_file(std::string_view bytes,
                                                   const std::string& path) const {
  if (sealer_ == nullptr) return decode_conf(bytes, path);
  if (bytes.size() != conf_file_bytes()) {
    return corruption(path, 0, "conf has the wrong size for an encrypted store");
  }
  const std::string_view body = bytes.substr(0, kConfBytes);
  char nothing[1];  // The blob seals no bytes; libsodium still wants a buffer.
  if (!sealer_->open(conf_ad(body), bytes.substr(kConfBytes), nothing)) {
    return corruption(path, kConfBytes, "sealed conf fails authentication");
  }
  return decode_conf(body, path);
}

}  // namespace dbx::wos
