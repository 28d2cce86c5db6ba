// How fast SimFs produces crash images, and what a clone or a crash image
// costs as the file system grows (it should not grow with the bytes).
//
//   build/bin/faultfs_crash_bench --benchmark_repetitions=5
//       --benchmark_report_aggregates_only=true   (one command line)
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>

#include "faultfs/sim_fs.h"

namespace {

using faultfs::CrashOptions;
using faultfs::CrashPolicy;
using faultfs::OpenMode;
using faultfs::SimFs;

constexpr int kPendingChanges = 1000;
constexpr size_t kRecordBytes = 100;

// Aborts the benchmark on an unexpected error: numbers from a broken set-up
// would mislead.
void check(const faultfs::Status& s) {
  if (!s.is_ok()) {
    fprintf(stderr, "set-up failed: %s\n", s.to_string().c_str());
    std::abort();
  }
}

// A durable WAL-like file with `pending` un-synced appends of 100 bytes,
// spread over four files so that several queues crash independently.
std::unique_ptr<SimFs> pending_queue(int pending) {
  auto fs = std::make_unique<SimFs>();
  std::vector<std::unique_ptr<faultfs::File>> files;
  for (int i = 0; i < 4; ++i) {
    auto file = fs->open("wal-" + std::to_string(i), OpenMode::kCreate);
    check(file.status());
    check((*file)->append(std::string(64 << 10, 'd')));
    check((*file)->sync());
    files.push_back(std::move(*file));
  }
  check(fs->sync_dir("."));
  for (int i = 0; i < pending; ++i) {
    check(files[static_cast<size_t>(i) % files.size()]->append(std::string(kRecordBytes, 'r')));
  }
  return fs;
}

void BM_CrashImagesPerSecond(benchmark::State& state) {
  const auto policy = static_cast<CrashPolicy>(state.range(0));
  auto fs = pending_queue(kPendingChanges);
  CrashOptions options;
  options.policy = policy;
  std::mt19937_64 rng(1);
  for (auto _ : state) {
    auto image = fs->crash(options, rng);
    benchmark::DoNotOptimize(image);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetLabel(std::string(faultfs::crash_policy_name(policy)) + ", " +
                 std::to_string(fs->pending_changes()) + " pending changes");
}
BENCHMARK(BM_CrashImagesPerSecond)
    ->ArgName("policy")
    ->Arg(static_cast<int>(CrashPolicy::kDrop))
    ->Arg(static_cast<int>(CrashPolicy::kPrefix))
    ->Arg(static_cast<int>(CrashPolicy::kReorder))
    ->Arg(static_cast<int>(CrashPolicy::kTorn))
    ->Arg(static_cast<int>(CrashPolicy::kCorrupt))
    ->Unit(benchmark::kMicrosecond);

// A file system of `mib` MiB in kSizedFiles durable files, plus one pending
// write. The file count stays fixed so that only the bytes vary.
constexpr int kSizedFiles = 8;

std::unique_ptr<SimFs> sized_fs(int64_t mib) {
  auto fs = std::make_unique<SimFs>();
  const std::string chunk(static_cast<size_t>(mib) * (1 << 20) / kSizedFiles, 'x');
  for (int i = 0; i < kSizedFiles; ++i) {
    auto file = fs->open("file-" + std::to_string(i), OpenMode::kCreate);
    check(file.status());
    check((*file)->append(chunk));
    check((*file)->sync());
  }
  check(fs->sync_dir("."));
  auto file = fs->open("file-0", OpenMode::kReadWrite);
  check(file.status());
  check((*file)->write_at(12345, "pending"));
  return fs;
}

void BM_CloneCostBySize(benchmark::State& state) {
  auto fs = sized_fs(state.range(0));
  for (auto _ : state) {
    auto copy = fs->clone();
    benchmark::DoNotOptimize(copy);
  }
  state.SetLabel(std::to_string(state.range(0)) + " MiB");
}
BENCHMARK(BM_CloneCostBySize)
    ->ArgName("MiB")
    ->Arg(1)
    ->Arg(16)
    ->Arg(64)
    ->Arg(256)
    ->Unit(benchmark::kMicrosecond);

void BM_CrashImageCostBySize(benchmark::State& state) {
  auto fs = sized_fs(state.range(0));
  CrashOptions options;
  options.policy = CrashPolicy::kReorder;
  std::mt19937_64 rng(1);
  for (auto _ : state) {
    auto image = fs->crash(options, rng);
    benchmark::DoNotOptimize(image);
  }
  state.SetLabel(std::to_string(state.range(0)) + " MiB");
}
BENCHMARK(BM_CrashImageCostBySize)
    ->ArgName("MiB")
    ->Arg(1)
    ->Arg(16)
    ->Arg(64)
    ->Arg(256)
    ->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
