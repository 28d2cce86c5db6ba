// The write-optimized store (WOS): the durable, checkpointed state of every
// table. Format and crash case analysis: engine/doc/wos_format.md.
//
// `db` is append-only between compactions; `conf` names its generation and its
// committed length, and replacing conf is the commit point of a checkpoint.
// The in-memory index maps every live key to its entry in `db`, so a point
// read is one positioned read and a flush writes only what the delta holds.
//
// Thread-safety: const methods may run concurrently with each other and with
// prepare() (which writes only past the committed length or into other files
// and changes no member they read); publish(), apply() and close() are
// exclusive (the engine holds its state lock exclusively around them). At
// most one prepare() may be outstanding, and nothing else may modify the
// store between a prepare() and its publish().
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "delta.h"
#include "faultfs/file_system.h"
#include "wos/wos_format.h"
#include "wos/wos_index.h"
#include "wos/wos_key_order.h"
#include "wos/wos_store_dir.h"

namespace dbx::wos {

class EntryWriter;

// A db of at least this many committed bytes is scanned on a second thread
// while open builds the index (wos_load.cc).
inline constexpr uint64_t kPipelinedLoadMinBytes = uint64_t{16} << 20;

class WosStore {
 public:
  // Opens the store in `dir` (e.g. "<db>/wos"), creating it (mkdir, empty
  // db+conf, syncs incl. the parent directory of `dir`) if it does not exist.
  // Finishes a compaction switch a crash interrupted. Loads the index.
  // Errors: kCorruption, kIoError.
  // With a `sealer` (not owned; outlives the store) the store is an
  // encrypted one: every entry and conf sealed (wos_seal.h).
  [[nodiscard]] static faultfs::Result<std::unique_ptr<WosStore>> open(
      faultfs::FileSystem& fs, const std::string& dir, const crypto::Sealer* sealer = nullptr);

  WosStore(const WosStore&) = delete;
  WosStore& operator=(const WosStore&) = delete;
  ~WosStore();

  uint64_t checkpoint_sequence() const { return checkpoint_sequence_; }  // 0 for a new store

  // Point read: at most one read_at. nullopt if absent.
  [[nodiscard]] faultfs::Result<std::optional<std::string>> get(std::string_view table,
                                                                std::string_view key) const;
  bool contains(std::string_view table, std::string_view key) const;  // no I/O

  // Rows of `table` with begin <= key < end in key order; `end` nullopt =
  // unbounded. At most `limit` rows: the first ones.
  [[nodiscard]] faultfs::Result<std::vector<std::pair<std::string, std::string>>> range(
      std::string_view table, std::string_view begin, std::optional<std::string_view> end,
      size_t limit = SIZE_MAX) const;
  uint64_t count(std::string_view table) const;  // live keys, no I/O
  std::vector<std::string> table_names() const;  // tables with >= 1 live key, sorted

  // Makes `delta` (applied on top of the current state) the new checkpoint at
  // `sequence` (> checkpoint_sequence(), or equal when delta is empty). Returns
  // only when durable (db synced, conf renamed, directory synced). On error the
  // in-memory state is unchanged and the on-disk state is the old or the new
  // checkpoint. May compact. kInvalidArgument (nothing written) for a bad
  // sequence or an out-of-limit name, key or value; kIoError once an earlier
  // apply failed past its first sync (the disk state is then uncertain and
  // only a reopen tells which checkpoint won).
  [[nodiscard]] faultfs::Status apply(const Delta& delta, uint64_t sequence);

  // One change the index takes once a checkpoint is durable: a put's new
  // slot, or nullopt for a delete. Views point into the applied Delta.
  struct IndexUpdate {
    std::string_view table;
    std::string_view key;
    std::optional<Slot> slot;
  };

  // A checkpoint that is durable on disk but not yet visible in memory.
  // It refers to the Delta it was prepared from, which must outlive it.
  class Prepared {
   public:
    Prepared(Prepared&&) noexcept = default;
    Prepared& operator=(Prepared&&) noexcept = default;
    uint64_t sequence() const { return sequence_; }

   private:
    friend class WosStore;
    Prepared() = default;

