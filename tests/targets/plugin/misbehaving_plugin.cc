// Plugins that must not load, one per way a plugin can be wrong; which one
// is chosen at build time (MISBEHAVIOUR).
#include <memory>
#include <vector>

#include "targets/plugin.h"

namespace {

#if MISBEHAVIOUR == 1
// Built against a seam of another version: its entry point compares the
// host's ABI with its own and refuses.
extern "C" __attribute__((visibility("default"))) void dbx_lab_plugin_v1(
    const targets::PluginAbi* host, targets::PluginReply* reply) {
  targets::PluginAbi mine = targets::this_plugin_abi();
  mine.version += 1;
  if (!(*host == mine)) reply->error = "the plugin was built against another seam version";
}
#elif MISBEHAVIOUR == 2
// Offers a target under a name the host has already.
std::vector<targets::TargetInfo> taken_name() {
  targets::TargetInfo info;
  info.name = "dbx";
  info.description = "a second dbx";
  info.durabilities = {targets::Durability::kFull};
  info.make = [](const targets::TargetTuning&) { return std::unique_ptr<targets::Target>(); };
  return {info};
}
DBX_LAB_PLUGIN(taken_name)
#else
#error "MISBEHAVIOUR must be 1 or 2"
#endif

}  // namespace
