// Snapshots, transactions and iterators over the engine's pinned reads
// (DatabaseImpl::pin_snapshot, get_at, range_at, commit_at).
#include "dbx/transaction.h"

#include <algorithm>
#include <cassert>

#include "database_impl.h"
#include "dbx/database.h"
#include "dbx/error.h"

namespace dbx {

namespace {

// Rows an iterator reads at a time. A seek reads a small first chunk and each
// refill doubles it up to the cap: a seek followed by a few next() calls (or
// the seek_to_first every new iterator makes) costs about the rows it uses,
// and a long scan still reads in large chunks. The cap bounds its memory,
// whatever the table.
constexpr size_t kIteratorFirstChunkRows = 16;
constexpr size_t kIteratorChunkRowsMax = 512;
static_assert(kIteratorFirstChunkRows > 0 && kIteratorFirstChunkRows <= kIteratorChunkRowsMax);

using TableWrites = std::map<std::string, std::optional<std::string>>;

// `rows` (key order) with `writes` in [begin, end) laid over them.
std::vector<Database::Row> overlay_writes(std::vector<Database::Row> rows,
                                          const TableWrites& writes, std::string_view begin,
                                          std::optional<std::string_view> end) {
  if (writes.empty()) return rows;
  std::vector<Database::Row> out;
  out.reserve(rows.size());
  size_t i = 0;
  for (auto w = writes.lower_bound(std::string(begin)); w != writes.end(); ++w) {
    if (end.has_value() && std::string_view(w->first) >= *end) break;
    while (i < rows.size() && rows[i].first < w->first) out.push_back(std::move(rows[i++]));
    if (i < rows.size() && rows[i].first == w->first) ++i;
    if (w->second) out.emplace_back(w->first, *w->second);
  }
  while (i < rows.size()) out.push_back(std::move(rows[i++]));
  return out;
}

const TableWrites* writes_of(const Transaction::WriteSet& set, std::string_view table) {
  const auto t = set.find(table);
  return t == set.end() ? nullptr : &t->second;
}

}  // namespace

// An iterator's own pin (its snapshot or transaction may end first) and the
// transaction's writes to its table as they were when it was made.
struct Iterator::Source {
  Source(std::shared_ptr<DatabaseImpl> db, std::string_view table_name, uint64_t at,
         TableWrites own)
      : impl(std::move(db)), table(table_name), sequence(at), writes(std::move(own)) {
    impl->repin_snapshot(sequence);
  }
  ~Source() { impl->unpin_snapshot(sequence); }

