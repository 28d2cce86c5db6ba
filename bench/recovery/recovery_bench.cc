// Where the time of recovery_s (bench/run) goes: 1,000,000
// single-insert records (table "kv", 16-byte decimal keys in ascending order,
// 100-byte values), as the recovery_s workload leaves them in the WAL.
//
//   build/bin/recovery_bench --benchmark_display_aggregates_only=true
//   (5 repetitions each; quote the medians)
//
// BM_OpenAfterCrash is recovery_s itself: Database::open of a directory that
// holds only that WAL, plus the first get. Each iteration starts from a fresh
// copy of the log (copied from the page cache, untimed). BM_DeltaBuild is
// the in-memory half alone: the same million puts into an empty Delta from
// keys and values already in memory.
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "dbx/database.h"
#include "delta.h"

namespace {

constexpr uint64_t kRecords = 1'000'000;
constexpr size_t kKeyBytes = 16;
constexpr size_t kValueBytes = 100;
constexpr char kTable[] = "kv";

std::string key_of(uint64_t index) {
  char key[kKeyBytes + 1];
  snprintf(key, sizeof key, "%016llu", static_cast<unsigned long long>(index));
  return std::string(key, kKeyBytes);
}

// Random (incompressible) values: slices of one pool.
const std::string& value_pool() {
  static const std::string pool = [] {
    std::string bytes(kRecords + kValueBytes, '\0');
    std::mt19937_64 rng(42);
    for (char& c : bytes) c = static_cast<char>(rng());
    return bytes;
  }();
  return pool;
}

std::string_view value_of(uint64_t index) {
  return std::string_view(value_pool()).substr(index % kRecords, kValueBytes);
}

// Lazy (as recovery_s writes), with a threshold no run reaches.
dbx::Options bench_options() {
  dbx::Options options;
  options.durability = dbx::Durability::kLazy;
  options.delta_flush_threshold_bytes = uint64_t{8} << 30;
  return options;
}

bool crashed_log_made = false;

void sync_file(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0 || ::fsync(fd) != 0 || ::close(fd) != 0) {
    perror("recovery_bench: sync the log copy");
    std::abort();
  }
}

struct CrashedLog {
  std::filesystem::path root;
  std::filesystem::path pristine_wal;
};

// Writes the log once per process through the engine (Lazy, a threshold no
// run reaches, so nothing is checkpointed) and keeps a copy of it.
const CrashedLog& crashed_log() {
  static const CrashedLog log = [] {
    char dir_template[] = "/tmp/dbx-recovery-bench-XXXXXX";
    if (mkdtemp(dir_template) == nullptr) {
      perror("mkdtemp");
      std::abort();
    }
    CrashedLog made{dir_template, std::filesystem::path(dir_template) / "wal.pristine"};
    const std::filesystem::path db_dir = made.root / "writer";
    {
      auto db = dbx::Database::open(db_dir.string(), bench_options());
      for (uint64_t i = 0; i < kRecords; ++i) db->insert(kTable, key_of(i), value_of(i));
      db->close();
    }
    std::filesystem::copy_file(db_dir / "wal.log", made.pristine_wal);
    std::filesystem::remove_all(db_dir);
    crashed_log_made = true;
    fprintf(stderr, "log: %s, %llu bytes, %llu records\n", made.pristine_wal.c_str(),
            static_cast<unsigned long long>(std::filesystem::file_size(made.pristine_wal)),
            static_cast<unsigned long long>(kRecords));
    return made;
  }();
  return log;
}

const std::vector<std::string>& all_keys() {
  static const std::vector<std::string> keys = [] {
    std::vector<std::string> made;
    made.reserve(kRecords);
    for (uint64_t i = 0; i < kRecords; ++i) made.push_back(key_of(i));
    return made;
  }();
  return keys;
}

void report_records_rate(benchmark::State& state) {
  state.counters["records_per_s"] =
      benchmark::Counter(static_cast<double>(kRecords) * static_cast<double>(state.iterations()),
                         benchmark::Counter::kIsRate);
}

void remove_crashed_log() {
  if (crashed_log_made) std::filesystem::remove_all(crashed_log().root);
}

