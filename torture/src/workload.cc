#include "torture/workload.h"

#include <algorithm>
#include <array>
#include <cassert>
#include <random>

#include "faultfs/status_macros.h"
#include "json_util.h"
#include "torture/seeds.h"
#include "workload_txn.h"

namespace torture {

using faultfs::FaultKind;
using faultfs::FaultOp;
using faultfs::Result;
using faultfs::Status;
using json_util::Json;

namespace {

constexpr std::array<const char*, 3> kTables = {"t0", "t1", "t2"};
constexpr uint32_t kKeyPool = 24;  // Small, so that overwrites and deletes hit.
// Lazy sync intervals a workload draws from, and the share of wait steps:
// a 100-step workload waits about 6 times, for about 6 intervals in all.
constexpr std::array<uint32_t, 4> kSyncIntervalsMs = {5, 10, 20, 50};
constexpr uint64_t kWaitPercent = 6;
// Half of the former reopen steps (5% of steps) are crash steps: a 100-step
// workload runs about 2.5 generations on top of its reopens.
constexpr uint64_t kCrashOfReopenPercent = 50;
// A crash step's own seed: derived from (seed, step index) on
// streams::kCrashImage, which is what version 1 of the JSON form implied for
// every crash step.
// Version 1 carried no crash seed (it was derived from the step's index);
// version 2 stores it with each crash step as "draw"; version 3 adds
// transaction steps ("txn"). A workload without one is written as version 2,
// which every earlier reader still reads.
constexpr uint64_t kWorkloadJsonVersion = 3;

// The harness numbers steps from 1 (0 is the first open): step i's number.
uint64_t crash_seed_of_index(uint64_t seed, size_t index) {
  return derive_seed(seed, index + 1, streams::kCrashImage);
}
// Scaled-down tuning a workload draws from (each list's first entry is the
// harness's former fixed choice): checkpoints every few KiB of writes, WAL
// chunks a workload crosses, none at all, and interval checkpoints.
constexpr std::array<uint64_t, 4> kDeltaThresholds = {64ull << 20, 4 << 10, 16 << 10, 64 << 10};
constexpr std::array<uint64_t, 3> kPreallocations = {64 << 10, 0, 4 << 10};
constexpr std::array<uint32_t, 3> kFlushIntervalFactors = {0, 0, 3};  // x sync_interval_ms.
// The store's compaction trigger: 1 MiB (the engine's default) is never
// reached by a short workload, 4 KiB and 16 KiB are. Drawn on a stream of
// its own, so the draws above (and every step) stay what they were.
constexpr std::array<uint64_t, 4> kCompactionMinBytes = {1 << 20, 4 << 10, 4 << 10, 16 << 10};
constexpr uint64_t kTuningBytesMax = uint64_t{1} << 30;

class Draw {
 public:
  explicit Draw(uint64_t seed) : rng_(seed) {}
  // Uniform in [lo, hi].
  uint64_t range(uint64_t lo, uint64_t hi) {
    assert(lo <= hi);
    return std::uniform_int_distribution<uint64_t>(lo, hi)(rng_);
  }
  bool percent(uint64_t p) { return range(0, 99) < p; }

  std::string table() { return kTables[range(0, kTables.size() - 1)]; }

  std::string key() {
    const uint64_t r = range(0, 999);
    if (r < 900) return "k" + std::to_string(range(0, kKeyPool - 1));
    if (r < 950) return "";
    if (r < 995) return bytes(range(1, 64), /*binary=*/percent(50));
    return bytes(range(1024, kKeyBytesMax), /*binary=*/false);
  }

  std::string value() {
    const uint64_t r = range(0, 999);
    size_t size = 0;
    if (r < 80) {
      size = 0;
    } else if (r < 850) {
      size = range(1, 40);
    } else if (r < 985) {
      size = range(41, 4096);
    } else {
      size = range(4097, kValueBytesMax);
    }
    return bytes(size, /*binary=*/percent(10));
  }

  // A tag in front makes each value tell which draw wrote it (a wrong or
  // stale value is then visible in a diff); the rest is filler.
  std::string bytes(size_t size, bool binary) {
    const std::string tag = "v" + std::to_string(counter_++) + ":";
    std::string out(size, '\0');
    // One draw yields eight filler bytes: values up to 64 KiB stay cheap.
    uint64_t bits = 0;
    for (size_t i = 0; i < size; ++i) {
      if (i < tag.size()) {
        out[i] = tag[i];  // Cut short when the size is: sizes stay as drawn.
        continue;
      }
      if (i % 8 == 0 || bits == 0) bits = rng_() | 1;
      const auto byte = static_cast<uint8_t>(bits);
      bits >>= 8;
      out[i] = binary ? static_cast<char>(byte) : static_cast<char>('a' + byte % 26);
    }
    return out;
  }

