#include "classify.h"

#include <algorithm>
#include <cassert>
#include <limits>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "faultfs/status_macros.h"
#include "text.h"

namespace oracle::detail {

using faultfs::ErrorCode;
using faultfs::Result;
using faultfs::Status;

namespace {

constexpr uint64_t kNever = std::numeric_limits<uint64_t>::max();

// What the mismatch sweep found: the closest allowed prefix and the highest
// exact prefix below lo.
struct SweepResult {
  uint64_t closest_p = 0;
  uint64_t closest_mismatches = kNever;
  std::optional<uint64_t> exact_below;    // Highest p < lo whose state equals.
  std::optional<uint64_t> exact_allowed;  // Only if the models disagree.
};

// Counts, for every run of prefixes with one state, the keys whose value
// differs from the recovered one; updated per op, so one pass over [0, hi].
SweepResult sweep_mismatches(const LoadedHistory& h, const RecoveredIndex& rec, const Bounds& b) {
  SweepResult out;
  uint64_t mismatches = rec.unknown.size();
  for (const std::string* v : rec.value_of) mismatches += v != nullptr ? 1 : 0;
  Cursor c(h);
  uint64_t run_from = 0;
  for (;;) {
    const uint64_t run_to = c.done() ? b.hi : std::min(b.hi, c.next_seq() - 1);
    // The run [run_from, run_to] holds one state; judge it against [lo, hi].
    if (run_to >= b.lo && run_from <= b.hi) {
      if (mismatches == 0) out.exact_allowed = run_to;
      if (mismatches <= out.closest_mismatches) {
        out.closest_mismatches = mismatches;
        out.closest_p = run_to;
      }
    }
    if (run_from < b.lo && mismatches == 0) out.exact_below = std::min(run_to, b.lo - 1);
    if (c.done()) break;
    const uint64_t seq = c.next_seq();
    while (!c.done() && c.next_seq() == seq) {
      const uint32_t k = h.ops[c.next()].key;
      const bool old_ok = rec.matches(k, c.value(k));
      c.apply_next();
      const bool new_ok = rec.matches(k, c.value(k));
      if (old_ok && !new_ok) mismatches++;
      if (!old_ok && new_ok) mismatches--;
    }
    run_from = seq;
  }
  return out;
}

// Calls fn(seq, key, before, after) once per (write, key) it touched, after
// the write applied; before/after are the key's values around the whole write.
template <typename Fn>
void for_each_effect(const LoadedHistory& h, Fn&& fn) {
  Cursor c(h);
  std::vector<std::pair<uint32_t, uint32_t>> touched;  // (key, op before).
  while (!c.done()) {
    const uint64_t seq = c.next_seq();
    touched.clear();
    while (!c.done() && c.next_seq() == seq) {
      const uint32_t k = h.ops[c.next()].key;
      const uint32_t before = c.apply_next();
      const bool seen =
          std::any_of(touched.begin(), touched.end(), [k](const auto& t) { return t.first == k; });
      if (!seen) touched.emplace_back(k, before);
    }
    for (const auto& [k, before] : touched) {
      const std::string_view* b = before == kNoOp ? nullptr : &h.ops[before].value;
      fn(seq, k, b, c.value(k));
    }
  }
}

bool same_value(const std::string_view* a, const std::string_view* b) {
  if (a == nullptr || b == nullptr) return a == b;
  return *a == *b;
}

// A differing key's nearest run of prefixes holding its recovered value.
struct KeyPlacement {
  uint32_t key = kNoOp;
  bool ahead = false;  // The run starts after p*: write `seq` is visible.
  uint64_t seq = 0;    // Ahead: the run's first write. Behind: the write ending it.
  bool ended_by_delete = false;
};

std::string key_text(const LoadedHistory& h, uint32_t k) {
  return show_key(h.keys[k].table, h.keys[k].key);
}

class Classifier {
 public:
  Classifier(sql::Db& db, const LoadedHistory& h, const RecoveredIndex& rec, const Bounds& b,
             const CheckOptions& o)
      : db_(db), h_(h), rec_(rec), b_(b), o_(o) {}

