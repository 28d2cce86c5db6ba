// recovery_s: how long an application waits to read again after a process
// crash that left `recovery_writes` acknowledged writes only in the log.
//
// The writer is a forked child (SIGKILL, not a clean close: no flush, no
// destructor). The parent forks before it has opened any engine or started
// any thread, so the child inherits no lock held by another thread.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cassert>
#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <vector>

#include "kv_engine.h"
#include "stopwatch.h"
#include "workload_data.h"
#include "workloads.h"

namespace bench {
namespace {

constexpr char kChildDone = 'k';
constexpr char kChildFailed = 'e';

// SQLite logs whole 4 KiB pages per commit: a million one-row commits would
// leave a 4 GB WAL. It commits 1,000 rows at a time instead; the others write
// one row per log record, as their applications would.
size_t rows_per_commit(std::string_view engine) { return engine == "sqlite" ? 1000 : 1; }

EngineOptions recovery_options() { return EngineOptions{Durability::kLazy, true}; }

faultfs::Status write_all(KvEngine& engine, const ValueSource& values, uint64_t count) {
  const size_t batch_rows = rows_per_commit(engine.name());
  if (batch_rows == 1) {
    for (uint64_t i = 0; i < count; ++i) {
      if (faultfs::Status st = engine.put(Key(i).view(), values.value(i)); !st.is_ok()) return st;
    }
    return faultfs::Status::ok();
  }
  std::vector<Row> batch;
  batch.reserve(batch_rows);
  for (uint64_t i = 0; i < count; ++i) {
    batch.emplace_back(std::string(Key(i).view()), std::string(values.value(i)));
    if (batch.size() == batch_rows || i + 1 == count) {
      if (faultfs::Status st = engine.put_batch(batch); !st.is_ok()) return st;
      batch.clear();
    }
  }
  return faultfs::Status::ok();
}

// The child: writes, reports over the pipe, then waits for its SIGKILL.
[[noreturn]] void child_write_then_wait(std::string_view engine_name, const std::string& dir,
                                        uint64_t count, int report_fd) {
  char verdict = kChildFailed;
  auto engine = make_engine(engine_name);
  if (engine.is_ok()) {
    faultfs::Status st = (*engine)->open(dir, recovery_options());
    if (st.is_ok()) st = write_all(**engine, ValueSource(), count);
    if (st.is_ok()) {
      verdict = kChildDone;
    } else {
      std::fprintf(stderr, "recovery child: %s\n", st.to_string().c_str());
    }
  }
  if (::write(report_fd, &verdict, 1) != 1 || verdict != kChildDone) std::_Exit(2);
  for (;;) ::pause();
}

faultfs::Result<uint64_t> log_bytes(const KvEngine& engine, const std::string& dir) {
  uint64_t total = 0;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (!engine.is_log_file(entry.path().filename().string())) continue;
    total += entry.file_size(ec);
    if (ec) break;
  }
  if (ec) return faultfs::Status(faultfs::ErrorCode::kIoError, "list " + dir + ": " + ec.message());
  return total;
}

// Forks the writer and kills it once it reports; true when it reported done.
faultfs::Status crash_writer(std::string_view engine_name, const std::string& dir, uint64_t count) {
  int fds[2];
  if (::pipe(fds) != 0) return faultfs::status_from_errno(errno, "pipe", dir);
  std::fflush(nullptr);  // The child must not flush the parent's buffered output again.
  const pid_t child = ::fork();
  if (child < 0) return faultfs::status_from_errno(errno, "fork", dir);
  if (child == 0) {
    ::close(fds[0]);
    child_write_then_wait(engine_name, dir, count, fds[1]);
  }
  ::close(fds[1]);
  char verdict = 0;
  ssize_t got;
  do {
    got = ::read(fds[0], &verdict, 1);
  } while (got < 0 && errno == EINTR);
  ::close(fds[0]);
  ::kill(child, SIGKILL);
  int wait_status = 0;
  if (::waitpid(child, &wait_status, 0) != child) {
    return faultfs::status_from_errno(errno, "waitpid", dir);
  }
  if (got != 1 || verdict != kChildDone) {
    return faultfs::Status(faultfs::ErrorCode::kIoError,
                           std::string(engine_name) + ": the recovery writer failed");
  }
  // Killed by our signal, not exited: nothing was closed cleanly.
  assert(WIFSIGNALED(wait_status) && WTERMSIG(wait_status) == SIGKILL);
  return faultfs::Status::ok();
}

}  // namespace

faultfs::Result<Measurements> run_recovery(std::string_view engine_name, const std::string& dir,
                                           const WorkloadSizes& sizes) {
  const uint64_t count = sizes.recovery_writes;
  assert(count >= 1);
  std::error_code ec;
  if (std::filesystem::exists(dir, ec)) {
    return faultfs::Status(faultfs::ErrorCode::kAlreadyExists, dir + " exists");
  }
  std::filesystem::create_directories(std::filesystem::path(dir).parent_path(), ec);
  if (ec) return faultfs::Status(faultfs::ErrorCode::kIoError, "mkdir: " + ec.message());
  if (faultfs::Status st = crash_writer(engine_name, dir, count); !st.is_ok()) return st;

  auto engine = make_engine(engine_name);
  if (!engine.is_ok()) return engine.status();
  auto wal_bytes = log_bytes(**engine, dir);
  if (!wal_bytes.is_ok()) return wal_bytes.status();

  const ValueSource values;
  const Key last_key(count - 1);
  std::string value;
  const Stopwatch watch;
  if (faultfs::Status st = (*engine)->open(dir, recovery_options()); !st.is_ok()) return st;
  auto found = (*engine)->get(last_key.view(), &value);
  const double elapsed_s = watch.elapsed_s();
  if (!found.is_ok()) return found.status();
  // The last acknowledged write must survive a process crash at Lazy.
  if (!*found || value != values.value(count - 1)) {
    return faultfs::Status(faultfs::ErrorCode::kCorruption,
                           std::string(engine_name) + ": last write lost after recovery");
  }
  if (faultfs::Status st = (*engine)->close(); !st.is_ok()) return st;
  const std::string name(engine_name);
  assert(elapsed_s > 0);
  return Measurements{
      {name, "recovery_s", elapsed_s},
      {name, "recovery_wal_mb_s", static_cast<double>(*wal_bytes) / 1e6 / elapsed_s},
  };
}

}  // namespace bench
