#include "fake_fs.h"

#include <algorithm>
#include <cassert>
#include <cstring>

namespace dbx::wos::testing {

using faultfs::ErrorCode;
using faultfs::Result;
using faultfs::Status;

namespace {

constexpr int kRoot = 0;

Status not_found(const std::string& path) {
  return Status(ErrorCode::kNotFound, "fakefs: no such file " + path);
}

std::vector<std::string> split(const std::string& path) {
  std::vector<std::string> parts;
  size_t i = 0;
  while (i < path.size()) {
    while (i < path.size() && path[i] == '/') ++i;
    const size_t j = path.find('/', i);
    const size_t stop = j == std::string::npos ? path.size() : j;
    if (stop > i) parts.push_back(path.substr(i, stop - i));
    i = stop;
  }
  return parts;
}

}  // namespace

class FakeFile : public faultfs::File {
 public:
  FakeFile(FakeFs* fs, int node, std::string path, bool writable)
      : fs_(fs), node_(node), path_(std::move(path)), writable_(writable) {}

  Result<size_t> read_at(uint64_t offset, std::span<char> buf) override {
    std::lock_guard<std::mutex> lock(fs_->mutex_);
    if (closed_) return closed_error();
    fs_->read_calls_ += 1;
    const std::string& data = fs_->nodes_.at(node_).data;
    if (offset >= data.size()) return size_t{0};
    const size_t n = std::min<uint64_t>(buf.size(), data.size() - offset);
    std::memcpy(buf.data(), data.data() + offset, n);
    return n;
  }
  Status append(std::string_view data) override {
    std::lock_guard<std::mutex> lock(fs_->mutex_);
    if (Status s = check_write("append"); !s.is_ok()) return s;
    fs_->nodes_.at(node_).data.append(data);
    fs_->bytes_written_ += data.size();
    return Status::ok();
  }
  Status write_at(uint64_t offset, std::string_view data) override {
    std::lock_guard<std::mutex> lock(fs_->mutex_);
    if (Status s = check_write("write_at"); !s.is_ok()) return s;
    std::string& bytes = fs_->nodes_.at(node_).data;
    if (bytes.size() < offset + data.size()) bytes.resize(offset + data.size(), '\0');
    bytes.replace(offset, data.size(), data);
    fs_->bytes_written_ += data.size();
    return Status::ok();
  }
  Status sync() override {
    std::lock_guard<std::mutex> lock(fs_->mutex_);
    if (Status s = check_write("sync"); !s.is_ok()) return s;
    FakeFs::Node& node = fs_->nodes_.at(node_);
    node.durable_data = node.data;
    return Status::ok();
  }
  Status truncate(uint64_t size) override {
    std::lock_guard<std::mutex> lock(fs_->mutex_);
    if (Status s = check_write("truncate"); !s.is_ok()) return s;
    fs_->nodes_.at(node_).data.resize(size, '\0');
    return Status::ok();
  }
  Result<uint64_t> size() override {
    std::lock_guard<std::mutex> lock(fs_->mutex_);
    if (closed_) return closed_error();
    return uint64_t{fs_->nodes_.at(node_).data.size()};
  }
  Status close() override {
    std::lock_guard<std::mutex> lock(fs_->mutex_);
    if (closed_) return closed_error();
    closed_ = true;
    return Status::ok();
  }
  const std::string& path() const override { return path_; }

 private:
  Status closed_error() const {
    return Status(ErrorCode::kInvalidArgument, "fakefs: closed handle " + path_);
  }
  Status check_write(const char* what) {
    if (closed_) return closed_error();
    if (!writable_) return Status(ErrorCode::kInvalidArgument, "fakefs: read-only " + path_);
    if (!fs_->admit()) return fs_->refused(std::string(what) + " " + path_);
    return Status::ok();
  }

  FakeFs* fs_;
  int node_;
  std::string path_;
  bool writable_;
  bool closed_ = false;
};

namespace {

class FakeLock : public faultfs::FileLock {
 public:
  FakeLock(std::mutex* mutex, std::set<std::string>* held, std::string path)
      : mutex_(mutex), held_(held), path_(std::move(path)) {}
  ~FakeLock() override {
    std::lock_guard<std::mutex> lock(*mutex_);
    held_->erase(path_);
  }
  const std::string& path() const override { return path_; }

