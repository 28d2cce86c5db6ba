// Loading a target plugin: dlopen, one entry point, an ABI handshake, then
// the registry's own checks (add_targets).
#include <dlfcn.h>
#include <sys/stat.h>

#include <cassert>
#include <mutex>
#include <set>
#include <string>

#include "faultfs/status_macros.h"
#include "targets/plugin.h"

namespace targets {

namespace {

using faultfs::ErrorCode;
using faultfs::Status;

std::mutex& loaded_mutex() {
  static std::mutex mu;
  return mu;
}

std::set<std::string>& loaded_paths() {
  static std::set<std::string> paths;
  return paths;
}

Status plugin_error(const std::string& path, ErrorCode code, const std::string& what) {
  return Status(code, "target plugin " + path + ": " + what);
}

}  // namespace

Status load_target_plugin(const std::string& path) {
  std::lock_guard lock(loaded_mutex());
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return plugin_error(path, ErrorCode::kNotFound, "no file");
  if (loaded_paths().count(path) > 0) return Status::ok();
  // RTLD_LOCAL: two plugins' own symbols never bind to each other. A
  // path without '/' would search the loader's path, not the named file.
  const std::string open_path = path.find('/') == std::string::npos ? "./" + path : path;
  void* handle = ::dlopen(open_path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* why = ::dlerror();
    return plugin_error(path, ErrorCode::kIoError, why != nullptr ? why : "dlopen failed");
  }
  // Never dlclose: the registry keeps the plugin's make() functions.
  void* symbol = ::dlsym(handle, kPluginEntryPoint);
  if (symbol == nullptr) {
    return plugin_error(path, ErrorCode::kInvalidArgument,
                        std::string("no entry point ") + kPluginEntryPoint +
                            " (define it with DBX_LAB_PLUGIN, targets/plugin.h)");
  }
  const auto entry = reinterpret_cast<PluginEntryPoint>(symbol);
  const PluginAbi host = this_plugin_abi();
  PluginReply reply;
  entry(&host, &reply);
  if (!reply.error.empty()) return plugin_error(path, ErrorCode::kInvalidArgument, reply.error);
  if (reply.targets.empty()) {
    return plugin_error(path, ErrorCode::kInvalidArgument, "the plugin offers no target");
  }
  const Status added = add_targets(std::move(reply.targets));
  if (!added.is_ok()) return plugin_error(path, ErrorCode::kInvalidArgument, added.message());
  loaded_paths().insert(path);
  assert(loaded_paths().count(path) == 1);
  return Status::ok();
}

}  // namespace targets
