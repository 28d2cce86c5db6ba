// Path resolution for the preload: which real path a call names, and its
// name relative to the recording root (the trace's path space).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace dbx_exec {

// Sets the root (an absolute path, made canonical). False if it is not a
// directory.
bool set_root(const char* root);
const std::string& root();

// The kernel's name for what `fd` refers to (readlink /proc/self/fd/N);
// empty if it has none.
std::string fd_path(int fd);

// `abs` (canonical, absolute) relative to the root: "." for the root itself,
// "a/b" below it, nullopt outside it.
std::optional<std::string> relative_to_root(std::string_view abs);

// The root-relative name of the entry `path` (relative to `dirfd`, or
// AT_FDCWD) designates, without following a final symlink: its parent is
// made canonical, the last component is kept. nullopt when the entry is
// outside the root or its parent cannot be resolved (the call will fail).
std::optional<std::string> resolve_entry(int dirfd, const char* path);

}  // namespace dbx_exec