    uint64_t sequence_ = 0;
    bool changes_ = false;  // False: the sequence was already the checkpoint.
    uint64_t generation_ = 0;
    uint64_t db_length_ = 0;
    uint64_t live_entries_ = 0;
    uint64_t live_bytes_ = 0;
    std::vector<IndexUpdate> updates_;               // In delta order.
    std::vector<std::pair<Slot*, uint64_t>> moved_;  // Compaction: new offsets.
    std::unique_ptr<faultfs::File> compacted_db_;    // Compaction: the new db.
    KeyOrder key_order_;                             // db's key order after it.
    // Compaction: the tables it wrote. Set once, before updates_ takes views
    // of the names; a move of Prepared keeps the strings where they are.
    std::vector<std::string> tables_;
  };

  // apply() in two steps, so that readers need not wait for the I/O:
  // prepare() writes the checkpoint and returns once it is durable, leaving
  // memory (and so every read) as it was; publish() then switches memory
  // over, without I/O and without failing. Errors of prepare() are apply()'s.
  [[nodiscard]] faultfs::Result<Prepared> prepare(const Delta& delta, uint64_t sequence);
  // A compaction of the current checkpoint with nothing new: every live
  // entry rewritten (sealed with the sealer's current key) into the next
  // generation. For re-encryption. publish() it like prepare()'s.
  [[nodiscard]] faultfs::Result<Prepared> prepare_rewrite();
  void publish(Prepared prepared);

  // What conf said about the WAL it was written beside, as of open (or of the
  // last publish_wal_state()).
  const ConfWalState& conf_wal_state() const { return conf_wal_; }
  const std::string& conf_path() const { return dir_.conf_path(); }

  // The epoch of the WAL beside the store, written into every later conf
  // (with the checkpoint as its synced sequence: a checkpoint claims nothing
  // about records above it). Until called, a conf keeps what open read.
  void set_wal_epoch(uint32_t epoch);

  // Republishes conf as it is, with the WAL facts `epoch` and
  // `synced_sequence` (records through it are durable in that log). Durable
  // when it returns. Exclusive, like apply().
  [[nodiscard]] faultfs::Status publish_wal_state(uint32_t epoch, uint64_t synced_sequence);

  // Figures for logs/tests.
  uint64_t file_bytes() const { return db_length_; }  // committed length of db
  uint64_t live_bytes() const { return index_.live_bytes(); }
  uint64_t live_entries() const { return index_.live_entries(); }
  const EntryCodec& codec() const { return dir_.codec(); }
  uint64_t generation() const { return generation_; }
  // Whether open() finished a compaction switch a crash had interrupted.
  bool rolled_forward_at_open() const { return rolled_forward_at_open_; }
  // The file size below which no apply compacts (kCompactionMinBytes unless
  // set; at least kCompactionMinBytesFloor).
  void set_compaction_min_bytes(uint64_t bytes);

  [[nodiscard]] faultfs::Status close();

 private:
  // What apply() will do, computed before any byte is written.
  struct Plan {
    uint64_t append_bytes = 0;  // Entries the append path adds to db.
    uint64_t live_entries = 0;  // Live figures after the delta.
    uint64_t live_bytes = 0;
    bool compact = false;
  };

  WosStore(StoreDir dir, std::unique_ptr<faultfs::File> db, uint64_t generation, uint64_t db_length,
           uint64_t checkpoint_sequence);

  // wos_open.cc
  [[nodiscard]] static faultfs::Status initialize(const StoreDir& dir);
  // The rest of open() once conf and db agree on the checkpoint the store
  // was constructed with: loads the index, checks it against `conf` (or,
  // when `roll_forward`, publishes the conf of a finished compaction),
  // removes leftover temporaries and makes the directory durable.
  [[nodiscard]] faultfs::Status finish_open(const Conf& conf, bool roll_forward);
  // `expected_live_entries` (conf's figure) sizes the index up front; it is
  // only a hint.
  [[nodiscard]] faultfs::Status load_index(uint64_t expected_live_entries);

