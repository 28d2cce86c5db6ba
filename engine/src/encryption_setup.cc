// DatabaseImpl's encryption at rest: the key file at open, and rotate_key.
// Formats and the crash argument: engine/doc/encryption.md.
#include <algorithm>
#include <cassert>
#include <span>
#include <vector>

#include "database_impl.h"
#include "logger.h"
#include "status_util.h"
#include "util/coding.h"
#include "wal/wal_format.h"
#include "wal/wal_writer.h"
#include "wos/wos_format.h"
#include "wos/wos_store.h"

namespace dbx {
namespace {

Error invalid_key(const std::string& path) {
  return Error(ErrorCode::kInvalidKey,
               path + ": the key or password does not open this database's key file");
}

// What a directory without a key file holds.
enum class Found { kNothing, kPlain, kSealed };

// The first `n` bytes of `path`; shorter (or empty) when the file is.
std::string head_of(faultfs::FileSystem& fs, const std::string& path, size_t n) {
  if (!value_or_throw(fs.exists(path), "open")) return {};
  auto file = value_or_throw(fs.open(path, faultfs::OpenMode::kRead), "open");
  std::string bytes(n, '\0');
  const size_t got =
      value_or_throw(file->read_at(0, std::span<char>(bytes.data(), bytes.size())), "open");
  bytes.resize(got);
  throw_if_error(file->close(), "open");
  return bytes;
}

// Sealed: a conf of a sealed size, a db header flagged sealed, a version 3
// log. Plain: any of them whole and plain. Nothing: no file that holds data
// (creation stopped before the key file and the store were both written).
Found classify_without_key_file(faultfs::FileSystem& fs, const std::string& dir) {
  Found found = Found::kNothing;
  auto conf_size = fs.file_size(faultfs::join_path(dir, "wos/conf"));
  if (conf_size.is_ok() && *conf_size != 0) {
    if (*conf_size != wos::kConfBytes && *conf_size != wos::kConfBytesV1) return Found::kSealed;
    found = Found::kPlain;
  }
  const std::string db = head_of(fs, faultfs::join_path(dir, "wos/db"), wos::kDbHeaderBytes);
  if (db.size() == wos::kDbHeaderBytes && db.starts_with(wos::kDbMagic)) {
    if ((coding::decode_fixed32(db.data() + 12) & wos::kDbFlagSealed) != 0) return Found::kSealed;
    found = Found::kPlain;
  }
  const std::string log = head_of(fs, faultfs::join_path(dir, "wal.log"), 12);
  if (log.size() == 12 && log.starts_with(wal::kMagic)) {
    if (coding::decode_fixed32(log.data() + wal::kFileVersionOffset) == wal::kFormatVersionSealed) {
      return Found::kSealed;
    }
    found = Found::kPlain;
  }
  return found;
}

}  // namespace

void DatabaseImpl::setup_encryption(const std::string& dir) {
  const std::string key_path = faultfs::join_path(dir, crypto::kKeyFileName);
  const bool key_file = value_or_throw(fs_->exists(key_path), "open");
  if (!options_.encryption) {
    if (key_file) {
      throw Error(ErrorCode::kInvalidArgument,
                  dir + " is an encrypted database: open it with an EncryptionConfig");
    }
    return;
  }
  encryption_ = *options_.encryption;
  crypto::KeySet keys;
  if (!key_file) {
    switch (classify_without_key_file(*fs_, dir)) {
      case Found::kSealed:
        throw Error(ErrorCode::kCorruption, key_path + " is missing beside sealed files");
      case Found::kPlain:
        throw Error(ErrorCode::kInvalidArgument,
                    dir + " is not an encrypted database: open it without an EncryptionConfig");
      case Found::kNothing:
        break;  // Nothing sealed exists yet, so no key is lost: a new database.
    }
    keys = create_key_file(dir);
  } else {
    const std::string bytes = value_or_throw(crypto::read_key_file(*fs_, key_path), "open");
    crypto::OpenedKeys opened =
        value_or_throw(crypto::open_key_file(bytes, key_path, *encryption_), "open");
    if (opened.wrong_key) throw invalid_key(key_path);
    keys = std::move(opened.keys);
    if (keys.algorithm != encryption_->algorithm()) {
      logger().info("{}: sealed with {} (the key file's choice), not {}", dir,
                    algorithm_name(keys.algorithm), algorithm_name(encryption_->algorithm()));
    }
    if (!crypto::algorithm_usable(keys.algorithm)) {
      throw Error(ErrorCode::kInvalidArgument, dir + " is sealed with " +
                                                   algorithm_name(keys.algorithm) +
                                                   ", which this CPU cannot run");
    }
  }
  // The keys move into the sealer, their one holder: no copy per open.
  sealer_ = std::make_unique<crypto::Sealer>(keys.algorithm, options_.lab_nonce_counter_restarts);
  for (crypto::DataKey& key : keys.keys) sealer_->add_key(key.id, std::move(key.key));
  sealer_->set_current(keys.current);
}

crypto::KeySet DatabaseImpl::sealer_key_set() const {
  crypto::KeySet keys;
  keys.algorithm = sealer_->algorithm();
  keys.current = sealer_->current_key_id();
  for (const uint32_t id : sealer_->key_ids()) {
    keys.keys.push_back(crypto::DataKey{id, sealer_->copy_key(id)});
  }
  return keys;
}

// A new database: the key file is durable before any file it unlocks exists,
// so a crash leaves either no key file (and no store: a new database again)
// or one that opens whatever follows.
crypto::KeySet DatabaseImpl::create_key_file(const std::string& dir) {
  if (options_.read_only) {
    throw Error(ErrorCode::kReadOnly, dir + " holds no database to open read-only");
  }
  crypto::KeySet keys;
  keys.algorithm = encryption_->algorithm();
  keys.current = 1;
  keys.keys.push_back(crypto::DataKey{1, crypto::SecretKey::random()});
  const std::string bytes =
      value_or_throw(crypto::seal_key_file(*encryption_, keys), "create key file");
  throw_if_error(crypto::write_key_file(*fs_, dir, bytes), "create key file");
  return keys;
}

uint64_t DatabaseImpl::rotate_key(const EncryptionConfig& config, bool reencrypt) {
  if (!options_.encryption) {
    throw Error(ErrorCode::kInvalidArgument, "rotate_key on a database that is not encrypted");
  }
  check_writable();
  std::lock_guard checkpoint_lock(checkpoint_mutex_);
  check_writable();
  if (!path_) {
    encryption_ = config;  // Nothing on disk is sealed.
    return 0;
  }
  if (reencrypt) return reencrypt_holding(config);
  // Re-wrap only: the same data keys under the new user key, one atomic
  // replacement of the key file.
  const std::string bytes =
      value_or_throw(crypto::seal_key_file(config, sealer_key_set()), "rotate_key");
  throw_if_error(crypto::write_key_file(*fs_, *path_, bytes), "rotate_key");
  encryption_ = config;
  return 0;
}

// 1. key file := {old keys, new key (current)} under the new user key;
// 2. with writers held: checkpoint, rewrite every live entry under the new
//    key (a compaction), cut the log (its new epoch is sealed with it);
// 3. key file := {new key}. Whatever a crash interrupts, the key file on disk
//    holds every data key that anything readable was sealed with.
uint64_t DatabaseImpl::reencrypt_holding(const EncryptionConfig& config) {
  const std::vector<uint32_t> old_ids = sealer_->key_ids();
  assert(!old_ids.empty());
  const uint32_t new_id = *std::max_element(old_ids.begin(), old_ids.end()) + 1;
  crypto::DataKey fresh{new_id, crypto::SecretKey::random()};
  crypto::KeySet both = sealer_key_set();
  both.keys.push_back(fresh);
  both.current = new_id;
  const std::string both_bytes = value_or_throw(crypto::seal_key_file(config, both), "rotate_key");
  throw_if_error(crypto::write_key_file(*fs_, *path_, both_bytes), "rotate_key");
  encryption_ = config;
  sealer_->add_key(new_id, fresh.key);
  uint64_t rewritten = 0;
  {
    std::unique_lock log_lock(log_mutex_);
    sealer_->set_current(new_id);
    const uint64_t covered = checkpoint_delta(&log_lock);
    auto prepared = wos_->prepare_rewrite();
    if (!prepared.is_ok()) {
      enter_read_only("re-encryption failed: " + prepared.status().message());
      throw_if_error(prepared.status(), "rotate_key");
    }
    {
      std::unique_lock state_lock(state_mutex_);
      wos_->publish(std::move(prepared).value());
    }
    rewritten = wos_->live_entries();
    wos_applied_sequence_ = covered;
    if (wal_ != nullptr) cut_log(covered);
  }
  crypto::KeySet only_new;
  only_new.algorithm = sealer_->algorithm();
  only_new.current = new_id;
  only_new.keys.push_back(std::move(fresh));
  const std::string bytes = value_or_throw(crypto::seal_key_file(config, only_new), "rotate_key");
  throw_if_error(crypto::write_key_file(*fs_, *path_, bytes), "rotate_key");
  for (const uint32_t id : old_ids) sealer_->drop_key(id);
  return rewritten;
}

}  // namespace dbx
