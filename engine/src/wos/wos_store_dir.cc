#include "wos/wos_store_dir.h"

#include <array>
#include <cassert>
#include <span>

#include "faultfs/status_macros.h"

namespace dbx::wos {

StoreDir::StoreDir(faultfs::FileSystem& fs, std::string dir, EntryCodec codec)
    : fs_(fs),
      codec_(codec),
      dir_(std::move(dir)),
      db_path_(faultfs::join_path(dir_, kDbFileName)),
      conf_path_(faultfs::join_path(dir_, kConfFileName)),
      db_temp_path_(faultfs::join_path(dir_, kDbTempFileName)),
      conf_temp_path_(faultfs::join_path(dir_, kConfTempFileName)) {
  assert(!dir_.empty());
}

faultfs::Status StoreDir::ensure_exists() const {
  ASSIGN_OR_RETURN(auto exists, fs_.exists(dir_));
  if (exists) return faultfs::Status::ok();
  return fs_.mkdir(dir_);
}

faultfs::Result<Conf> StoreDir::read_conf() const {
  ASSIGN_OR_RETURN(auto file, fs_.open(conf_path_, faultfs::OpenMode::kRead));
  ASSIGN_OR_RETURN(auto size, file->size());
  // Version 1 is kConfBytesV1 long, version 2 kConfBytes, a sealed conf
  // conf_file_bytes(); nothing else is read.
  // A plain open of a sealed conf (of any algorithm's size) is a missing
  // key, not damage: the engine checks the key file first, this is the last
  // line.
  const bool sized_as_sealed =
      size == kConfBytes + crypto::seal_overhead(Algorithm::kAes256Gcm) ||
      size == kConfBytes + crypto::seal_overhead(Algorithm::kXChaCha20Poly1305);
  if (!codec_.sealed() && sized_as_sealed) {
    return faultfs::Status(faultfs::ErrorCode::kInvalidArgument,
                           conf_path_ + ": the store is encrypted and no key was given");
  }
  const bool size_ok = codec_.sealed() ? size == codec_.conf_file_bytes()
                                       : size == kConfBytes || size == kConfBytesV1;
  if (!size_ok) return corruption(conf_path_, 0, "conf has the wrong size");
  std::array<char, kConfBytes + crypto::kMaxSealOverhead> bytes{};
  assert(size <= bytes.size());
  ASSIGN_OR_RETURN(auto n, file->read_at(0, std::span<char>(bytes.data(), size)));
  if (n != size) return corruption(conf_path_, n, "short read of conf");
  RETURN_IF_ERROR(file->close());
  return codec_.decode_conf_file(std::string_view(bytes.data(), size), conf_path_);
}

faultfs::Result<DbHeader> StoreDir::read_db_header(faultfs::File& file, const std::string& path,
                                                   uint64_t file_bytes) const {
  if (file_bytes < kDbHeaderBytes)
    return corruption(path, file_bytes, "db shorter than its header");
  std::array<char, kDbHeaderBytes> bytes{};
  ASSIGN_OR_RETURN(auto n, file.read_at(0, std::span<char>(bytes)));
  if (n != kDbHeaderBytes) return corruption(path, n, "short read of the db header");
  ASSIGN_OR_RETURN(auto header,
                   decode_db_header(std::string_view(bytes.data(), bytes.size()), path));
  if (header.sealed && !codec_.sealed()) {
    return faultfs::Status(faultfs::ErrorCode::kInvalidArgument,
                           path + ": the store is encrypted and no key was given");
  }
  if (!header.sealed && codec_.sealed()) {
    return corruption(path, 12, "plain db in an encrypted store");
  }
  return header;
}

faultfs::Status StoreDir::publish_conf(const Conf& conf) const {
  ASSIGN_OR_RETURN(auto file, fs_.open(conf_temp_path_, faultfs::OpenMode::kCreateTruncate));
  faultfs::Status status = file->append(codec_.encode_conf_file(conf));
  if (status.is_ok()) status = file->sync();
  if (!status.is_ok()) {
    // The write already failed; the close error, if any, adds nothing.
    file->close().ignore_error();
    return status;
  }
  RETURN_IF_ERROR(file->close());
  RETURN_IF_ERROR(fs_.rename(conf_temp_path_, conf_path_));
  return fs_.sync_dir(dir_);
}

faultfs::Status StoreDir::remove_if_exists(const std::string& path) const {
  ASSIGN_OR_RETURN(auto exists, fs_.exists(path));
  if (!exists) return faultfs::Status::ok();
  return fs_.remove(path);
}

}  // namespace dbx::wos
