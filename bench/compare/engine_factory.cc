#include "kv_engine.h"
#include "txn_engine.h"

namespace bench {

faultfs::Result<std::unique_ptr<KvEngine>> make_engine(std::string_view name) {
  if (name == "dbx") return make_dbx_engine();
  if (name == kDbxEncryptedName) return make_dbx_encrypted_engine();
  if (name == "sqlite") return make_sqlite_engine();
  if (name == "rocksdb") return make_rocksdb_engine();
  if (name == "leveldb") return make_leveldb_engine();
  return faultfs::Status(faultfs::ErrorCode::kInvalidArgument,
                         "unknown engine '" + std::string(name) + "'");
}

faultfs::Result<std::unique_ptr<TxnEngine>> make_txn_engine(std::string_view name) {
  if (name == "dbx") return make_dbx_txn_engine();
  if (name == "sqlite") return make_sqlite_txn_engine();
  if (name == "rocksdb-txn") return make_rocksdb_txn_engine(/*optimistic=*/false);
  if (name == "rocksdb-occ") return make_rocksdb_txn_engine(/*optimistic=*/true);
  if (name == "leveldb") return make_leveldb_txn_engine();
  return faultfs::Status(faultfs::ErrorCode::kInvalidArgument,
                         "unknown transactional engine '" + std::string(name) + "'");
}

faultfs::Result<std::unique_ptr<KvEngine>> open_engine(std::string_view name,
                                                       const std::string& dir,
                                                       const EngineOptions& options) {
  auto engine = make_engine(name);
  if (!engine.is_ok()) return engine.status();
  if (faultfs::Status st = (*engine)->open(dir, options); !st.is_ok()) return st;
  return std::move(engine).value();
}

}  // namespace bench
