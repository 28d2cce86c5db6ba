// SimFs members that are not FileSystem operations and not crashes: clone,
// counters, crash-point hook and halt, set-up helpers and introspection.
#include <cassert>
#include <cerrno>

#include "faultfs/sim_fs.h"
#include "faultfs/status_macros.h"
#include "sim_core.h"
#include "sim_file.h"

namespace faultfs {

std::unique_ptr<SimFs> SimFs::clone() const {
  auto core = std::make_shared<sim::Core>();
  {
    std::lock_guard lock(core_->mu);
    core->st = core_->st.deep_copy();
  }
  return std::unique_ptr<SimFs>(new SimFs(std::move(core)));
}

Status SimFs::set_lost_file_scope(const std::string& dir) {
  ASSIGN_OR_RETURN(auto parts, sim::split_path(dir));
  std::lock_guard lock(core_->mu);
  core_->st.lost_file_scope = std::move(parts);
  return Status::ok();
}

void SimFs::keep_earlier_images(size_t images_max) {
  assert(images_max == 0 || images_max >= 3);
  std::lock_guard lock(core_->mu);
  core_->earlier_images_max = images_max;
}

size_t SimFs::pending_changes() const {
  std::lock_guard lock(core_->mu);
  return core_->st.pending_changes();
}

SimFsStats SimFs::stats() const {
  std::lock_guard lock(core_->mu);
  return core_->stats;
}

void SimFs::set_op_hook(std::function<void(const OpEvent&)> hook) {
  std::lock_guard lock(core_->mu);
  core_->hook = std::move(hook);
}

void SimFs::halt_after_mutations(uint64_t count) {
  std::lock_guard lock(core_->mu);
  core_->halt_rule = sim::Core::HaltRule::kMutations;
  core_->halt_count = count;
  core_->halted = core_->stats.mutations >= count;
}

void SimFs::halt_after_persistence_points(uint64_t count) {
  std::lock_guard lock(core_->mu);
  core_->halt_rule = sim::Core::HaltRule::kPersistencePoints;
  core_->halt_count = count;
  core_->halted = core_->stats.syncs + core_->stats.dir_syncs >= count;
}

void SimFs::halt() {
  std::lock_guard lock(core_->mu);
  core_->halt_rule = sim::Core::HaltRule::kNone;
  core_->halted = true;
}

void SimFs::clear_halt() {
  std::lock_guard lock(core_->mu);
  core_->halt_rule = sim::Core::HaltRule::kNone;
  core_->halted = false;
}

bool SimFs::halted() const {
  std::lock_guard lock(core_->mu);
  return core_->halted;
}

Status SimFs::create_dirs_durable(const std::string& path) {
  ASSIGN_OR_RETURN(auto parts, sim::split_path(path));
  std::lock_guard lock(core_->mu);
  sim::State& st = core_->st;
  uint64_t dir = sim::kRootIno;
  for (const std::string& name : parts) {
    uint64_t next = sim::lookup(st, dir, name);
    if (next != 0 && !st.is_dir(next)) {
      return Status(ErrorCode::kAlreadyExists, "a file is in the way: " + path, EEXIST);
    }
    if (next == 0) {
      next = st.next_ino++;
      auto inode = std::make_shared<sim::DirInode>();
      inode->ino = next;
      st.dirs.emplace(next, std::move(inode));
      sim::DirInode& parent = *st.dirs.at(dir);
      parent.live[name] = next;
      parent.durable[name] = next;
    }
    dir = next;
  }
  return Status::ok();
}

Status SimFs::fail_writeback(const std::string& path, ErrorCode code) {
  assert(code != ErrorCode::kOk);
  ASSIGN_OR_RETURN(auto parts, sim::split_path(path));
  if (parts.empty()) return Status(ErrorCode::kInvalidArgument, "fail_writeback of the root");
  std::lock_guard lock(core_->mu);
  sim::State& st = core_->st;
  ASSIGN_OR_RETURN(auto dir, sim::resolve_dir(st, std::span(parts).first(parts.size() - 1), path));
  const uint64_t ino = sim::lookup(st, dir, parts.back());
  if (ino == 0 || !st.is_file(ino)) {
    return Status(ErrorCode::kNotFound, "fail_writeback: no such file: " + path, ENOENT);
  }
  sim::FileInode& inode = *st.files.at(ino);
  sim::drop_pending(*core_, inode);
  inode.writeback_error = code;
  return Status::ok();
}

std::map<std::string, std::string> SimFs::live_files() const {
  std::lock_guard lock(core_->mu);
  std::map<std::string, std::string> out;
  for (const auto& [path, ino] : sim::reachable_files(core_->st, /*durable=*/false)) {
    out.emplace(path, core_->st.files.at(ino)->live.read_all());
  }
  return out;
}

std::string SimFs::describe() const {
  std::lock_guard lock(core_->mu);
  return sim::describe_state(core_->st);
}

}  // namespace faultfs