  Result<Verdict> run() {
    const SweepResult sweep = sweep_mismatches(h_, rec_, b_);
    if (sweep.exact_allowed) {
      return Status(ErrorCode::kCorruption,
                    "oracle models disagree: the in-memory walk matches p=" +
                        std::to_string(*sweep.exact_allowed) + " but SQLite does not");
    }
    verdict_.ok = false;
    verdict_.bounds = b_;
    verdict_.p = sweep.closest_p;
    build_diff();
    RETURN_IF_ERROR(load_written_anywhere());
    if (invented_or_wrong()) return verdict_;
    place_keys();
    scan_effects();
    if (torn_batch()) return verdict_;
    if (resurrected_delete()) return verdict_;
    if (sweep.exact_below) {
      return decide(ViolationKind::kLostAcknowledged,
                    "the state equals the state at p=" + std::to_string(*sweep.exact_below) +
                        " < lo=" + std::to_string(b_.lo) + ": acknowledged writes " +
                        std::to_string(*sweep.exact_below + 1) + ".." + std::to_string(b_.lo) +
                        " are lost");
    }
    return hole_or_mix();
  }

 private:
  Verdict decide(ViolationKind kind, std::string evidence) {
    verdict_.kind = kind;
    verdict_.evidence = std::move(evidence);
    return verdict_;
  }

  // The diff at p*, and the keys it names.
  void build_diff() {
    Cursor c(h_);
    while (!c.done() && c.next_seq() <= verdict_.p) c.apply_next();
    in_diff_.assign(h_.keys.size(), false);
    struct Row {
      std::string_view table;
      std::string_view key;
      const std::string_view* expected;
      const std::string* recovered;
    };
    std::vector<Row> rows;
    for (uint32_t k = 0; k < h_.keys.size(); ++k) {
      const std::string_view* expected = c.value(k);
      if (rec_.matches(k, expected)) continue;
      in_diff_[k] = true;
      diff_keys_.push_back(k);
      rows.push_back({h_.keys[k].table, h_.keys[k].key, expected, rec_.value_of[k]});
    }
    for (const Entry* e : rec_.unknown) rows.push_back({e->table, e->key, nullptr, &e->value});
    Diff& d = verdict_.diff;
    for (const Row& r : rows) {
      if (r.expected != nullptr && r.recovered == nullptr) d.missing_count++;
      if (r.expected == nullptr && r.recovered != nullptr) d.extra_count++;
      if (r.expected != nullptr && r.recovered != nullptr) d.wrong_count++;
    }
    const size_t shown = std::min(rows.size(), o_.diff_rows_max);
    std::partial_sort(rows.begin(), rows.begin() + static_cast<std::ptrdiff_t>(shown), rows.end(),
                      [](const Row& a, const Row& b) {
                        if (a.table != b.table) return a.table < b.table;
                        return a.key < b.key;
                      });
    for (size_t i = 0; i < shown; ++i) {
      const Row& r = rows[i];
      DiffRow out{std::string(r.table), std::string(r.key), std::nullopt, std::nullopt};
      if (r.expected != nullptr) out.expected = std::string(*r.expected);
      if (r.recovered != nullptr) out.recovered = *r.recovered;
      d.first_rows.push_back(std::move(out));
    }
  }

  // The hash of every value any write stored, discarded writes included.
  Status load_written_anywhere() {
    for (const LoadedOp& op : h_.ops) {
      if (!op.is_delete) values_written_.insert(hash_value(op.value));
    }
    ASSIGN_OR_RETURN(auto stmt,
                     db_.prepare("SELECT value FROM ops WHERE live = 0 AND value IS NOT NULL"));
    for (;;) {
      ASSIGN_OR_RETURN(auto row, stmt->step());
      if (!row) break;
      values_written_.insert(hash_value(stmt->column_blob(0)));
    }
    return Status::ok();
  }