// The timed part of an open benchmark: open and the first get. Checks the
// value and closes untimed.
void open_and_get_last(benchmark::State& state, const std::filesystem::path& db_dir) {
  auto db = dbx::Database::open(db_dir.string(), bench_options());
  const std::optional<std::string> value = db->get(kTable, key_of(kRecords - 1));
  state.PauseTiming();
  if (value != value_of(kRecords - 1)) {
    fprintf(stderr, "recovery_bench: the last write is missing from %s\n", db_dir.c_str());
    std::abort();
  }
  db->close();
  db.reset();
  state.ResumeTiming();
}

void BM_OpenAfterCrash(benchmark::State& state) {
  const CrashedLog& log = crashed_log();
  const std::filesystem::path db_dir = log.root / "db";
  for (auto _ : state) {
    state.PauseTiming();
    std::filesystem::remove_all(db_dir);
    std::filesystem::create_directory(db_dir);
    std::filesystem::copy_file(log.pristine_wal, db_dir / "wal.log");
    sync_file(db_dir / "wal.log");  // As the killed writer's periodic syncs left it.
    state.ResumeTiming();
    open_and_get_last(state, db_dir);
  }
  std::filesystem::remove_all(db_dir);
  report_records_rate(state);
}

// open_s of bench/run: a clean open of a database whose million writes were
// all flushed into the WOS (the WAL is empty), plus the first get.
void BM_OpenFlushed(benchmark::State& state) {
  const CrashedLog& log = crashed_log();
  const std::filesystem::path db_dir = log.root / "flushed";
  {
    std::filesystem::remove_all(db_dir);
    std::filesystem::create_directory(db_dir);
    std::filesystem::copy_file(log.pristine_wal, db_dir / "wal.log");
    auto db = dbx::Database::open(db_dir.string(), bench_options());
    db->flush();
    db->close();
  }
  for (auto _ : state) open_and_get_last(state, db_dir);
  report_records_rate(state);
}

// The scan of bench/run: the first full scan after opening the flushed
// database, which also pays for bringing the key order up (untimed open).
void BM_FirstScanAfterOpen(benchmark::State& state) {
  const std::filesystem::path db_dir = crashed_log().root / "flushed";
  if (!std::filesystem::exists(db_dir)) {
    state.SkipWithError("run BM_OpenFlushed first: it makes the flushed database");
    return;
  }
  for (auto _ : state) {
    state.PauseTiming();
    auto db = dbx::Database::open(db_dir.string(), bench_options());
    state.ResumeTiming();
    const auto rows = db->scan(kTable);
    state.PauseTiming();
    if (rows.size() != kRecords) std::abort();
    db->close();
    state.ResumeTiming();
  }
  report_records_rate(state);
}

void BM_DeltaBuild(benchmark::State& state) {
  const std::vector<std::string>& keys = all_keys();
  for (auto _ : state) {
    dbx::Delta delta;
    for (uint64_t i = 0; i < kRecords; ++i) delta.put(kTable, keys[i], value_of(i));
    if (delta.entries() != kRecords) std::abort();
    state.PauseTiming();
    delta.clear();
    state.ResumeTiming();
  }
  report_records_rate(state);
}

// The applying half of a replay alone: the million writes staged in batches
// beforehand (untimed), then applied with the table reserved up front.
void BM_DeltaApplyStaged(benchmark::State& state) {
  const std::vector<std::string>& keys = all_keys();
  for (auto _ : state) {
    state.PauseTiming();
    std::vector<dbx::StagedWrites> batches(1);
    for (uint64_t i = 0; i < kRecords; ++i) {
      if (!batches.back().has_room_for(kTable, value_of(i))) batches.emplace_back();
      batches.back().add(false, kTable, keys[i], value_of(i));
    }
    state.ResumeTiming();
    dbx::Delta delta;
    for (dbx::StagedWrites& batch : batches) {
      delta.apply(std::move(batch));
      delta.reserve(kTable, kRecords);
    }
    if (delta.entries() != kRecords) std::abort();
    state.PauseTiming();
    delta.clear();
    state.ResumeTiming();
  }
  report_records_rate(state);
}

void configure(benchmark::internal::Benchmark* b) {
  b->Unit(benchmark::kMillisecond)->UseRealTime()->Repetitions(5)->Iterations(2);
}

BENCHMARK(BM_OpenAfterCrash)->Apply(configure);
BENCHMARK(BM_OpenFlushed)->Apply(configure);
BENCHMARK(BM_FirstScanAfterOpen)->Apply(configure);
BENCHMARK(BM_DeltaBuild)->Apply(configure);
BENCHMARK(BM_DeltaApplyStaged)->Apply(configure);

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  remove_crashed_log();
  return 0;
}