  // wos_apply.cc (and wos_compact.cc: compact_with and its steps)
  [[nodiscard]] faultfs::Status validate(const Delta& delta, uint64_t sequence) const;
  Plan plan(const Delta& delta) const;
  [[nodiscard]] faultfs::Status append_delta(const Delta& delta, const Plan& plan,
                                             Prepared* prepared);
  [[nodiscard]] faultfs::Status compact_with(const Delta& delta, const Plan& plan,
                                             Prepared* prepared);
  // compact_with()'s steps: every table's live entries the delta leaves alone
  // merged with the delta's puts, in key order, written to `writer`; then
  // the durable switch to db.tmp and `conf` (of the next generation).
  struct DeltaPuts;  // One table's puts of the delta (wos_compact.cc).
  [[nodiscard]] faultfs::Status write_merged_table(const Delta& delta, const std::string& table,
                                                   EntryWriter* writer, Prepared* prepared);
  [[nodiscard]] size_t batch_end(std::string_view table, std::span<const WosIndex::RangeItem> items,
                                 size_t first) const;
  // One batch of write_merged_table(): `items` (of `table`, key order), with
  // the delta's puts that sort before each of them written first.
  [[nodiscard]] faultfs::Status copy_in_key_order(const Delta& delta, std::string_view table,
                                                  std::span<const WosIndex::RangeItem> items,
                                                  DeltaPuts* puts, EntryWriter* writer,
                                                  Prepared* prepared);
  // The delta's puts that sort before `bound` (all when nullopt).
  [[nodiscard]] faultfs::Status write_delta_puts(std::string_view table, DeltaPuts* puts,
                                                 std::optional<std::string_view> bound,
                                                 EntryWriter* writer, Prepared* prepared);
  [[nodiscard]] faultfs::Status install_compacted(faultfs::File& temp, const Conf& conf);
  void check_invariants() const;

  // The WAL facts a conf of checkpoint `sequence` carries.
  ConfWalState wal_state_at(uint64_t sequence) const;

  // Reads and verifies the live entry of (table, key) at `slot` from `bytes`,
  // which hold the file bytes starting at `bytes_offset`; returns its value
  // (a view into `bytes`, or for a sealed store into `plain`).
  [[nodiscard]] faultfs::Result<std::string_view> value_from(std::string_view bytes,
                                                             uint64_t bytes_offset,
                                                             std::string_view table,
                                                             std::string_view key, const Slot& slot,
                                                             std::string* plain) const;

  // Maps db's committed bytes again when they have doubled past the mapping,
  // or when db is a new file. A failed mapping is logged; reads then use
  // read_at.
  void refresh_mapping(bool new_file);
  // The `size` bytes at `offset` (below the committed length): a view of the
  // mapping when they lie inside it, else of `buffer` after one read_at.
  [[nodiscard]] faultfs::Result<std::string_view> read_bytes(uint64_t offset, uint64_t size,
                                                             std::string* buffer) const;

  // Reads the entries of `items` (live entries of `table`) in file order with
  // neighbours merged into large reads, verifies each against the index, and
  // hands `take` its position in `items`, its stored bytes and its value
  // (views valid during the call). Stops at the first error.
  using EntryConsumer =
      std::function<faultfs::Status(size_t item, std::string_view raw, std::string_view value)>;
  [[nodiscard]] faultfs::Status read_in_file_order(std::string_view table,
                                                   std::span<const WosIndex::RangeItem> items,
                                                   const EntryConsumer& take) const;

  StoreDir dir_;
  std::unique_ptr<faultfs::File> db_;
  WosIndex index_;
  uint64_t generation_;
  uint64_t db_length_;  // Committed length: bytes past it are a crashed flush's garbage.
  KeyOrder key_order_;  // Of db's committed entries; set by load_index() and publish().
  // db's bytes [0, mapped length), mapped read-only when the file system maps
  // (POSIX), so that a read inside costs no system call. Replaced only by open
  // and publish(), which are exclusive. Its bytes never change and db never
  // shrinks below them: db is append-only, truncated only past the committed
  // length, and a compaction writes a new file.
  std::unique_ptr<faultfs::MappedBytes> mapped_;
  bool mapping_warned_ = false;  // A failed mapping was logged at warn level.
  uint64_t checkpoint_sequence_;
  // Set when an apply failed after its first sync or rename: which checkpoint
  // is on disk is then unknown, so further applies are refused until reopen.
  bool failed_ = false;
  bool closed_ = false;
  ConfWalState conf_wal_;  // What conf said at open (or last publish_wal_state()).
  ConfWalState wal_next_;  // The WAL facts the next conf carries (epoch, known).
  uint64_t compaction_min_bytes_ = kCompactionMinBytes;  // Set before the first apply.
  bool rolled_forward_at_open_ = false;
};

}  // namespace dbx::wos
