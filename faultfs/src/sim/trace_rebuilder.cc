// Method: rebuilding the state a traced program left. Records are applied in
// order to a SimFs, so the SimFs ends with the same durable images and the
// same queues of un-synced changes as a machine that ran those calls; its
// crash images are the power-loss states the program could have met. Handles
// are matched by the trace's handle numbers, and directories a record needs
// but the trace never created are taken as durable from before the trace.
#include <cassert>

#include "faultfs/status_macros.h"
#include "faultfs/trace.h"
#include "faultfs/writeback_fault.h"

namespace faultfs {
namespace {

Status mismatch(const TraceRecord& r, const std::string& why) {
  return Status(ErrorCode::kCorruption,
                "trace record " + std::to_string(r.seq) + " (" + trace_op_name(r.op) + "): " + why);
}

// sync(2) / syncfs(2): every file reachable from `dir` synced, then `dir`.
// The seam has no stat: what lists is a directory, anything else a file.
Status sync_tree(SimFs& fs, const std::string& dir) {
  ASSIGN_OR_RETURN(auto names, fs.list(dir));
  for (const std::string& name : names) {
    const std::string path = dir.empty() ? name : dir + "/" + name;
    if (fs.list(path).is_ok()) {
      RETURN_IF_ERROR(sync_tree(fs, path));
      continue;
    }
    ASSIGN_OR_RETURN(auto file, fs.open(path, OpenMode::kRead));
    RETURN_IF_ERROR(file->sync());
    RETURN_IF_ERROR(file->close());
  }
  return fs.sync_dir(dir.empty() ? "/" : dir);
}

// The records that name paths, not handles: entry changes, directory
// syncs and lock files.
Status apply_namespace_op(SimFs& fs, const TraceRecord& r) {
  auto parents = [&](const std::string& path) { return fs.create_dirs_durable(parent_path(path)); };
  Status done;
  switch (r.op) {
    case TraceOp::kRename:
      done = parents(r.path);
      if (done.is_ok()) done = parents(r.path2);
      if (done.is_ok()) done = fs.rename(r.path, r.path2);
      break;
    case TraceOp::kRemove:
      done = fs.remove(r.path);
      break;
    case TraceOp::kMkdir:
      done = parents(r.path);
      if (done.is_ok()) done = fs.mkdir(r.path);
      break;
    case TraceOp::kRmdir:
      done = fs.rmdir(r.path);
      break;
    case TraceOp::kSyncDir:
      done = fs.create_dirs_durable(r.path);
      if (done.is_ok()) done = fs.sync_dir(r.path);
      break;
    case TraceOp::kLock: {
      done = parents(r.path);
      if (!done.is_ok()) break;
      // Locks do not outlive a crash; only the lock file's creation matters.
      auto held = fs.lock(r.path);
      if (!held.is_ok()) done = held.status();
      break;
    }
    default:
      assert(false && "not a namespace op");
      done = Status(ErrorCode::kInvalidArgument, "not a namespace op");
  }
  return done;
}

}  // namespace

TraceRebuilder::TraceRebuilder(SimFs& fs) : fs_(fs) {}
TraceRebuilder::~TraceRebuilder() = default;

Status TraceRebuilder::apply(const TraceRecord& r) {
  if (r.seq != last_seq_ + 1) return mismatch(r, "expected seq " + std::to_string(last_seq_ + 1));
  Status done;
  auto parents = [&](const std::string& path) {
    return fs_.create_dirs_durable(parent_path(path));
  };
  File* file = nullptr;
  if (r.op != TraceOp::kOpen && r.handle != 0) {
    auto it = handles_.find(r.handle);
    if (it == handles_.end()) return mismatch(r, "unknown handle " + std::to_string(r.handle));
    file = it->second.get();
  }
  switch (r.op) {
    case TraceOp::kOpen: {
      if (handles_.count(r.handle) != 0) return mismatch(r, "handle opened twice");
      done = parents(r.path);
      if (!done.is_ok()) break;
      auto opened = fs_.open(r.path, r.mode);
      if (!opened.is_ok()) {
        done = opened.status();
        break;
      }
      handles_.emplace(r.handle, std::move(*opened));
      break;
    }
    case TraceOp::kClose:
      done = file->close();
      handles_.erase(r.handle);
      break;
    case TraceOp::kAppend:
      done = file->append(r.data);
      break;
    case TraceOp::kWriteAt:
      done = file->write_at(r.offset, r.data);
      break;
    case TraceOp::kTruncate:
      done = file->truncate(r.offset);
      break;
    case TraceOp::kSync:
      done = file->sync();
      break;
    case TraceOp::kSyncFailed: {
      auto* target = dynamic_cast<WritebackFaultTarget*>(file);
      if (target == nullptr) return mismatch(r, "the file cannot model a writeback failure");
      Status failed = target->fail_sync(Status(ErrorCode::kIoError, "replayed sync failure"));
      // The failure is the expected outcome; any other status is a mismatch.
      if (failed.code() != ErrorCode::kIoError) done = failed;
      break;
    }
    case TraceOp::kRename:
    case TraceOp::kRemove:
    case TraceOp::kMkdir:
    case TraceOp::kRmdir:
    case TraceOp::kSyncDir:
    case TraceOp::kLock:
      done = apply_namespace_op(fs_, r);
      break;
    case TraceOp::kLink:
      // SimFs has no hard links: refused, never skipped.
      done = Status(ErrorCode::kInvalidArgument, "link: not yet supported");
      break;
    case TraceOp::kSyncFs:
      done = sync_tree(fs_, "");
      break;
  }
  if (!done.is_ok()) return mismatch(r, "replay failed: " + done.to_string());
  last_seq_ = r.seq;
  return Status::ok();
}

Result<std::unique_ptr<SimFs>> rebuild_from_trace(const Trace& trace, size_t record_count) {
  if (record_count > trace.records.size()) {
    return Status(ErrorCode::kInvalidArgument, "trace prefix longer than the trace");
  }
  auto fs = std::make_unique<SimFs>();
  {
    TraceRebuilder rebuilder(*fs);
    for (size_t i = 0; i < record_count; ++i) {
      RETURN_IF_ERROR(rebuilder.apply(trace.records[i]));
    }
  }
  return fs;
}

}  // namespace faultfs
