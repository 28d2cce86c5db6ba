// The Recorder's trace: format, torn tails, survival of SIGKILL, and the
// property that replaying any trace prefix rebuilds the live SimFs state.
#include "faultfs/recorder.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "faultfs/fault_injection.h"
#include "faultfs/trace.h"
#include "sim_test_util.h"

namespace faultfs {
namespace {

std::string temp_path(const std::string& name) {
  static int counter = 0;
  return (std::filesystem::temp_directory_path() / ("faultfs-rec-" + std::to_string(::getpid()) +
                                                    "-" + std::to_string(counter++) + "-" + name))
      .string();
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

TEST(Recorder, TraceListsEveryMutationAndSyncInOrderWithSequenceNumbers) {
  SimFs sim;
  const std::string trace_path = temp_path("trace");
  auto rec = Recorder::create(sim, trace_path);
  FAULTFS_ASSERT_OK(rec);
  FAULTFS_ASSERT_OK((*rec)->mkdir("d"));
  auto file = (*rec)->open("d/f", OpenMode::kCreate);
  FAULTFS_ASSERT_OK(file);
  FAULTFS_ASSERT_OK((*file)->append("hello"));
  FAULTFS_ASSERT_OK((*file)->write_at(1, "E"));
  FAULTFS_ASSERT_OK((*file)->sync());
  FAULTFS_ASSERT_OK((*rec)->sync_dir("d"));
  EXPECT_EQ((*rec)->remove("nope").code(), ErrorCode::kNotFound);  // Failed: not recorded.
  FAULTFS_ASSERT_OK((*rec)->rename("d/f", "d/g"));
  FAULTFS_ASSERT_OK((*file)->close());
  auto trace = read_trace(trace_path);
  FAULTFS_ASSERT_OK(trace);
  std::vector<std::string> ops;
  for (size_t i = 0; i < trace->records.size(); ++i) {
    EXPECT_EQ(trace->records[i].seq, i + 1);
    ops.push_back(trace_op_name(trace->records[i].op));
  }
  EXPECT_EQ(ops, (std::vector<std::string>{"mkdir", "open", "append", "write_at", "sync",
                                           "sync_dir", "rename", "close"}));
  EXPECT_EQ((*rec)->records_written(), 8u);
  EXPECT_FALSE(trace->torn_tail);
  auto rebuilt = rebuild_from_trace(*trace, trace->records.size());
  FAULTFS_ASSERT_OK(rebuilt);
  EXPECT_EQ((*rebuilt)->describe(), sim.describe());
  std::filesystem::remove(trace_path);
}

TEST(Recorder, CutLastRecordIsATornTailButADamagedEarlierOneIsCorruption) {
  SimFs sim;
  const std::string trace_path = temp_path("trace");
  {
    auto rec = Recorder::create(sim, trace_path);
    FAULTFS_ASSERT_OK(rec);
    FAULTFS_ASSERT_OK((*rec)->mkdir("a"));
    FAULTFS_ASSERT_OK((*rec)->mkdir("b"));
  }
  const std::string bytes = slurp(trace_path);
  for (size_t cut = 1; cut < 20; ++cut) {
    auto trace = parse_trace(std::string_view(bytes).substr(0, bytes.size() - cut));
    FAULTFS_ASSERT_OK(trace);
    EXPECT_TRUE(trace->torn_tail);
    EXPECT_EQ(trace->records.size(), 1u);
  }
  std::string flipped_last = bytes;
  flipped_last.back() = static_cast<char>(flipped_last.back() ^ 1);
  auto torn = parse_trace(flipped_last);
  FAULTFS_ASSERT_OK(torn);
  EXPECT_TRUE(torn->torn_tail);
  std::string flipped_first = bytes;
  flipped_first[kTraceHeaderBytes + kTraceRecordHeaderBytes + 2] ^= 1;
  EXPECT_EQ(parse_trace(flipped_first).status().code(), ErrorCode::kCorruption);
  EXPECT_EQ(parse_trace("NOTATRACE-------").status().code(), ErrorCode::kCorruption);
  std::filesystem::remove(trace_path);
}

TEST(Recorder, TraceOfAKilledChildParsesAndReplays) {
  const std::string dir = temp_path("dir");
  std::filesystem::create_directories(dir);
  const std::string trace_path = dir + "/trace";
  int ready[2];
  ASSERT_EQ(::pipe(ready), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto rec = Recorder::create(posix_file_system(), trace_path);
    if (!rec.is_ok()) ::_exit(1);
    auto file = (*rec)->open(dir + "/wal", OpenMode::kCreate);
    if (!file.is_ok() || !(*rec)->sync_dir(dir).is_ok()) ::_exit(1);
    for (int i = 0;; ++i) {
      if (!(*file)->append("record-" + std::to_string(i) + ";").is_ok()) ::_exit(1);
      if (i % 10 == 0 && !(*file)->sync().is_ok()) ::_exit(1);
      if (i == 200) {
        const char byte = 1;
        if (::write(ready[1], &byte, 1) != 1) ::_exit(1);
      }
    }
  }
  ::close(ready[1]);
  char byte = 0;
  ASSERT_EQ(::read(ready[0], &byte, 1), 1);
  ::close(ready[0]);
  ASSERT_EQ(::kill(child, SIGKILL), 0);
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status));
  auto trace = read_trace(trace_path);
  FAULTFS_ASSERT_OK(trace);
  ASSERT_GT(trace->records.size(), 200u);
  auto rebuilt = rebuild_from_trace(*trace, trace->records.size());
  FAULTFS_ASSERT_OK(rebuilt);
  // The rebuilt file holds exactly the appends the trace lists, in order.
  std::string expect;
  for (const TraceRecord& r : trace->records) {
    if (r.op == TraceOp::kAppend) expect += r.data;
  }
  auto wal = read_file(**rebuilt, dir + "/wal");
  FAULTFS_ASSERT_OK(wal);
  EXPECT_EQ(*wal, expect);
  EXPECT_EQ(expect.substr(0, 9), "record-0;");
  // And its power-loss images keep at least the synced prefix.
  std::mt19937_64 rng(1);
  auto image = (*rebuilt)->crash(testing::options(CrashPolicy::kDrop), rng);
  auto durable = read_file(*image, dir + "/wal");
  // The wal's entry was dir-synced, and its parents existed before the trace.
  FAULTFS_ASSERT_OK(durable);
  EXPECT_GE(durable->size(), 9u);  // The first append was synced.
  EXPECT_EQ(expect.substr(0, durable->size()), *durable);
  std::filesystem::remove_all(dir);
}

TEST(Recorder, InjectedShortWriteAndFailedSyncAreRecordedAsWhatHappened) {
  SimFs sim;
  const std::string trace_path = temp_path("trace");
  auto rec = Recorder::create(sim, trace_path);
  FAULTFS_ASSERT_OK(rec);
  FaultInjectionFs fs(**rec);
  auto file = fs.open("f", OpenMode::kCreate);
  FAULTFS_ASSERT_OK(file);
  FAULTFS_ASSERT_OK((*file)->append("synced"));
  FAULTFS_ASSERT_OK((*file)->sync());
  FAULTFS_ASSERT_OK(enable_fault(FaultOp::kAppend, FaultKind::kShortWrite, true, 2));
  EXPECT_EQ((*file)->append("+short").code(), ErrorCode::kShortWrite);
  FAULTFS_ASSERT_OK((*file)->append("+dropped"));
  FAULTFS_ASSERT_OK(enable_fault(FaultOp::kSync, FaultKind::kIoError, true));
  EXPECT_EQ((*file)->sync().code(), ErrorCode::kIoError);
  disable_all_faults();
  auto trace = read_trace(trace_path);
  FAULTFS_ASSERT_OK(trace);
  auto rebuilt = rebuild_from_trace(*trace, trace->records.size());
  FAULTFS_ASSERT_OK(rebuilt);
  EXPECT_EQ((*rebuilt)->describe(), sim.describe());
  EXPECT_EQ((*rebuilt)->live_files().at("f"), "synced");
  EXPECT_EQ(trace->records.back().op, TraceOp::kSyncFailed);
  std::filesystem::remove(trace_path);
}

// One random operation on FaultInjectionFs over a Recorder over SimFs,
// including injected short writes and failed syncs. Failures are fine: the
// property is about what the trace says, whatever the op's outcome.
void random_op(FileSystem& fs, std::vector<std::unique_ptr<File>>& files, int kind, int a, int b,
               const std::string& data) {
  static const char* kNames[] = {"a", "b", "d/c", "d/e", "d"};
  const std::string name = kNames[a % 5];
  const std::string other = kNames[b % 5];
  File* file = files.empty() ? nullptr : files[static_cast<size_t>(b) % files.size()].get();
  switch (kind) {
    case 0:
    case 1: {
      auto opened = fs.open(name, a % 2 == 0 ? OpenMode::kCreate : OpenMode::kCreateTruncate);
      if (opened.is_ok()) files.push_back(std::move(*opened));
      break;
    }
    case 2:
      if (file) file->append(data).ignore_error();
      break;
    case 3:
      if (file) file->write_at(static_cast<uint64_t>(a) * 7, data).ignore_error();
      break;
    case 4:
      if (file) file->truncate(static_cast<uint64_t>(a) * 3).ignore_error();
      break;
    case 5:
      if (file) file->sync().ignore_error();
      break;
    case 6:
      fs.rename(name, other).ignore_error();
      break;
    case 7:
      fs.remove(name).ignore_error();
      break;
    case 8:
      fs.mkdir("d").ignore_error();
      break;
    case 9:
      fs.sync_dir(a % 2 == 0 ? "." : "d").ignore_error();
      break;
    case 10: {
      auto held = fs.lock("LOCK");
      held.status().ignore_error();
      break;
    }
    case 11:
      if (file) file->close().ignore_error();
      break;
    case 12:
      enable_fault(a % 2 == 0 ? FaultOp::kAppend : FaultOp::kWriteAt, FaultKind::kShortWrite,
                   /*once=*/true, static_cast<uint64_t>(b % 3))
          .ignore_error();
      break;
    case 13:
      enable_fault(FaultOp::kSync, FaultKind::kIoError, /*once=*/true).ignore_error();
      break;
  }
}

RC_GTEST_PROP(Recorder, ReplayingAnyTracePrefixRebuildsTheLiveSimFs, ()) {
  SimFs sim;
  const std::string trace_path = temp_path("prop");
  auto rec = Recorder::create(sim, trace_path);
  RC_ASSERT(rec.is_ok());
  // State after each recorded op, keyed by the number of records then.
  std::map<uint64_t, std::string> states{{0, sim.describe()}};
  std::vector<std::unique_ptr<File>> files;
  disable_all_faults();
  FaultInjectionFs injecting(**rec);
  const int steps = *rc::gen::inRange(1, 60);
  for (int i = 0; i < steps; ++i) {
    const int kind = *rc::gen::inRange(0, 14);
    const int a = *rc::gen::inRange(0, 10);
    const int b = *rc::gen::inRange(0, 10);
    const std::string data = *rc::gen::container<std::string>(
        static_cast<size_t>(*rc::gen::inRange(1, 9)), rc::gen::inRange('a', 'e'));
    random_op(injecting, files, kind, a, b, data);
    states[(*rec)->records_written()] = sim.describe();
  }
  disable_all_faults();
  auto trace = read_trace(trace_path);
  RC_ASSERT(trace.is_ok());
  RC_ASSERT(trace->records.size() == (*rec)->records_written());
  const size_t prefix = *rc::gen::inRange<size_t>(0, trace->records.size() + 1);
  auto rebuilt = rebuild_from_trace(*trace, prefix);
  if (!rebuilt.is_ok()) RC_FAIL("replay failed: " + rebuilt.status().to_string());
  RC_ASSERT((*rebuilt)->describe() == states.at(prefix));
  // Same state, so the same crash choice yields the same image.
  std::mt19937_64 rng(*rc::gen::arbitrary<uint64_t>());
  CrashChoice choice;
  const CrashOptions o = testing::options(CrashPolicy::kTorn);
  auto image = (*rebuilt)->crash(o, rng, &choice);
  if (prefix == trace->records.size()) {
    auto live_image = sim.crash_with(o, choice);
    RC_ASSERT(live_image.is_ok());
    RC_ASSERT((*live_image)->describe() == image->describe());
  }
  std::filesystem::remove(trace_path);
}

}  // namespace
}  // namespace faultfs