  bool invented_or_wrong() {
    if (!rec_.unknown.empty()) {
      const Entry& e = *rec_.unknown.front();
      decide(ViolationKind::kInventedValue, show_key(e.table, e.key) + " = \"" +
                                                show_bytes(e.value) +
                                                "\": a key no write ever stored");
      return true;
    }
    // Membership by 64-bit hash: a collision could only turn an invented value
    // into a wrong one, never a violation into a pass.
    for (const uint32_t k : diff_keys_) {
      const std::string* r = rec_.value_of[k];
      if (r != nullptr && values_written_.count(hash_value(*r)) == 0) {
        decide(ViolationKind::kInventedValue,
               key_text(h_, k) + " = \"" + show_bytes(*r) + "\": bytes no write ever stored");
        return true;
      }
    }
    // Versions of the differing keys: (first seq, op index or kNoOp), per write.
    versions_.assign(h_.keys.size(), {});
    for (const uint32_t k : diff_keys_) versions_[k].push_back({0, kNoOp});
    for (uint32_t i = 0; i < h_.ops.size(); ++i) {
      const LoadedOp& op = h_.ops[i];
      if (!in_diff_[op.key]) continue;
      auto& v = versions_[op.key];
      const uint32_t slot = op.is_delete ? kNoOp : i;
      if (v.back().first == op.seq) {
        v.back().second = slot;
      } else {
        v.push_back({op.seq, slot});
      }
    }
    for (const uint32_t k : diff_keys_) {
      const std::string* r = rec_.value_of[k];
      if (r == nullptr) continue;
      const bool held = std::any_of(versions_[k].begin(), versions_[k].end(), [&](const auto& v) {
        return v.second != kNoOp && h_.ops[v.second].value == *r;
      });
      if (!held) {
        decide(ViolationKind::kWrongValue, key_text(h_, k) + " = \"" + show_bytes(*r) +
                                               "\": written, but never held by this key");
        return true;
      }
    }
    return false;
  }

  void place_keys() {
    const uint64_t p = verdict_.p;
    for (const uint32_t k : diff_keys_) {
      const auto& v = versions_[k];
      KeyPlacement best;
      uint64_t best_distance = kNever;
      for (size_t i = 0; i < v.size(); ++i) {
        const std::string_view* value = v[i].second == kNoOp ? nullptr : &h_.ops[v[i].second].value;
        if (!rec_.matches(k, value)) continue;
        KeyPlacement here;
        here.key = k;
        uint64_t distance = 0;
        if (v[i].first > p) {
          here.ahead = true;
          here.seq = v[i].first;
          distance = v[i].first - p;
        } else {
          // k differs at p, so a later version ends this run at or before p.
          assert(i + 1 < v.size() && v[i + 1].first <= p);
          here.seq = v[i + 1].first;
          here.ended_by_delete = v[i + 1].second == kNoOp;
          distance = p - here.seq + 1;
        }
        if (distance < best_distance) {
          best_distance = distance;
          best = here;
        }
      }
      assert(best.key != kNoOp);  // invented_or_wrong() left only held values.
      (best.ahead ? ahead_ : behind_).push_back(best);
    }
  }

  // One pass over every write's effects: torn-batch candidates and the
  // nearest absent/visible writes that pair up into a hole.
  void scan_effects() {
    std::unordered_set<uint64_t> candidates;
    for (const auto& kp : ahead_) candidates.insert(kp.seq);
    for (const auto& kp : behind_) candidates.insert(kp.seq);
    if (!ahead_.empty()) {
      visible_ = std::min_element(ahead_.begin(), ahead_.end(), by_seq)->seq;
      visible_key_ = std::min_element(ahead_.begin(), ahead_.end(), by_seq)->key;
    }
    if (!behind_.empty()) {
      absent_ = std::max_element(behind_.begin(), behind_.end(), by_seq)->seq;
      absent_key_ = std::max_element(behind_.begin(), behind_.end(), by_seq)->key;
    }
    const uint64_t p = verdict_.p;
    const bool need_absent = behind_.empty() && !ahead_.empty();
    const bool need_visible = ahead_.empty() && !behind_.empty();
    for_each_effect(h_, [&](uint64_t seq, uint32_t k, const std::string_view* before,
                            const std::string_view* after) {
      if (same_value(before, after)) return;
      const bool visible = rec_.matches(k, after);
      const bool absent = rec_.matches(k, before);
      if (candidates.count(seq) > 0 && torn_seq_ == 0) {
        auto& [vis, abs] = batch_effects_.try_emplace(seq, kNoOp, kNoOp).first->second;
        if (visible && vis == kNoOp) vis = k;
        if (absent && abs == kNoOp) abs = k;
        if (vis != kNoOp && abs != kNoOp) torn_seq_ = seq;
      }
      if (need_absent && absent && seq > p && seq < visible_) {
        absent_ = seq;  // The latest absent write before the visible one.
        absent_key_ = k;
      }
      if (need_visible && visible && seq > absent_ && seq <= p && visible_ == kNever) {
        visible_ = seq;  // The earliest visible write after the absent one.
        visible_key_ = k;
      }
    });
  }

