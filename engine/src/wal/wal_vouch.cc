#include "wal/wal_vouch.h"

#include <algorithm>

namespace dbx::wal {
namespace {

std::string describe_absent_log(const WalReadSummary& log) {
  if (!log.file_present) return "is missing";
  return "holds no log (empty or all zeros)";
}

Verdict store_behind(const std::string& wal_path, const StoreFacts& store,
                     const std::string& proof) {
  return {Disagreement::kStoreBehind, wal_path + " " + proof + ", but " + store.conf_path +
                                          " has checkpoint " +
                                          std::to_string(store.checkpoint_sequence) +
                                          ": the store is missing or older than the log"};
}

Verdict log_lost(const std::string& wal_path, const StoreFacts& store, const std::string& state) {
  return {Disagreement::kLogLost,
          wal_path + " " + state + ", but " + store.conf_path + " (checkpoint " +
              std::to_string(store.checkpoint_sequence) + ") was written beside its epoch " +
              std::to_string(store.wal_epoch) + " holding synced records through sequence " +
              std::to_string(store.wal_synced_sequence)};
}

// Checks that need nothing but the log and the checkpoint (any conf version).
Verdict compare_checkpoints(const std::string& wal_path, const WalReadSummary& log,
                            const StoreFacts& store) {
  const uint64_t checkpoint = store.checkpoint_sequence;
  if (log.checkpoint_sequence_max > checkpoint) {
    return store_behind(
        wal_path, store,
        "holds a checkpoint record of sequence " + std::to_string(log.checkpoint_sequence_max));
  }
  if (log.epoch != 0 && log.base_sequence > checkpoint) {
    return store_behind(wal_path, store,
                        "(epoch " + std::to_string(log.epoch) + ") starts after checkpoint " +
                            std::to_string(log.base_sequence));
  }
  return {};
}

}  // namespace

Verdict compare_log_with_store(const std::string& wal_path, const WalReadSummary& log,
                               const StoreFacts& store) {
  Verdict verdict = compare_checkpoints(wal_path, log, store);
  if (verdict.disagreement != Disagreement::kNone || !store.wal_known) return verdict;
  // A cut (epoch + 1) only follows a durable conf, which records the epoch it
  // was written in: the log's epoch is conf's or the next one.
  if (log.epoch > store.wal_epoch + 1) {
    return store_behind(wal_path, store,
                        "has epoch " + std::to_string(log.epoch) + ", cut after the epoch " +
                            std::to_string(store.wal_epoch) + " conf was written beside");
  }
  if (log.epoch != 0 && log.epoch < store.wal_epoch) {
    return store_behind(wal_path, store,
                        "has epoch " + std::to_string(log.epoch) + ", older than the epoch " +
                            std::to_string(store.wal_epoch) + " conf was written beside");
  }
  // Nothing above the checkpoint was ever synced: the store holds every
  // durable write, and a missing or empty log loses nothing. (A recovery that
  // recreates the log after a torn cut can itself be cut short and leave the
  // file empty or all zeros: a legal state.)
  const uint64_t synced = store.wal_synced_sequence;
  if (synced <= store.checkpoint_sequence) return {};
  if (log.epoch == 0 && !log.header_torn && store.wal_epoch != 0) {
    return log_lost(wal_path, store, describe_absent_log(log));
  }
  // Records above the checkpoint were synced in epoch wal_epoch: that log must
  // still hold them.
  if (log.header_torn) return log_lost(wal_path, store, "has an unreadable header");
  if (log.epoch != store.wal_epoch) {
    return log_lost(wal_path, store, "has epoch " + std::to_string(log.epoch));
  }
  const uint64_t held = std::max(log.last_sequence, store.checkpoint_sequence);
  if (held < synced) {
    return log_lost(wal_path, store, "ends at sequence " + std::to_string(held));
  }
  return {};
}

}  // namespace dbx::wal