  std::shared_ptr<DatabaseImpl> impl;
  const std::string table;
  const uint64_t sequence;
  const TableWrites writes;
};

Iterator::Iterator(std::shared_ptr<Source> source) : source_(std::move(source)) {}
Iterator::~Iterator() = default;

void Iterator::seek_to_first() { seek(std::string_view()); }

void Iterator::seek(std::string_view key) {
  chunk_rows_ = kIteratorFirstChunkRows;
  fill(std::string(key));
}
bool Iterator::valid() const { return position_ < chunk_.size(); }

void Iterator::next() {
  assert(valid());
  position_ += 1;
  if (position_ < chunk_.size() || !next_begin_) return;
  fill(std::move(*next_begin_));
}

std::string_view Iterator::key() const {
  assert(valid());
  return chunk_[position_].first;
}

std::string_view Iterator::value() const {
  assert(valid());
  return chunk_[position_].second;
}

void Iterator::fill(std::string begin) {
  // A chunk may hold no visible row (all deletes): read on until one does
  // or the table ends. Each chunk starts past the last, so this ends.
  assert(chunk_rows_ >= kIteratorFirstChunkRows && chunk_rows_ <= kIteratorChunkRowsMax);
  for (;;) {
    DatabaseImpl::Chunk chunk = source_->impl->range_at(source_->table, begin, std::nullopt,
                                                        source_->sequence, chunk_rows_);
    chunk_rows_ = std::min(2 * chunk_rows_, kIteratorChunkRowsMax);  // For the next one.
    const std::optional<std::string_view> end =
        chunk.next_begin ? std::optional<std::string_view>(*chunk.next_begin) : std::nullopt;
    chunk_ = overlay_writes(std::move(chunk.rows), source_->writes, begin, end);
    position_ = 0;
    next_begin_ = std::move(chunk.next_begin);
    if (!chunk_.empty() || !next_begin_) return;
    assert(*next_begin_ > begin);
    begin = *next_begin_;
  }
}

Snapshot::Snapshot(std::shared_ptr<DatabaseImpl> impl, uint64_t sequence)
    : impl_(std::move(impl)), sequence_(sequence) {}
Snapshot::~Snapshot() { impl_->unpin_snapshot(sequence_); }

std::optional<std::string> Snapshot::get(std::string_view table, std::string_view key) const {
  return impl_->get_at(table, key, sequence_);
}

uint64_t Snapshot::count(std::string_view table) const { return scan(table).size(); }

std::vector<Snapshot::Row> Snapshot::scan(std::string_view table) const {
  return impl_->range_at(table, "", std::nullopt, sequence_, SIZE_MAX).rows;
}

std::vector<Snapshot::Row> Snapshot::range(std::string_view table, std::string_view begin,
                                           std::string_view end) const {
  if (end < begin) throw Error(ErrorCode::kInvalidArgument, "range end precedes begin");
  return impl_->range_at(table, begin, end, sequence_, SIZE_MAX).rows;
}

std::unique_ptr<Iterator> Snapshot::iterator(std::string_view table) const {
  auto it = std::make_unique<Iterator>(
      std::make_shared<Iterator::Source>(impl_, table, sequence_, TableWrites()));
  it->seek_to_first();
  return it;
}

Transaction::Transaction(std::shared_ptr<DatabaseImpl> impl, uint64_t sequence)
    : impl_(std::move(impl)), sequence_(sequence) {}

Transaction::~Transaction() { rollback(); }

void Transaction::check_active() const {
  if (!active_) throw Error(ErrorCode::kClosed, "the transaction has ended");
}

void Transaction::release() {
  assert(active_);
  active_ = false;
  writes_.clear();
  impl_->unpin_snapshot(sequence_);
}

std::optional<std::string> Transaction::get(std::string_view table, std::string_view key) const {
  check_active();
  if (const TableWrites* own = writes_of(writes_, table)) {
    const auto w = own->find(std::string(key));
    if (w != own->end()) return w->second;
  }
  return impl_->get_at(table, key, sequence_);
}

void Transaction::insert(std::string_view table, std::string_view key, std::string_view value) {
  check_active();
  writes_[std::string(table)][std::string(key)] = std::string(value);
}

bool Transaction::remove(std::string_view table, std::string_view key) {
  const bool existed = get(table, key).has_value();
  writes_[std::string(table)][std::string(key)] = std::nullopt;
  return existed;
}

uint64_t Transaction::count(std::string_view table) const { return scan(table).size(); }

std::vector<Transaction::Row> Transaction::scan(std::string_view table) const {
  check_active();
  std::vector<Row> rows = impl_->range_at(table, "", std::nullopt, sequence_, SIZE_MAX).rows;
  const TableWrites* own = writes_of(writes_, table);
  return own == nullptr ? rows : overlay_writes(std::move(rows), *own, "", std::nullopt);
}

std::vector<Transaction::Row> Transaction::range(std::string_view table, std::string_view begin,
                                                 std::string_view end) const {
  check_active();
  if (end < begin) throw Error(ErrorCode::kInvalidArgument, "range end precedes begin");
  std::vector<Row> rows = impl_->range_at(table, begin, end, sequence_, SIZE_MAX).rows;
  const TableWrites* own = writes_of(writes_, table);
  return own == nullptr ? rows : overlay_writes(std::move(rows), *own, begin, end);
}

std::unique_ptr<Iterator> Transaction::iterator(std::string_view table) const {
  check_active();
  const TableWrites* own = writes_of(writes_, table);
  auto it = std::make_unique<Iterator>(std::make_shared<Iterator::Source>(
      impl_, table, sequence_, own != nullptr ? *own : TableWrites()));
  it->seek_to_first();
  return it;
}

uint64_t Transaction::commit() {
  check_active();
  std::vector<wal::MutationView> mutations;
  for (const auto& [table, keys] : writes_) {
    for (const auto& [key, value] : keys) {
      mutations.push_back(wal::MutationView{!value.has_value(), table, key,
                                            value ? std::string_view(*value) : std::string_view()});
    }
  }
  // Ends the transaction whatever commit_at says; the pin goes last, so the
  // conflict check still sees every write after the snapshot.
  struct Release {
    Transaction* txn;
    ~Release() { txn->release(); }
  } release{this};
  return impl_->commit_at(sequence_, mutations);
}

void Transaction::rollback() {
  if (active_) release();
}

std::unique_ptr<Snapshot> Database::snapshot() const {
  return std::make_unique<Snapshot>(impl_, impl_->pin_snapshot());
}

uint64_t Database::old_version_count() const { return impl_->undo_count(); }

std::unique_ptr<Transaction> Database::begin_transaction() {
  return std::make_unique<Transaction>(impl_, impl_->pin_snapshot());
}

}  // namespace dbx