  bool torn_batch() {
    if (torn_seq_ == 0) return false;
    const auto& [vis, abs] = batch_effects_[torn_seq_];
    verdict_.write_seq = torn_seq_;
    decide(ViolationKind::kTornBatch, "write " + std::to_string(torn_seq_) + " is visible on " +
                                          key_text(h_, vis) + " and absent on " +
                                          key_text(h_, abs));
    return true;
  }

  bool resurrected_delete() {
    if (behind_.empty()) return false;
    for (const auto& kp : behind_) {
      if (!kp.ended_by_delete || kp.seq > b_.lo || rec_.value_of[kp.key] == nullptr) return false;
    }
    const auto& kp = behind_.front();
    decide(ViolationKind::kResurrectedDelete,
           key_text(h_, kp.key) + " was deleted by write " + std::to_string(kp.seq) +
               " (required: lo=" + std::to_string(b_.lo) + ") and holds \"" +
               show_bytes(*rec_.value_of[kp.key]) + "\" again");
    return true;
  }

  Result<Verdict> hole_or_mix() {
    if (absent_ == kNever || visible_ == kNever || absent_ >= visible_) {
      return decide(ViolationKind::kHole, "no single prefix explains the recovered state");
    }
    std::string evidence = "write " + std::to_string(absent_) + " is absent (" +
                           key_text(h_, absent_key_) + ") while later write " +
                           std::to_string(visible_) + " is visible (" + key_text(h_, visible_key_) +
                           ")";
    const auto in_checkpoint = [&](uint64_t seq) {
      return seq > b_.checkpoint_from && seq <= b_.checkpoint_to;
    };
    if (in_checkpoint(absent_) && in_checkpoint(visible_)) {
      return decide(ViolationKind::kCheckpointMix, evidence + ", both in the checkpoint's range (" +
                                                       std::to_string(b_.checkpoint_from) + ", " +
                                                       std::to_string(b_.checkpoint_to) + "]");
    }
    return decide(ViolationKind::kHole, evidence);
  }

  static bool by_seq(const KeyPlacement& a, const KeyPlacement& b) { return a.seq < b.seq; }

  sql::Db& db_;
  const LoadedHistory& h_;
  const RecoveredIndex& rec_;
  const Bounds& b_;
  const CheckOptions& o_;
  Verdict verdict_;
  std::vector<bool> in_diff_;
  std::vector<uint32_t> diff_keys_;
  std::unordered_set<uint64_t> values_written_;
  std::vector<std::vector<std::pair<uint64_t, uint32_t>>> versions_;
  std::vector<KeyPlacement> ahead_;
  std::vector<KeyPlacement> behind_;
  std::unordered_map<uint64_t, std::pair<uint32_t, uint32_t>> batch_effects_;
  uint64_t torn_seq_ = 0;
  uint64_t absent_ = kNever;
  uint64_t visible_ = kNever;
  uint32_t absent_key_ = kNoOp;
  uint32_t visible_key_ = kNoOp;
};

}  // namespace

Result<Verdict> classify(sql::Db& db, const LoadedHistory& history, const RecoveredIndex& rec,
                         const Bounds& bounds, const CheckOptions& options) {
  Classifier classifier(db, history, rec, bounds, options);
  return classifier.run();
}

}  // namespace oracle::detail
