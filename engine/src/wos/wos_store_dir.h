// The WOS directory and the durable file steps every protocol is built from:
// paths, reading and crash-atomically publishing `conf`, tidying temporaries.
//
// publish_conf() is the commit point of every checkpoint: it returns OK only
// once the new conf is durable under its final name (data synced, renamed,
// directory synced). Until the rename is durable a crash keeps the old conf.
#pragma once

#include <string>

#include "faultfs/file_system.h"
#include "wos/wos_format.h"
#include "wos/wos_seal.h"

namespace dbx::wos {

class StoreDir {
 public:
  // `codec` says whether conf and db are sealed (wos_seal.h).
  StoreDir(faultfs::FileSystem& fs, std::string dir, EntryCodec codec = EntryCodec());

  const EntryCodec& codec() const { return codec_; }

  faultfs::FileSystem& fs() const { return fs_; }
  const std::string& dir() const { return dir_; }
  const std::string& db_path() const { return db_path_; }
  const std::string& conf_path() const { return conf_path_; }
  const std::string& db_temp_path() const { return db_temp_path_; }
  const std::string& conf_temp_path() const { return conf_temp_path_; }

  // Creates the directory if missing. Its entry in the parent is made durable
  // by WosStore::initialize(), which runs whenever conf is missing: that also
  // covers a directory left by an open that failed before syncing the parent.
  [[nodiscard]] faultfs::Status ensure_exists() const;

  // Reads and verifies conf. Its size must be exactly kConfBytes (never used
  // to size a buffer). kNotFound passes through when conf does not exist.
  [[nodiscard]] faultfs::Result<Conf> read_conf() const;

  // Reads and verifies the header of an open db file of `file_bytes` bytes,
  // which must be sealed exactly when the codec is (a sealed one read without
  // a key is kInvalidArgument, a plain one in an encrypted store kCorruption).
  [[nodiscard]] faultfs::Result<DbHeader> read_db_header(faultfs::File& file,
                                                         const std::string& path,
                                                         uint64_t file_bytes) const;

  // conf.tmp written and synced, renamed over conf, directory synced.
  [[nodiscard]] faultfs::Status publish_conf(const Conf& conf) const;

  // Removes `path` if it exists. Not made durable: callers use it only for
  // leftovers whose reappearance after a crash is harmless.
  [[nodiscard]] faultfs::Status remove_if_exists(const std::string& path) const;

 private:
  faultfs::FileSystem& fs_;
  const EntryCodec codec_;
  const std::string dir_;
  const std::string db_path_;
  const std::string conf_path_;
  const std::string db_temp_path_;
  const std::string conf_temp_path_;
};

}  // namespace dbx::wos