 private:
  std::mutex* mutex_;
  std::set<std::string>* held_;
  std::string path_;
};

}  // namespace

FakeFs::FakeFs() { nodes_[kRoot].is_dir = true; }

uint64_t FakeFs::read_calls() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return read_calls_;
}
uint64_t FakeFs::bytes_written() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return bytes_written_;
}
uint64_t FakeFs::mutating_ops() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return ops_;
}
void FakeFs::reset_counters() {
  std::lock_guard<std::mutex> lock(mutex_);
  read_calls_ = bytes_written_ = ops_ = 0;
}
void FakeFs::stop_after(uint64_t ops) {
  std::lock_guard<std::mutex> lock(mutex_);
  ops_limit_ = ops_ + ops;
}
bool FakeFs::stopped() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return stopped_;
}

void FakeFs::fail_once_after(uint64_t ops) {
  std::lock_guard<std::mutex> lock(mutex_);
  fail_at_ = ops_ + ops;
}

bool FakeFs::admit() {
  if (fail_at_.has_value() && ops_ == *fail_at_) {
    fail_at_.reset();
    return false;
  }
  if (ops_limit_.has_value() && ops_ >= *ops_limit_) {
    stopped_ = true;
    return false;
  }
  ops_ += 1;
  return true;
}

Status FakeFs::refused(const std::string& what) const {
  return Status(ErrorCode::kIoError, "fakefs: crashed before " + what);
}

std::unique_ptr<FakeFs> FakeFs::clone() const {
  std::lock_guard<std::mutex> lock(mutex_);
  auto copy = std::make_unique<FakeFs>();
  copy->nodes_ = nodes_;
  copy->next_id_ = next_id_;
  copy->pending_ = pending_;
  return copy;
}

size_t FakeFs::pending_choices() const {
  std::lock_guard<std::mutex> lock(mutex_);
  size_t n = pending_.size();
  for (const auto& [id, node] : nodes_) n += (!node.is_dir && node.data != node.durable_data);
  return n;
}

std::unique_ptr<FakeFs> FakeFs::crash_image(uint64_t keep) const {
  std::lock_guard<std::mutex> lock(mutex_);
  auto image = std::make_unique<FakeFs>();
  image->nodes_ = nodes_;
  image->next_id_ = next_id_;
  size_t bit = 0;
  for (auto& [id, node] : image->nodes_) {
    if (node.is_dir) node.entries = node.durable_entries;
  }
  for (const Op& op : pending_) {
    const bool kept = (keep >> bit++) & 1;
    if (!kept) continue;
    for (const Change& change : op) {
      auto& entries = image->nodes_.at(change.dir).entries;
      if (change.node.has_value()) {
        entries[change.name] = *change.node;
      } else {
        entries.erase(change.name);
      }
    }
  }
  for (auto& [id, node] : image->nodes_) {
    if (node.is_dir) {
      node.durable_entries = node.entries;
    } else if (node.data != node.durable_data) {
      const bool kept = (keep >> bit++) & 1;
      if (!kept) node.data = node.durable_data;
      node.durable_data = node.data;
    }
  }
  assert(bit < 64);
  return image;
}

std::optional<std::pair<int, std::string>> FakeFs::resolve_parent(const std::string& path) const {
  std::vector<std::string> parts = split(path);
  if (parts.empty()) return std::nullopt;
  int dir = kRoot;
  for (size_t i = 0; i + 1 < parts.size(); ++i) {
    const Node& node = nodes_.at(dir);
    auto it = node.entries.find(parts[i]);
    if (it == node.entries.end() || !nodes_.at(it->second).is_dir) return std::nullopt;
    dir = it->second;
  }
  return std::make_pair(dir, parts.back());
}

std::optional<int> FakeFs::resolve(const std::string& path) const {
  if (split(path).empty()) return kRoot;
  auto parent = resolve_parent(path);
  if (!parent) return std::nullopt;
  const Node& dir = nodes_.at(parent->first);
  auto it = dir.entries.find(parent->second);
  if (it == dir.entries.end()) return std::nullopt;
  return it->second;
}

std::string FakeFs::contents(const std::string& path) const {
  std::lock_guard<std::mutex> lock(mutex_);
  auto id = resolve(path);
  assert(id.has_value());
  return nodes_.at(*id).data;
}

void FakeFs::set_contents(const std::string& path, const std::string& data) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto id = resolve(path);
  assert(id.has_value());
  nodes_.at(*id).data = data;
  nodes_.at(*id).durable_data = data;
}

