#include "wos/wos_store_dir.h"

#include <array>
#include <cassert>
#include <span>

#include "faultfs/status_macros.h"

namespace dbx::wos {

StoreDir::StoreDir(faultfs::FileSystem& fs, std::string dir)
    : fs_(fs),
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
  // Version 1 is kConfBytesV1 long, version 2 kConfBytes; nothing else is read.
  if (size != kConfBytes && size != kConfBytesV1) {
    return corruption(conf_path_, 0, "conf has the wrong size");
  }
  std::array<char, kConfBytes> bytes{};
  ASSIGN_OR_RETURN(auto n, file->read_at(0, std::span<char>(bytes.data(), size)));
  if (n != size) return corruption(conf_path_, n, "short read of conf");
  RETURN_IF_ERROR(file->close());
  return decode_conf(std::string_view(bytes.data(), size), conf_path_);
}

faultfs::Result<DbHeader> StoreDir::read_db_header(faultfs::File& file, const std::string& path,
                                                   uint64_t file_bytes) const {
  if (file_bytes < kDbHeaderBytes)
    return corruption(path, file_bytes, "db shorter than its header");
  std::array<char, kDbHeaderBytes> bytes{};
  ASSIGN_OR_RETURN(auto n, file.read_at(0, std::span<char>(bytes)));
  if (n != kDbHeaderBytes) return corruption(path, n, "short read of the db header");
  return decode_db_header(std::string_view(bytes.data(), bytes.size()), path);
}

faultfs::Status StoreDir::publish_conf(const Conf& conf) const {
  ASSIGN_OR_RETURN(auto file, fs_.open(conf_temp_path_, faultfs::OpenMode::kCreateTruncate));
  faultfs::Status status = file->append(encode_conf(conf));
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
