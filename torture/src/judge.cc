#include "torture/judge.h"

#include <bit>
#include <cassert>
#include <chrono>
#include <cstring>

#include "faultfs/status_macros.h"

namespace torture {

using faultfs::Result;
using faultfs::Status;

namespace {

// Verdicts kept per Judge before the memo starts over; bounds its memory.
constexpr size_t kMemoEntriesMax = 4096;

uint64_t load64(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

// Four independent lanes of eight bytes: byte-at-a-time FNV-1a over every
// value was a fifth of the whole sim campaign, and one lane is bound by the
// multiply's latency. Length first and a zero-padded tail, so rows that split
// the same bytes differently feed different words. It only buckets the
// memo: equality is checked exactly on a hit.
uint64_t mix_word(uint64_t h, uint64_t w) { return std::rotl((h ^ w) * 0x9e3779b97f4a7c15ull, 29); }

uint64_t mix_bytes(uint64_t h, const std::string& s) {
  const char* p = s.data();
  const size_t n = s.size();
  uint64_t lane[4] = {mix_word(h, n), h ^ 0x452821e638d01377ull, h ^ 0xbe5466cf34e90c6cull,
                      h ^ 0xc0ac29b7c97c50ddull};
  size_t i = 0;
  for (; i + 32 <= n; i += 32) {
    for (size_t l = 0; l < 4; ++l) lane[l] = mix_word(lane[l], load64(p + i + 8 * l));
  }
  for (; i + 8 <= n; i += 8) lane[0] = mix_word(lane[0], load64(p + i));
  if (i < n) {
    uint64_t tail = 0;
    std::memcpy(&tail, p + i, n - i);
    lane[1] = mix_word(lane[1], tail);
  }
  return mix_word(mix_word(mix_word(lane[0], lane[1]), lane[2]), lane[3]);
}

uint64_t state_hash(const targets::State& state) {
  uint64_t h = 0x243f6a8885a308d3ull;
  for (const targets::Entry& e : state) {
    h = mix_bytes(h, e.table);
    h = mix_bytes(h, e.key);
    h = mix_bytes(h, e.value);
  }
  // Final avalanche (SplitMix64's finalizer) so the map's buckets spread.
  h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ull;
  h = (h ^ (h >> 27)) * 0x94d049bb133111ebull;
  return h ^ (h >> 31);
}

}  // namespace

targets::TargetTuning sim_tuning() {
  targets::TargetTuning tuning;
  // 64 KiB chunks: 100-op workloads cross preallocation boundaries (each a
  // zero write and a sync the crash points visit) instead of never leaving the
  // first 4 MiB, and reopens do not read megabytes of zeros.
  tuning.wal_preallocate_bytes = 64 * 1024;
  // Background work only when the workload lets time pass (deterministic).
  tuning.harness_clock = true;
  return tuning;
}

targets::TargetTuning workload_tuning(const Workload& workload) {
  targets::TargetTuning tuning = sim_tuning();
  tuning.sync_interval = std::chrono::milliseconds(workload.sync_interval_ms);
  tuning.delta_flush_threshold_bytes = workload.delta_flush_threshold_bytes;
  tuning.wal_preallocate_bytes = workload.wal_preallocate_bytes;
  tuning.flush_interval = std::chrono::milliseconds(workload.flush_interval_ms);
  tuning.wos_compaction_min_bytes = workload.wos_compaction_min_bytes;
  return tuning;
}

std::unique_ptr<targets::Target> make_target(const targets::TargetInfo& info) {
  return make_target(info, sim_tuning());
}

std::unique_ptr<targets::Target> make_target(const targets::TargetInfo& info,
                                             const targets::TargetTuning& tuning) {
  return info.make(tuning);
}

Judge::Judge(const targets::TargetInfo& info, targets::Durability durability,
             oracle::History& history, const targets::TargetTuning& tuning)
    : info_(info), durability_(durability), tuning_(tuning), checker_(history) {}

Result<Judgement> Judge::recover(faultfs::FileSystem& fs, const std::string& dir,
                                 const oracle::Bounds& bounds, bool beyond_contract,
                                 const std::function<void()>& after_open) {
  // Beyond the contract the caller's bounds already have lo at what was
  // durable before the fault (oracle::beyond_contract_bounds); the checker
  // then admits a corruption error and calls a silent loss undetected_loss.
  oracle::CheckOptions options;
  options.beyond_contract = beyond_contract;
  // The harness provides the directory of a target that does not create its
  // own: a process killed before it made it left nothing else to judge.
  RETURN_IF_ERROR(targets::prepare_database_dir(info_, fs, dir));
  std::unique_ptr<targets::Target> target = make_target(info_, tuning_);
  const Status opened = target->open(fs, dir, durability_);
  if (after_open) after_open();
  if (!opened.is_ok()) {
    Judgement j;
    j.verdict = checker_.check_unreadable(bounds, opened, options);
    j.error = "open: " + opened.to_string();
    return j;
  }
  count_recovery(*target);
  auto state = target->read_all();
  // The handle's close lands on an image nobody reads again; a close error
  // there changes nothing that is judged.
  target->close().ignore_error();
  target.reset();
  if (!state.is_ok()) {
    Judgement j;
    j.verdict = checker_.check_unreadable(bounds, state.status(), options);
    j.error = "read_all: " + state.status().to_string();
    return j;
  }
  return judge_state(bounds, options, std::move(state).value());
}

void Judge::count_recovery(const targets::Target& target) {
  assert(target.is_open());
  for (const std::string& label : target.recovery_outcomes()) ++recovery_outcomes_[label];
  if (later_generation_) ++recovery_outcomes_[kSecondGenerationOutcome];
}

Result<Judgement> Judge::check_state(const oracle::Bounds& bounds, targets::State state) {
  return judge_state(bounds, oracle::CheckOptions{}, std::move(state));
}

Result<Judgement> Judge::judge_state(const oracle::Bounds& bounds,
                                     const oracle::CheckOptions& options, targets::State state) {
  // A scan that returned a key twice is unreadable; leave that to the checker.
  const bool normal = targets::normalize_state(&state);
  const MemoKey key{bounds.lo,
                    bounds.hi,
                    bounds.checkpoint_from,
                    bounds.checkpoint_to,
                    static_cast<int>(bounds.crash) * 4 + static_cast<int>(bounds.durability),
                    options.beyond_contract,
                    state_hash(state)};
  if (normal) {
    const auto it = memo_.find(key);
    if (it != memo_.end()) {
      for (const auto& [cached, verdict] : it->second) {
        if (cached == state) {
          ++memo_hits_;
          return Judgement{verdict, std::move(state), {}};
        }
      }
    }
  }
  // Only a violation's name depends on the record, never the verdict: the
  // memo (ok verdicts) is the same with or without it.
  oracle::CheckOptions named = options;
  named.transactions = transactions_;
  ASSIGN_OR_RETURN(auto verdict, checker_.check(bounds, state, named));
  if (verdict.ok && normal) {
    if (memo_entries_ >= kMemoEntriesMax) {
      memo_.clear();
      memo_entries_ = 0;
    }
    memo_[key].emplace_back(state, verdict);
    ++memo_entries_;
  }
  return Judgement{std::move(verdict), std::move(state), {}};
}

Result<targets::State> Judge::state_at(uint64_t p) { return checker_.state_at(p); }

}  // namespace torture
