// How fast recovery reads the WAL back (recovery_s): 1,000,000
// single-insert records (table "kv", 16-byte key, 100-byte value), as the
// recovery_s workload of bench/run leaves them, read from the page cache
// through the POSIX faultfs file system.
//
//   build/bin/wal_read_bench --benchmark_display_aggregates_only=true
//   (5 repetitions each; quote the medians)
//
// BM_RawChunkedRead is the floor: the same file copied out in 1 MiB read_at
// calls and nothing else. BM_ReadLogViews is what recovery pays before the
// engine sees a record; BM_ReadLogRecords is the owning-copy path.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "faultfs/file_system.h"
#include "wal/wal_reader.h"
#include "wal/wal_record.h"
#include "wal/wal_window.h"
#include "wal/wal_writer.h"

namespace {

using dbx::wal::Record;
using dbx::wal::RecordKind;
using dbx::wal::RecordView;
using dbx::wal::TailMode;

constexpr uint64_t kRecords = 1'000'000;
constexpr size_t kKeyBytes = 16;
constexpr size_t kValueBytes = 100;

// Aborts on an unexpected error: numbers from a broken set-up would mislead.
void check(const faultfs::Status& s) {
  if (!s.is_ok()) {
    fprintf(stderr, "wal_read_bench: %s\n", s.to_string().c_str());
    std::abort();
  }
}

struct BenchLog {
  std::string dir;
  std::string path;
  uint64_t file_bytes = 0;
};

// Writes the log once per process; later benchmarks reuse it (and, since it
// was just written, read it from the page cache).
const BenchLog& bench_log() {
  static const BenchLog log = [] {
    BenchLog made;
    char dir_template[] = "/tmp/dbx-wal-bench-XXXXXX";
    if (mkdtemp(dir_template) == nullptr) {
      perror("mkdtemp");
      std::abort();
    }
    made.dir = dir_template;
    made.path = faultfs::join_path(made.dir, "wal.log");
    faultfs::FileSystem& fs = faultfs::posix_file_system();
    auto writer = dbx::wal::WalWriter::create(fs, made.path, 1);
    check(writer.status());
    std::mt19937_64 rng(6);
    Record record;
    record.kind = RecordKind::kInsert;
    record.mutations.push_back(dbx::wal::Mutation{false, "kv", "", std::string(kValueBytes, 0)});
    std::string payload;
    char key[kKeyBytes + 1];
    for (uint64_t seq = 1; seq <= kRecords; ++seq) {
      snprintf(key, sizeof key, "%016llu", static_cast<unsigned long long>(seq));
      record.sequence = seq;
      record.mutations[0].key.assign(key, kKeyBytes);
      for (char& c : record.mutations[0].value) c = static_cast<char>(rng());
      dbx::wal::encode_payload_to(record, &payload);
      check((*writer)->append(RecordKind::kInsert, seq, payload).status());
    }
    check((*writer)->close());
    auto size = fs.file_size(made.path);
    check(size.status());
    made.file_bytes = *size;
    return made;
  }();
  return log;
}

void remove_bench_log() {
  const BenchLog& log = bench_log();
  faultfs::Status removed = faultfs::posix_file_system().remove(log.path);
  if (!removed.is_ok()) fprintf(stderr, "cleanup: %s\n", removed.to_string().c_str());
  if (rmdir(log.dir.c_str()) != 0) perror("cleanup rmdir");
}

void report(benchmark::State& state, uint64_t bytes_per_iteration, uint64_t records_per_iteration) {
  const auto iterations = static_cast<double>(state.iterations());
  state.SetBytesProcessed(static_cast<int64_t>(bytes_per_iteration * state.iterations()));
  state.counters["MB_per_s"] = benchmark::Counter(
      static_cast<double>(bytes_per_iteration) * iterations / 1e6, benchmark::Counter::kIsRate);
  state.counters["records_per_s"] = benchmark::Counter(
      static_cast<double>(records_per_iteration) * iterations, benchmark::Counter::kIsRate);
}

void BM_RawChunkedRead(benchmark::State& state) {
  const BenchLog& log = bench_log();
  std::vector<char> buffer(dbx::wal::LogWindow::kChunkBytes);
  for (auto _ : state) {
    auto file = faultfs::posix_file_system().open(log.path, faultfs::OpenMode::kRead);
    check(file.status());
    uint64_t offset = 0;
    while (offset < log.file_bytes) {
      auto n = (*file)->read_at(offset, std::span<char>(buffer));
      check(n.status());
      offset += *n;
    }
    benchmark::DoNotOptimize(buffer.data());
    check((*file)->close());
  }
  report(state, log.file_bytes, kRecords);
}

void BM_ReadLogViews(benchmark::State& state) {
  const BenchLog& log = bench_log();
  for (auto _ : state) {
    uint64_t user_bytes = 0;
    auto summary =
        dbx::wal::read_log_views(faultfs::posix_file_system(), log.path, TailMode::kStrict, 0,
                                 [&user_bytes](const RecordView& record) {
                                   for (const dbx::wal::MutationView& m : record.mutations) {
                                     user_bytes += m.table.size() + m.key.size() + m.value.size();
                                   }
                                   return faultfs::Status::ok();
                                 });
    check(summary.status());
    if (summary->records_read != kRecords) std::abort();
    benchmark::DoNotOptimize(user_bytes);
  }
  report(state, log.file_bytes, kRecords);
}

void BM_ReadLogRecords(benchmark::State& state) {
  const BenchLog& log = bench_log();
  for (auto _ : state) {
    uint64_t user_bytes = 0;
    auto summary = dbx::wal::read_log(faultfs::posix_file_system(), log.path, TailMode::kStrict, 0,
                                      [&user_bytes](Record& record) {
                                        for (const dbx::wal::Mutation& m : record.mutations) {
                                          user_bytes +=
                                              m.table.size() + m.key.size() + m.value.size();
                                        }
                                        return faultfs::Status::ok();
                                      });
    check(summary.status());
    if (summary->records_read != kRecords) std::abort();
    benchmark::DoNotOptimize(user_bytes);
  }
  report(state, log.file_bytes, kRecords);
}

// Five repetitions; the figures quoted are the medians.
void configure(benchmark::internal::Benchmark* b) {
  b->Unit(benchmark::kMillisecond)->UseRealTime()->Repetitions(5);
}

BENCHMARK(BM_RawChunkedRead)->Apply(configure);
BENCHMARK(BM_ReadLogViews)->Apply(configure);
BENCHMARK(BM_ReadLogRecords)->Apply(configure);

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  const BenchLog& log = bench_log();
  fprintf(stderr, "log: %s, %llu bytes, %llu records\n", log.path.c_str(),
          static_cast<unsigned long long>(log.file_bytes),
          static_cast<unsigned long long>(kRecords));
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  remove_bench_log();
  return 0;
}
