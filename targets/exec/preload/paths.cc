// Method: the parent directory is resolved with realpath(3), so symlinked
// directories and "..", cwd and dirfd all resolve as the kernel sees them;
// the last component is kept as spelled, since the calls that take a path
// here (rename, unlink, mkdir, link...) act on the entry, not its target.
#include "paths.h"

#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

namespace dbx_exec {
namespace {

// Canonical, no trailing '/'. Set once, before any thread. Built on first
// use: the constructor that sets it may run before this file's initializers.
std::string& root_path() {
  static std::string* root = new std::string;
  return *root;
}

std::string canonical(const std::string& path) {
  char buf[PATH_MAX];
  if (::realpath(path.c_str(), buf) == nullptr) return {};
  return buf;
}

// The directory a relative path starts from.
std::string base_dir(int dirfd) {
  if (dirfd == AT_FDCWD) {
    char buf[PATH_MAX];
    if (::getcwd(buf, sizeof buf) == nullptr) return {};
    return buf;
  }
  return fd_path(dirfd);
}

}  // namespace

bool set_root(const char* root) {
  root_path() = canonical(root);
  struct stat st {};
  return !root_path().empty() && ::stat(root_path().c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

const std::string& root() { return root_path(); }

std::string fd_path(int fd) {
  char link[64];
  std::snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  char buf[PATH_MAX];
  const ssize_t n = ::readlink(link, buf, sizeof buf - 1);
  if (n <= 0) return {};
  return std::string(buf, static_cast<size_t>(n));
}

std::optional<std::string> relative_to_root(std::string_view abs) {
  if (root_path().empty() || abs.substr(0, root_path().size()) != root_path()) return std::nullopt;
  if (abs.size() == root_path().size()) return std::string(".");
  if (abs[root_path().size()] != '/') return std::nullopt;  // "/rootx" is not under "/root".
  std::string rel(abs.substr(root_path().size() + 1));
  while (!rel.empty() && rel.back() == '/') rel.pop_back();
  if (rel.empty()) return std::string(".");
  return rel;
}

std::optional<std::string> resolve_entry(int dirfd, const char* path) {
  if (path == nullptr || path[0] == '\0') return std::nullopt;
  std::string full = path[0] == '/' ? std::string(path) : base_dir(dirfd) + "/" + path;
  while (full.size() > 1 && full.back() == '/') full.pop_back();
  const size_t slash = full.rfind('/');
  const std::string last = full.substr(slash + 1);
  std::string resolved;
  if (last == "." || last == ".." || last.empty()) {
    resolved = canonical(full);
  } else {
    const std::string parent = canonical(slash == 0 ? "/" : full.substr(0, slash));
    if (!parent.empty()) resolved = (parent == "/" ? "" : parent) + "/" + last;
  }
  if (resolved.empty()) return std::nullopt;
  return relative_to_root(resolved);
}

}  // namespace dbx_exec
