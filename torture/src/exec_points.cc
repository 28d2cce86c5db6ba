// Method: one pass over the trace with a TraceRebuilder; just before each
// sync-family record, and after the last record (the program's exit), the
// live SimFs is cloned (copy-on-write, O(files + pending changes)) as that
// crash point's pre-crash state. A point just before a sync is the state
// with the most un-synced changes that sync was about to cover, so an
// acknowledgement given before the sync (too early) is caught there.
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "exec_internal.h"
#include "faultfs/assert.h"
#include "faultfs/status_macros.h"
#include "torture/image_dump.h"

namespace torture::exec {

using faultfs::ErrorCode;
using faultfs::Result;
using faultfs::Status;
using faultfs::TraceOp;
namespace fs = std::filesystem;

namespace {

bool is_sync(TraceOp op) {
  return op == TraceOp::kSync || op == TraceOp::kSyncDir || op == TraceOp::kSyncFs ||
         op == TraceOp::kSyncFailed;
}

// A seed of its own for each (point, model, policy): the images of one do not
// depend on how many the others drew.
uint64_t mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// Enumerating a state's images builds and fingerprints up to 65536
// candidates; beyond a handful of pending changes sampling is far cheaper
// and, with a budget of a few images per point, loses little. Duplicates
// are dropped when the images are judged.
constexpr size_t kEnumeratePendingMax = 6;

std::vector<faultfs::CrashChoice> draw_images(const faultfs::SimFs& fs,
                                              const faultfs::CrashOptions& opts, size_t count,
                                              std::mt19937_64& rng) {
  if (fs.pending_changes() <= kEnumeratePendingMax) return fs.enumerate_crashes(opts, count, rng);
  std::vector<faultfs::CrashChoice> out(count);
  for (faultfs::CrashChoice& choice : out) (void)fs.crash(opts, rng, &choice);
  return out;
}

}  // namespace

Result<std::vector<Ack>> read_acks(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status(ErrorCode::kIoError, "cannot read " + path);
  std::vector<Ack> acks;
  std::string line;
  while (std::getline(in, line)) {
    const size_t tab = line.find('\t');
    if (tab == std::string::npos || tab == 0) {
      return Status(ErrorCode::kCorruption,
                    path + ": malformed line " + std::to_string(acks.size() + 1));
    }
    Ack ack;
    ack.records = std::stoull(line.substr(0, tab));
    ack.line = line.substr(tab + 1);
    if (!acks.empty() && ack.records < acks.back().records) {
      return Status(ErrorCode::kCorruption, path + ": acknowledgements out of trace order");
    }
    acks.push_back(std::move(ack));
  }
  return acks;
}

Result<std::vector<CrashPoint>> crash_points(const faultfs::Trace& trace,
                                             const std::vector<Ack>& acks) {
  auto live = std::make_shared<faultfs::SimFs>();
  faultfs::TraceRebuilder rebuilder(*live);
  std::map<uint64_t, std::string> handle_paths;
  std::vector<CrashPoint> points;
  size_t acked = 0;
  auto add_point = [&](size_t records, std::string op, std::string file) {
    while (acked < acks.size() && acks[acked].records <= records) ++acked;
    CrashPoint p;
    p.records = records;
    p.op = std::move(op);
    p.file = std::move(file);
    p.acks = acked;
    p.fs = std::shared_ptr<const faultfs::SimFs>(live->clone());
    points.push_back(std::move(p));
  };
  for (size_t i = 0; i < trace.records.size(); ++i) {
    const faultfs::TraceRecord& r = trace.records[i];
    if (is_sync(r.op)) {
      add_point(i, trace_op_name(r.op),
                r.op == TraceOp::kSyncDir ? r.path : handle_paths[r.handle]);
    }
    if (r.op == TraceOp::kOpen) handle_paths[r.handle] = r.path;
    RETURN_IF_ERROR(rebuilder.apply(r));
  }
  add_point(trace.records.size(), "exit", "");
  return points;
}

std::vector<Job> plan_jobs(const std::vector<CrashPoint>& points, const ExecOptions& o) {
  // choices[p][m][k]: the images of point p under model-and-policy pair k.
  std::vector<std::vector<std::vector<faultfs::CrashChoice>>> choices(points.size());
  size_t longest = 0;
  for (size_t p = 0; p < points.size(); ++p) {
    for (size_t m = 0; m < o.fs_models.size(); ++m) {
      for (size_t k = 0; k < o.policies.size(); ++k) {
        faultfs::CrashOptions opts;
        opts.policy = o.policies[k];
        opts.fs_model = o.fs_models[m];
        opts.sector_bytes = o.sector_bytes;
        std::mt19937_64 rng(mix(o.seed ^ mix(p * 1'000'003 + m * 1'009 + k)));
        choices[p].push_back(draw_images(*points[p].fs, opts, o.images_max, rng));
        longest = std::max(longest, choices[p].back().size());
      }
    }
  }
  std::vector<Job> jobs;
  for (size_t round = 0; round < longest; ++round) {
    for (size_t p = 0; p < points.size(); ++p) {
      for (auto& list : choices[p]) {
        if (round < list.size()) jobs.push_back(Job{p, std::move(list[round])});
      }
    }
  }
  return jobs;
}

Status materialize(const CrashPoint& point, const faultfs::CrashChoice& choice,
                   const std::string& image_dir) {
  ASSIGN_OR_RETURN(auto image, point.fs->crash_with(choice.options, choice));
  return write_tree(*image, "", image_dir);
}

Status write_acks_file(const std::string& path, const std::vector<Ack>& acks, size_t count) {
  DBX_ASSERT(count <= acks.size());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  for (size_t i = 0; i < count; ++i) out << acks[i].line << '\n';
  out.close();
  if (!out) return Status(ErrorCode::kIoError, "cannot write " + path);
  return Status::ok();
}

void warn_untraced_changes(const Recording& recording, std::ostream& err) {
  auto rebuilt = faultfs::rebuild_from_trace(recording.trace, recording.trace.records.size());
  if (!rebuilt.is_ok()) return;  // crash_points() reports it.
  const auto files = rebuilt.value()->live_files();
  const fs::path root = fs::path(recording.work_dir) / "root";
  std::vector<std::string> differ;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    if (!it->is_regular_file(ec)) continue;
    const std::string rel = fs::relative(it->path(), root, ec).string();
    std::ifstream in(it->path(), std::ios::binary);
    std::stringstream bytes;
    bytes << in.rdbuf();
    const auto found = files.find(rel);
    if (found == files.end() || found->second != bytes.str()) differ.push_back(rel);
  }
  for (const auto& [path, bytes] : files) {
    if (!fs::exists(root / path, ec)) differ.push_back(path);
  }
  if (differ.empty()) return;
  err << "dbx-torture exec: warning: " << differ.size()
      << " file(s) differ between the rebuilt trace and the real root (changed by calls the "
         "recorder does not see: mmap, stdio, a static binary), e.g. "
      << differ.front() << "\n";
}

}  // namespace torture::exec
