// The public facade: argument shaping only; the engine is DatabaseImpl.
#include "dbx/database.h"

#include "database_impl.h"

namespace dbx {

Database::Database(std::shared_ptr<DatabaseImpl> impl) : impl_(std::move(impl)) {}
// Closes here, not when the last snapshot or transaction lets the engine go.
Database::~Database() { impl_->close_quietly(); }

std::unique_ptr<Database> Database::open(const std::string& path) { return open(path, Options{}); }

std::unique_ptr<Database> Database::open(const std::string& path, const Options& options) {
  return std::unique_ptr<Database>(new Database(DatabaseImpl::open(path, options)));
}

std::unique_ptr<Database> Database::open_safe(const std::string& path) {
  return open_with_durability(path, Durability::kFull);
}

std::unique_ptr<Database> Database::open_fast(const std::string& path) {
  return open_with_durability(path, Durability::kNone);
}

std::unique_ptr<Database> Database::open_with_durability(const std::string& path,
                                                         Durability durability) {
  Options options;
  options.durability = durability;
  return open(path, options);
}

std::unique_ptr<Database> Database::open_read_only(const std::string& path) {
  return open_read_only(path, Options{});
}

std::unique_ptr<Database> Database::open_read_only(const std::string& path, Options options) {
  options.read_only = true;
  return open(path, options);
}

std::unique_ptr<Database> Database::open_in_memory() {
  Options options;
  options.durability = Durability::kNone;
  return std::unique_ptr<Database>(new Database(DatabaseImpl::open(std::nullopt, options)));
}

std::unique_ptr<Database> Database::open_encrypted(const std::string& path,
                                                   const EncryptionConfig& config,
                                                   Durability durability) {
  Options options;
  options.durability = durability;
  options.encryption = config;
  return open(path, options);
}

std::unique_ptr<Database> Database::open_in_memory_encrypted(const EncryptionConfig& config) {
  Options options;
  options.durability = Durability::kNone;
  options.encryption = config;
  return std::unique_ptr<Database>(new Database(DatabaseImpl::open(std::nullopt, options)));
}

uint64_t Database::rotate_key(const EncryptionConfig& new_config, bool reencrypt) {
  return impl_->rotate_key(new_config, reencrypt);
}
bool Database::is_encrypted() const { return impl_->is_encrypted(); }

uint64_t Database::insert(std::string_view table, std::string_view key, std::string_view value) {
  const wal::MutationView mutation{false, table, key, value};
  return impl_->write(std::span<const wal::MutationView>(&mutation, 1));
}

std::optional<std::string> Database::get(std::string_view table, std::string_view key) const {
  return impl_->get(table, key);
}

bool Database::remove(std::string_view table, std::string_view key) {
  return impl_->remove(table, key);
}

uint64_t Database::insert_batch(std::string_view table, const std::vector<Row>& rows) {
  std::vector<wal::MutationView> mutations;
  mutations.reserve(rows.size());
  for (const Row& row : rows)
    mutations.push_back(wal::MutationView{false, table, row.first, row.second});
  return impl_->write(mutations);
}

uint64_t Database::write(const WriteBatch& batch) {
  std::vector<wal::MutationView> mutations;
  mutations.reserve(batch.size());
  for (const WriteBatch::Op& op : batch.ops()) {
    const bool is_delete = op.kind == WriteBatch::OpKind::kDelete;
    mutations.push_back(
        wal::MutationView{is_delete, op.table, op.key, is_delete ? std::string_view() : op.value});
  }
  return impl_->write(mutations);
}

uint64_t Database::count(std::string_view table) const { return impl_->count(table); }

std::vector<Database::Row> Database::scan(std::string_view table) const {
  return impl_->range(table, "", std::nullopt);
}

std::vector<Database::Row> Database::range(std::string_view table, std::string_view begin,
                                           std::string_view end) const {
  if (end < begin) throw Error(ErrorCode::kInvalidArgument, "range end precedes begin");
  return impl_->range(table, begin, end);
}

std::vector<std::string> Database::table_names() const { return impl_->table_names(); }
void Database::flush() { impl_->flush(); }
void Database::set_flush_interval(std::chrono::milliseconds interval) {
  impl_->set_flush_interval(interval);
}
void Database::close() { impl_->close(); }
void Database::run_background_work(std::chrono::nanoseconds now) {
  impl_->run_background_work(now);
}
uint64_t Database::last_sequence() const { return impl_->last_sequence(); }
Durability Database::durability() const { return impl_->durability(); }
RecoveryStats Database::recovery_stats() const { return impl_->recovery_stats(); }

}  // namespace dbx