Result<std::unique_ptr<faultfs::File>> FakeFs::open(const std::string& path,
                                                    faultfs::OpenMode mode) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto parent = resolve_parent(path);
  if (!parent) return not_found(path);
  Node& dir = nodes_.at(parent->first);
  auto it = dir.entries.find(parent->second);
  const bool creates =
      mode == faultfs::OpenMode::kCreate || mode == faultfs::OpenMode::kCreateTruncate;
  if (it == dir.entries.end() && !creates) return not_found(path);
  if (it != dir.entries.end() && nodes_.at(it->second).is_dir) {
    return Status(ErrorCode::kInvalidArgument, "fakefs: is a directory " + path);
  }
  if (creates && !admit()) return refused("open " + path);
  int id;
  if (it == dir.entries.end()) {
    id = next_id_++;
    nodes_[id];
    dir.entries[parent->second] = id;
    pending_.push_back(Op{Change{parent->first, parent->second, id}});
  } else {
    id = it->second;
    if (mode == faultfs::OpenMode::kCreateTruncate) nodes_.at(id).data.clear();
  }
  return std::unique_ptr<faultfs::File>(
      new FakeFile(this, id, path, mode != faultfs::OpenMode::kRead));
}

Status FakeFs::rename(const std::string& from, const std::string& to) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto src = resolve_parent(from);
  auto dst = resolve_parent(to);
  if (!src || !dst) return not_found(from + " -> " + to);
  auto it = nodes_.at(src->first).entries.find(src->second);
  if (it == nodes_.at(src->first).entries.end()) return not_found(from);
  if (!admit()) return refused("rename " + from);
  const int id = it->second;
  nodes_.at(src->first).entries.erase(it);
  nodes_.at(dst->first).entries[dst->second] = id;
  pending_.push_back(Op{Change{dst->first, dst->second, id}, Change{src->first, src->second, {}}});
  return Status::ok();
}

Status FakeFs::remove(const std::string& path) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto parent = resolve_parent(path);
  if (!parent || !nodes_.at(parent->first).entries.contains(parent->second)) {
    return not_found(path);
  }
  if (!admit()) return refused("remove " + path);
  nodes_.at(parent->first).entries.erase(parent->second);
  pending_.push_back(Op{Change{parent->first, parent->second, {}}});
  return Status::ok();
}

Status FakeFs::mkdir(const std::string& path) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto parent = resolve_parent(path);
  if (!parent) return not_found(path);
  if (nodes_.at(parent->first).entries.contains(parent->second)) {
    return Status(ErrorCode::kAlreadyExists, "fakefs: exists " + path);
  }
  if (!admit()) return refused("mkdir " + path);
  const int id = next_id_++;
  nodes_[id].is_dir = true;
  nodes_.at(parent->first).entries[parent->second] = id;
  pending_.push_back(Op{Change{parent->first, parent->second, id}});
  return Status::ok();
}

Result<std::vector<std::string>> FakeFs::list(const std::string& path) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto id = resolve(path);
  if (!id || !nodes_.at(*id).is_dir) return not_found(path);
  std::vector<std::string> names;
  for (const auto& [name, child] : nodes_.at(*id).entries) names.push_back(name);
  return names;
}

Status FakeFs::sync_dir(const std::string& path) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto id = resolve(path);
  if (!id || !nodes_.at(*id).is_dir) return not_found(path);
  if (!admit()) return refused("sync_dir " + path);
  // The directory's queued changes become durable in order; changes of other
  // directories stay queued (a cross-directory rename is two changes).
  Node& dir = nodes_.at(*id);
  for (Op& op : pending_) {
    for (const Change& change : op) {
      if (change.dir != *id) continue;
      if (change.node.has_value()) {
        dir.durable_entries[change.name] = *change.node;
      } else {
        dir.durable_entries.erase(change.name);
      }
    }
    std::erase_if(op, [&](const Change& change) { return change.dir == *id; });
  }
  std::erase_if(pending_, [](const Op& op) { return op.empty(); });
  return Status::ok();
}

Result<std::unique_ptr<faultfs::FileLock>> FakeFs::lock(const std::string& path) {
  std::lock_guard<std::mutex> guard(mutex_);
  if (!locks_.insert(path).second) return Status(ErrorCode::kBusy, "fakefs: locked " + path);
  return std::unique_ptr<faultfs::FileLock>(new FakeLock(&mutex_, &locks_, path));
}

Result<uint64_t> FakeFs::file_size(const std::string& path) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto id = resolve(path);
  if (!id || nodes_.at(*id).is_dir) return not_found(path);
  return uint64_t{nodes_.at(*id).data.size()};
}

Result<bool> FakeFs::exists(const std::string& path) {
  std::lock_guard<std::mutex> lock(mutex_);
  return resolve(path).has_value();
}

}  // namespace dbx::wos::testing