  targets::Op op(bool allow_delete) {
    if (allow_delete && percent(20)) return targets::Op::del(table(), key());
    return targets::Op::put(table(), key(), value());
  }

  IoFault fault() {
    struct Choice {
      FaultOp op;
      uint64_t weight;
    };
    static constexpr std::array<Choice, 6> kOps = {{{FaultOp::kSync, 40},
                                                    {FaultOp::kAppend, 20},
                                                    {FaultOp::kWriteAt, 10},
                                                    {FaultOp::kSyncDir, 10},
                                                    {FaultOp::kRename, 10},
                                                    {FaultOp::kTruncate, 10}}};
    uint64_t pick = range(0, 99);
    FaultOp op = FaultOp::kSync;
    for (const Choice& c : kOps) {
      if (pick < c.weight) {
        op = c.op;
        break;
      }
      pick -= c.weight;
    }
    const bool writes = op == FaultOp::kAppend || op == FaultOp::kWriteAt;
    const uint64_t k = range(0, writes ? 2 : 1);
    const FaultKind kind = k == 0   ? FaultKind::kIoError
                           : k == 1 ? FaultKind::kNoSpace
                                    : FaultKind::kShortWrite;
    return IoFault{op, kind};
  }

 private:
  std::mt19937_64 rng_;
  uint64_t counter_ = 0;
};

}  // namespace

const char* step_kind_name(StepKind kind) {
  switch (kind) {
    case StepKind::kWrite:
      return "write";
    case StepKind::kFlush:
      return "flush";
    case StepKind::kReopen:
      return "reopen";
    case StepKind::kWait:
      return "wait";
    case StepKind::kCrash:
      return "crash";
    case StepKind::kTxn:
      return "txn";
  }
  return "?";
}

Workload generate_workload(uint64_t seed, const WorkloadShape& shape) {
  assert(shape.ops >= 1 && shape.ops <= kWorkloadStepsMax);
  Draw draw(seed);
  Workload w;
  w.seed = seed;
  w.sync_interval_ms = kSyncIntervalsMs[draw.range(0, kSyncIntervalsMs.size() - 1)];
  w.delta_flush_threshold_bytes = kDeltaThresholds[draw.range(0, kDeltaThresholds.size() - 1)];
  w.wal_preallocate_bytes = kPreallocations[draw.range(0, kPreallocations.size() - 1)];
  w.flush_interval_ms =
      w.sync_interval_ms * kFlushIntervalFactors[draw.range(0, kFlushIntervalFactors.size() - 1)];
  Draw compaction_draw(derive_seed(seed, 0, streams::kCompaction));
  w.wos_compaction_min_bytes =
      kCompactionMinBytes[compaction_draw.range(0, kCompactionMinBytes.size() - 1)];
  w.steps.reserve(shape.ops);
  for (uint32_t i = 0; i < shape.ops; ++i) {
    Step step;
    if (draw.percent(kWaitPercent)) {
      // Up to two intervals: some waits see one background sync, some none.
      step.kind = StepKind::kWait;
      step.wait_ms = static_cast<uint32_t>(draw.range(1, 2 * w.sync_interval_ms));
      w.steps.push_back(std::move(step));
      continue;
    }
    const uint64_t r = draw.range(0, 99);
    if (r < 55) {
      step.write.push_back(draw.op(/*allow_delete=*/false));
    } else if (r < 67) {
      step.write.push_back(targets::Op::del(draw.table(), draw.key()));
    } else if (r < 85) {
      const uint64_t n = draw.range(2, 6);
      for (uint64_t j = 0; j < n; ++j) step.write.push_back(draw.op(/*allow_delete=*/true));
    } else if (r < 95) {
      step.kind = StepKind::kFlush;
    } else {
      // Drawn on its own stream: the other steps stay what they were.
      Draw crash_draw(derive_seed(seed, i, streams::kCrashStep));
      step.kind = crash_draw.percent(kCrashOfReopenPercent) ? StepKind::kCrash : StepKind::kReopen;
      if (step.kind == StepKind::kCrash) step.crash_seed = crash_seed_of_index(seed, i);
    }
    w.steps.push_back(std::move(step));
  }
  if (shape.transactions) detail::interleave_transactions(&w);
  if (shape.io_errors) {
    const uint64_t faults = draw.range(1, 3);
    for (uint64_t f = 0; f < faults; ++f) {
      w.steps[draw.range(0, w.steps.size() - 1)].fault = draw.fault();
    }
  }
  assert(w.steps.size() == shape.ops);
  return w;
}

size_t workload_ops(const Workload& workload) { return workload.steps.size(); }

size_t workload_faults(const Workload& workload) {
  return static_cast<size_t>(std::count_if(workload.steps.begin(), workload.steps.end(),
                                           [](const Step& s) { return s.fault.has_value(); }));
}

std::string workload_to_json(const Workload& workload) {
  Json steps = Json::array();
  bool has_txn = false;
  for (const Step& step : workload.steps) {
    Json j{{"kind", step_kind_name(step.kind)}};
    if (step.kind == StepKind::kTxn) {
      j = detail::txn_step_to_json(step.txn);
      has_txn = true;
    }
    if (step.kind == StepKind::kWrite) j["write"] = json_util::write_to_json(step.write);
    if (step.kind == StepKind::kWait) j["ms"] = step.wait_ms;
    if (step.kind == StepKind::kCrash) j["draw"] = step.crash_seed;
    if (step.fault) {
      j["fault"] = Json{{"op", faultfs::fault_point_name(step.fault->op)},
                        {"kind", static_cast<int>(step.fault->kind)}};
    }
    steps.push_back(std::move(j));
  }
  return Json{{"format", "dbx-torture-workload"},
              {"version", has_txn ? kWorkloadJsonVersion : uint64_t{2}},
              {"seed", workload.seed},
              {"sync_interval_ms", workload.sync_interval_ms},
              {"delta_flush_threshold_bytes", workload.delta_flush_threshold_bytes},
              {"wal_preallocate_bytes", workload.wal_preallocate_bytes},
              {"flush_interval_ms", workload.flush_interval_ms},
              {"wos_compaction_min_bytes", workload.wos_compaction_min_bytes},
              {"steps", std::move(steps)}}
      .dump(1);
}

namespace {

Result<IoFault> fault_from_json(const Json& j) {
  ASSIGN_OR_RETURN(auto name, json_util::get_string(j, "op", "workload fault"));
  ASSIGN_OR_RETURN(auto kind, json_util::get_u64(j, "kind", "workload fault"));
  if (kind < 1 || kind > 3) {
    return json_util::corrupt("workload fault", "kind not 1..3");
  }
  for (size_t i = 0; i < faultfs::kFaultOpCount; ++i) {
    const auto op = static_cast<FaultOp>(i);
    if (name == faultfs::fault_point_name(op)) {
      return IoFault{op, static_cast<FaultKind>(kind)};
    }
  }
  return json_util::corrupt("workload fault", "unknown point " + name);
}

// An optional tuning field in [lo, hi]; absent (an older artifact) keeps
// the default.
template <typename T>
Status optional_field(const Json& root, const char* key, uint64_t lo, uint64_t hi, T* out) {
  if (!root.contains(key)) return Status::ok();
  ASSIGN_OR_RETURN(auto value, json_util::get_u64(root, key, "workload"));
  if (value < lo || value > hi) {
    return json_util::corrupt("workload", std::string(key) + " out of range");
  }
  *out = static_cast<T>(value);
  return Status::ok();
}

Status tuning_from_json(const Json& root, Workload* w) {
  Status s = optional_field(root, "sync_interval_ms", 1, kWaitMsMax, &w->sync_interval_ms);
  if (s.is_ok()) {
    s = optional_field(root, "delta_flush_threshold_bytes", 1, kTuningBytesMax,
                       &w->delta_flush_threshold_bytes);
  }
  if (s.is_ok()) {
    s = optional_field(root, "wal_preallocate_bytes", 0, kTuningBytesMax / 4,
                       &w->wal_preallocate_bytes);
  }
  if (s.is_ok())
    s = optional_field(root, "flush_interval_ms", 0, kWaitMsMax, &w->flush_interval_ms);
  if (s.is_ok()) {
    s = optional_field(root, "wos_compaction_min_bytes", 1, kTuningBytesMax,
                       &w->wos_compaction_min_bytes);
  }
  return s;
}

// Absent (the first artifacts) means 1. A newer version is refused rather
// than misread: it may carry draws this reader would silently replace.
Result<uint64_t> version_from_json(const Json& root) {
  if (!root.contains("version")) return uint64_t{1};
  ASSIGN_OR_RETURN(auto version, json_util::get_u64(root, "version", "workload"));
  if (version < 1 || version > kWorkloadJsonVersion) {
    return json_util::corrupt("workload", "version " + std::to_string(version) + " is not 1.." +
                                              std::to_string(kWorkloadJsonVersion) +
                                              ": written by a newer dbx-torture");
  }
  return version;
}

// Version 1 derived a crash step's seed from its index, and so does this
// reader for it: an old artifact replays the very crash images it recorded.
Result<uint64_t> crash_seed_from_json(const Json& step, uint64_t version, uint64_t seed,
                                      size_t index) {
  if (version == 1) return crash_seed_of_index(seed, index);
  return json_util::get_u64(step, "draw", "workload crash");
}

}  // namespace

Result<Workload> workload_from_json(std::string_view text) {
  ASSIGN_OR_RETURN(auto parsed, json_util::parse(text, "workload"));
  const Json& root = parsed;
  ASSIGN_OR_RETURN(auto format, json_util::get_string(root, "format", "workload"));
  if (format != "dbx-torture-workload") {
    return json_util::corrupt("workload", "format is not dbx-torture-workload");
  }
  ASSIGN_OR_RETURN(auto version, version_from_json(root));
  ASSIGN_OR_RETURN(auto seed, json_util::get_u64(root, "seed", "workload"));
  const auto steps = root.find("steps");
  if (steps == root.end() || !steps->is_array()) {
    return json_util::corrupt("workload", "steps missing or not an array");
  }
  if (steps->size() > kWorkloadStepsMax) return json_util::corrupt("workload", "too many steps");
  Workload w;
  w.seed = seed;
  RETURN_IF_ERROR(tuning_from_json(root, &w));
  for (const Json& j : *steps) {
    ASSIGN_OR_RETURN(auto kind, json_util::get_string(j, "kind", "workload step"));
    Step step;
    if (kind == "write") {
      const auto write = j.find("write");
      if (write == j.end()) return json_util::corrupt("workload step", "write missing");
      ASSIGN_OR_RETURN(auto ops, json_util::write_from_json(*write, "workload write"));
      step.write = std::move(ops);
    } else if (kind == "flush") {
      step.kind = StepKind::kFlush;
    } else if (kind == "reopen") {
      step.kind = StepKind::kReopen;
    } else if (kind == "crash") {
      step.kind = StepKind::kCrash;
      ASSIGN_OR_RETURN(auto crash_seed, crash_seed_from_json(j, version, w.seed, w.steps.size()));
      step.crash_seed = crash_seed;
    } else if (kind == "txn" && version >= 3) {
      step.kind = StepKind::kTxn;
      ASSIGN_OR_RETURN(auto txn, detail::txn_step_from_json(j));
      step.txn = std::move(txn);
    } else if (kind == "wait") {
      step.kind = StepKind::kWait;
      ASSIGN_OR_RETURN(auto ms, json_util::get_u64(j, "ms", "workload wait"));
      if (ms < 1 || ms > kWaitMsMax) {
        return json_util::corrupt("workload wait", "ms not 1..60000");
      }
      step.wait_ms = static_cast<uint32_t>(ms);
    } else {
      return json_util::corrupt("workload step", "unknown kind " + kind);
    }
    const auto fault = j.find("fault");
    if (fault != j.end()) {
      ASSIGN_OR_RETURN(auto f, fault_from_json(*fault));
      step.fault = f;
    }
    w.steps.push_back(std::move(step));
  }
  return w;
}

std::string describe_step(const Step& step) {
  std::string out;
  if (step.kind == StepKind::kWait) {
    out = "wait " + std::to_string(step.wait_ms) + " ms";
  } else if (step.kind == StepKind::kTxn) {
    out = detail::describe_txn_step(step.txn);
  } else if (step.kind != StepKind::kWrite) {
    out = step_kind_name(step.kind);
  } else {
    if (step.write.size() > 1) out = "batch{";
    for (size_t i = 0; i < step.write.size(); ++i) {
      const targets::Op& op = step.write[i];
      if (i > 0) out += ", ";
      out += op.kind == targets::OpKind::kPut ? "put " : "del ";
      out += op.table + "/" + json_util::encode_bytes(op.key.substr(0, 32));
      if (op.kind == targets::OpKind::kPut) out += " (" + std::to_string(op.value.size()) + " B)";
    }
    if (step.write.size() > 1) out += "}";
  }
  if (step.fault) {
    out += std::string(" +fault ") + faultfs::fault_point_name(step.fault->op) + "#" +
           std::to_string(static_cast<int>(step.fault->kind));
  }
  return out;
}

}  // namespace torture
