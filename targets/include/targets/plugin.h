// Plugins: targets loaded from a shared library at run time
// (`dbx-torture run --target-lib ./libmy_target.so --target NAME`).
//
// A plugin exports one versioned entry point, kPluginEntryPoint, best defined
// with DBX_LAB_PLUGIN(function): `function` returns the plugin's TargetInfo
// entries. The host passes its PluginAbi; a plugin built against other seam
// headers (another ABI version, another layout of the seam's structs, or the
// other libstdc++ string ABI) refuses to load instead of misbehaving. Build a
// plugin with the same compiler family and standard library as dbx-torture,
// against the installed package (find_package(dbx), target dbx::lab).
//
// The library stays loaded for the life of the process: its make() and its
// targets' code run until the very end.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "faultfs/status.h"
#include "targets/target.h"

namespace targets {

// 2: Target::begin_transaction() and TargetCapabilities::transactions (the
// vtable and a struct changed; a version-1 plugin is refused).
// 3: TargetInfo::sealed_items (TargetInfo's layout changed).
inline constexpr uint32_t kPluginAbiVersion = 3;
inline constexpr const char* kPluginEntryPoint = "dbx_lab_plugin_v1";

// What both sides compare before any TargetInfo crosses between them.
struct PluginAbi {
  uint32_t version = 0;
  uint32_t target_info_bytes = 0;
  uint32_t target_tuning_bytes = 0;
  uint32_t capabilities_bytes = 0;
  uint32_t string_bytes = 0;  // sizeof(std::string): tells the two string ABIs apart.

  bool operator==(const PluginAbi&) const = default;
};

constexpr PluginAbi this_plugin_abi() {
  return PluginAbi{kPluginAbiVersion, sizeof(TargetInfo), sizeof(TargetTuning),
                   sizeof(TargetCapabilities), sizeof(std::string)};
}

// The entry point's answer: targets, or why none (an ABI mismatch, or the
// plugin's own failure).
struct PluginReply {
  std::vector<TargetInfo> targets;
  std::string error;  // Empty on success.
};

using PluginEntryPoint = void (*)(const PluginAbi* host, PluginReply* reply);

// Loads the plugin at `path` (dlopen), checks its ABI, and adds its targets
// to the registry (add_targets). Errors: kNotFound (no such file),
// kInvalidArgument (not a plugin: no entry point, an ABI mismatch, a bad or
// duplicate target name), kIoError (dlopen failed otherwise). A path loaded
// already is OK and adds nothing.
[[nodiscard]] faultfs::Status load_target_plugin(const std::string& path);

}  // namespace targets

// Defines the entry point: `function` is `std::vector<targets::TargetInfo>()`.
#define DBX_LAB_PLUGIN(function)                                                        \
  extern "C" __attribute__((visibility("default"))) void dbx_lab_plugin_v1(             \
      const ::targets::PluginAbi* host, ::targets::PluginReply* reply) {                \
    if (host == nullptr || reply == nullptr) return;                                    \
    if (!(*host == ::targets::this_plugin_abi())) {                                     \
      reply->error = "the plugin was built against another version of the target seam"; \
      return;                                                                           \
    }                                                                                   \
    reply->targets = function();                                                        \
  }
