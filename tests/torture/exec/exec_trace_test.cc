// The recorder's trace from a program of several concurrent processes: one
// well-formed trace (parse_trace checks the sequence has no gap) whose
// rebuild holds every byte each process appended, in each file's order.
#include <gtest/gtest.h>

#include <fstream>

#include "exec_test_util.h"
#include "faultfs/trace.h"

namespace torture::testing {
namespace {

TEST(ExecTrace, ConcurrentProcessesShareOneOrderedTrace) {
  TempDir dir;
  // Four subshells at once, each appending eight lines to its own file
  // through the shell's redirection (open O_APPEND, dup2 onto 1, write).
  const std::string program =
      "sh -c 'for p in 1 2 3 4; do (for i in 1 2 3 4 5 6 7 8; do echo $p.$i >> f$p; done) & "
      "done; wait'";
  const CliResult r = run_torture("exec --policies drop --fs-model posix --report " +
                                      dir / "report" + " --check false -- " + program,
                                  dir);
  ASSERT_EQ(r.code, 1) << r.out << r.err;
  EXPECT_EQ(r.err.find("warning"), std::string::npos) << r.err;
  auto trace = faultfs::read_trace(dir / "report/failures/exec-0001/trace");
  ASSERT_TRUE(trace.is_ok()) << trace.status().to_string();
  auto rebuilt = faultfs::rebuild_from_trace(trace.value(), trace.value().records.size());
  ASSERT_TRUE(rebuilt.is_ok()) << rebuilt.status().to_string();
  const auto files = rebuilt.value()->live_files();
  ASSERT_EQ(files.size(), 4u);
  for (int p = 1; p <= 4; ++p) {
    std::string expected;
    for (int i = 1; i <= 8; ++i) expected += std::to_string(p) + "." + std::to_string(i) + "\n";
    EXPECT_EQ(files.at("f" + std::to_string(p)), expected);
  }
}

TEST(ExecTrace, KernelCopiesAndPlainCopiesAreBothRecorded) {
  TempDir dir;
  std::string source(100'000, 'x');
  for (size_t i = 0; i < source.size(); i += 7) source[i] = static_cast<char>('a' + i % 26);
  {
    std::ofstream out(dir / "source", std::ios::binary);
    out << source;
  }
  // cp copies with copy_file_range; cat with read and write.
  const std::string program =
      "sh -c 'cp " + dir / "source" + " copied && cat " + dir / "source" + " > catted'";
  const CliResult r = run_torture("exec --policies drop --fs-model posix --report " +
                                      dir / "report" + " --check false -- " + program,
                                  dir);
  ASSERT_EQ(r.code, 1) << r.out << r.err;
  EXPECT_EQ(r.err.find("warning"), std::string::npos) << r.err;
  auto trace = faultfs::read_trace(dir / "report/failures/exec-0001/trace");
  ASSERT_TRUE(trace.is_ok()) << trace.status().to_string();
  auto rebuilt = faultfs::rebuild_from_trace(trace.value(), trace.value().records.size());
  ASSERT_TRUE(rebuilt.is_ok()) << rebuilt.status().to_string();
  const auto files = rebuilt.value()->live_files();
  EXPECT_EQ(files.at("copied"), source);
  EXPECT_EQ(files.at("catted"), source);
}

}  // namespace
}  // namespace torture::testing

namespace torture::testing {
namespace {

faultfs::TraceRecord record(uint64_t seq, faultfs::TraceOp op, std::string path = {},
                            std::string path2 = {}) {
  faultfs::TraceRecord r;
  r.seq = seq;
  r.op = op;
  r.path = std::move(path);
  r.path2 = std::move(path2);
  return r;
}

TEST(ExecTrace, TheRecorderOnlyOpsRoundTrip) {
  using faultfs::TraceOp;
  std::string bytes = faultfs::encode_trace_header();
  const std::vector<faultfs::TraceRecord> records = {record(1, TraceOp::kRmdir, "d"),
                                                     record(2, TraceOp::kLink, "a", "b"),
                                                     record(3, TraceOp::kSyncFs)};
  for (const auto& r : records) bytes += faultfs::encode_trace_record(r);
  auto parsed = faultfs::parse_trace(bytes);
  ASSERT_TRUE(parsed.is_ok()) << parsed.status().to_string();
  EXPECT_EQ(parsed.value().records, records);
  EXPECT_STREQ(faultfs::trace_op_name(TraceOp::kSyncFs), "sync_fs");
}

TEST(ExecTrace, SyncFsMakesEveryFileAndDirectoryDurable) {
  using faultfs::TraceOp;
  faultfs::Trace trace;
  faultfs::TraceRecord open = record(1, TraceOp::kOpen, "d/f");
  open.handle = 1;
  open.mode = faultfs::OpenMode::kCreate;
  faultfs::TraceRecord write = record(3, TraceOp::kWriteAt);
  write.handle = 1;
  write.data = "kept";
  trace.records = {record(1, TraceOp::kMkdir, "d"), open, write, record(4, TraceOp::kSyncFs)};
  trace.records[1].seq = 2;
  auto fs = faultfs::rebuild_from_trace(trace, trace.records.size());
  ASSERT_TRUE(fs.is_ok()) << fs.status().to_string();
  std::mt19937_64 rng(1);
  const auto image = fs.value()->crash(faultfs::CrashOptions{}, rng);  // kDrop: durable only.
  EXPECT_EQ(image->live_files(), (std::map<std::string, std::string>{{"d/f", "kept"}}));
  // Without the sync_fs nothing of it is durable.
  auto before = faultfs::rebuild_from_trace(trace, 3);
  ASSERT_TRUE(before.is_ok());
  EXPECT_TRUE(before.value()->crash(faultfs::CrashOptions{}, rng)->live_files().empty());
}

}  // namespace
}  // namespace torture::testing
