// Judging a recovered state of 100,000 keys against a 200,000-write history
// (the budget: under 1 s). The history is a file-backed SQLite log in
// WAL mode, as in a campaign; building it is set-up, not measured.
//
//   build/bin/oracle_bench --benchmark_repetitions=5
//       --benchmark_report_aggregates_only=true   (one command line)
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <random>
#include <string>

#include "oracle/bounds.h"
#include "oracle/checker.h"
#include "oracle/history.h"

namespace {

using oracle::Checker;
using oracle::History;
using targets::Op;
using targets::State;

constexpr int kKeys = 100'000;
constexpr int kWrites = 200'000;

// 100,000 inserts, then 100,000 overwrites of random keys; every write acked.
struct Fixture {
  std::string path;
  std::unique_ptr<History> history;
  State final_state;

  Fixture() {
    path = (std::filesystem::temp_directory_path() /
            ("oracle_bench_" + std::to_string(::getpid()) + ".db"))
               .string();
    std::filesystem::remove(path);
    auto opened = History::open(path);
    if (!opened.is_ok()) std::abort();
    history = std::move(opened).value();
    std::mt19937_64 rng(42);
    std::vector<std::string> values(kKeys);
    for (int i = 0; i < kWrites; ++i) {
      const int k = i < kKeys ? i : static_cast<int>(rng() % kKeys);
      char key[16];
      std::snprintf(key, sizeof key, "key%07d", k);
      const std::string value = "value-" + std::to_string(i) + std::string(40, 'x');
      auto seq = history->record_pending({Op::put("bench", key, value)});
      if (!seq.is_ok() || !history->record_ack(seq.value()).is_ok()) std::abort();
      values[static_cast<size_t>(k)] = value;
    }
    if (!history->commit().is_ok()) std::abort();
    for (int k = 0; k < kKeys; ++k) {
      char key[16];
      std::snprintf(key, sizeof key, "key%07d", k);
      final_state.push_back({"bench", key, values[static_cast<size_t>(k)]});
    }
  }
  ~Fixture() {
    history.reset();
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  }
};

Fixture& fixture() {
  static Fixture f;
  return f;
}

void BM_JudgeMatchingState(benchmark::State& state) {
  Fixture& f = fixture();
  oracle::Bounds bounds = oracle::compute_bounds(f.history->summary(), targets::Durability::kLazy,
                                                 oracle::CrashKind::kPowerLoss);
  bounds.lo = 0;  // The whole history is the range: the worst case for the scan.
  Checker checker(*f.history);
  for (auto _ : state) {
    auto verdict = checker.check(bounds, f.final_state);
    if (!verdict.is_ok() || !verdict.value().ok) state.SkipWithError("unexpected verdict");
  }
}
BENCHMARK(BM_JudgeMatchingState)->Unit(benchmark::kMillisecond)->Iterations(3);

void BM_JudgeViolatingState(benchmark::State& state) {
  Fixture& f = fixture();
  const oracle::Bounds bounds = oracle::compute_bounds(
      f.history->summary(), targets::Durability::kFull, oracle::CrashKind::kPowerLoss);
  State broken = f.final_state;
  broken[broken.size() / 2].value = "invented";
  Checker checker(*f.history);
  for (auto _ : state) {
    auto verdict = checker.check(bounds, broken);
    if (!verdict.is_ok() || verdict.value().ok) state.SkipWithError("unexpected verdict");
  }
}
BENCHMARK(BM_JudgeViolatingState)->Unit(benchmark::kMillisecond)->Iterations(3);

}  // namespace

BENCHMARK_MAIN();
