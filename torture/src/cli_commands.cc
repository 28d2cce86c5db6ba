#include "cli_commands.h"

#include <filesystem>
#include <system_error>

#include "fork_evidence.h"
#include "reports/junit.h"
#include "reports/merge.h"
#include "reports/report_files.h"
#include "targets/plugin.h"
#include "targets/target.h"
#include "torture/artifact.h"
#include "torture/fork_runner.h"
#include "torture/image_dump.h"
#include "torture/replay.h"

namespace torture {

namespace fs = std::filesystem;

namespace {

// A fork-judged shrink's evidence files beside the artifact.json written
// for it: what write_artifact() does not write.
faultfs::Status copy_fork_evidence(const std::string& from, const std::string& out_dir) {
  std::error_code ec;
  for (const char* name : {kHistoryFile, kIssuedHistoryFile, kTraceFile}) {
    if (!fs::exists(fs::path(from) / name, ec)) continue;
    fs::copy_file(fs::path(from) / name, fs::path(out_dir) / name, ec);
    if (ec) {
      return faultfs::Status(faultfs::ErrorCode::kIoError,
                             "copy " + std::string(name) + ": " + ec.message());
    }
  }
  if (!fs::exists(fs::path(from) / kDirFolder, ec)) return faultfs::Status();
  return detail::copy_tree((fs::path(from) / kDirFolder).string(),
                           (fs::path(out_dir) / kDirFolder).string());
}

// The plugins a finding's target came from, loaded again (a plugin loaded
// already, by --target-lib, adds nothing).
bool load_artifact_plugins(const Artifact& artifact, std::ostream& err) {
  for (const std::string& lib : artifact.target_libs) {
    const faultfs::Status loaded = targets::load_target_plugin(lib);
    if (!loaded.is_ok()) {
      err << "dbx-torture: " << loaded.message() << "\n";
      return false;
    }
  }
  return true;
}

}  // namespace

int list_targets(std::ostream& out) {
  for (const targets::TargetInfo& t : targets::target_registry()) {
    out << t.name << "\t" << (t.known_bug ? "known bug: " : "") << t.description << " [";
    for (size_t i = 0; i < t.durabilities.size(); ++i) {
      out << (i > 0 ? "," : "") << targets::durability_name(t.durabilities[i]);
    }
    out << "] capabilities: " << targets::capability_names(t.capabilities);
    if (!t.kill_points.empty()) out << " kill-points: " << t.kill_points.size();
    out << "\n";
  }
  return 0;
}

int replay_command_main(const std::string& artifact_dir, std::ostream& out, std::ostream& err) {
  auto artifact = read_artifact(artifact_dir);
  if (!artifact.is_ok()) {
    err << "dbx-torture: malformed artifact: " << artifact.status().message() << "\n";
    return 2;
  }
  if (!load_artifact_plugins(*artifact, err)) return 2;
  auto outcome = replay_artifact(artifact.value(), artifact_dir);
  if (!outcome.is_ok()) {
    err << "dbx-torture: cannot replay " << artifact_dir << ": " << outcome.status().message()
        << "\n";
    return 2;
  }
  out << "replay " << artifact->id << " (" << artifact->target << ", "
      << targets::durability_name(artifact->durability) << ", " << artifact->mode << "): "
      << (outcome->still_fails ? "STILL FAILS: " + outcome->kind : std::string("passes now"))
      << "\n  " << outcome->context << "\n  " << outcome->verdict << "\n";
  return outcome->still_fails ? 1 : 0;
}

int dump_image_command_main(const std::string& artifact_dir, const std::string& out_dir,
                            std::ostream& out, std::ostream& err) {
  auto artifact = read_artifact(artifact_dir);
  if (!artifact.is_ok()) {
    err << "dbx-torture: malformed artifact: " << artifact.status().message() << "\n";
    return 2;
  }
  if (!load_artifact_plugins(*artifact, err)) return 2;
  const faultfs::Status dumped = dump_image(artifact.value(), artifact_dir, out_dir);
  if (!dumped.is_ok()) {
    err << "dbx-torture: cannot dump " << artifact_dir << ": " << dumped.message() << "\n";
    return 2;
  }
  out << "dump-image " << artifact->id << ": the crash image (" << artifact->crash.policy
      << ") is in " << out_dir << "\n";
  return 0;
}

int shrink_command_main(const std::string& artifact_dir, const std::string& out_dir,
                        const ShrinkOptions& options, std::ostream& out, std::ostream& err) {
  auto artifact = read_artifact(artifact_dir);
  if (!artifact.is_ok()) {
    err << "dbx-torture: malformed artifact: " << artifact.status().message() << "\n";
    return 2;
  }
  if (!load_artifact_plugins(*artifact, err)) return 2;
  std::error_code ec;
  if (fs::exists(fs::path(out_dir) / kArtifactFile, ec)) {
    err << "dbx-torture: " << out_dir << " already holds an artifact\n";
    return 2;
  }
  auto shrunk = shrink_artifact(artifact.value(), options);
  if (!shrunk.is_ok()) {
    err << "dbx-torture: cannot shrink " << artifact_dir << ": " << shrunk.status().message()
        << "\n";
    return 2;
  }
  if (!shrunk->has_value()) {
    out << "shrink: " << artifact_dir
        << " no longer fails (in simulation, nor for a fork artifact in kill cycles); nothing "
           "written\n";
    return 1;
  }
  Artifact& a = shrunk.value()->artifact;
  a.id = fs::path(out_dir).filename().string();
  a.replay = replay_command(out_dir);
  faultfs::Status written = write_artifact(a, out_dir);
  const std::string& evidence = shrunk.value()->evidence_dir;
  if (!evidence.empty()) {
    if (written.is_ok()) written = copy_fork_evidence(evidence, out_dir);
    fs::remove_all(evidence, ec);  // Scratch: a leftover wastes space, loses nothing.
  }
  if (!written.is_ok()) {
    err << "dbx-torture: " << written.message() << "\n";
    return 2;
  }
  out << "shrink: " << shrunk.value()->ops_before << " -> " << shrunk.value()->ops_after
      << " operations after " << shrunk.value()->candidates << " candidates; " << a.kind
      << "\n  artifact: " << out_dir << "\n  " << a.replay << "\n";
  return 0;
}

int merge_command_main(const std::vector<std::string>& inputs, const std::string& out_dir,
                       const std::string& junit_file, std::ostream& out, std::ostream& err) {
  std::vector<reports::Summary> shards;
  for (const std::string& dir : inputs) {
    auto summary = reports::read_report_dir(dir);
    if (!summary.is_ok()) {
      err << "dbx-torture: " << summary.status().message() << "\n";
      return 2;
    }
    shards.push_back(std::move(summary).value());
  }
  auto merged = reports::merge_summaries(shards);
  if (!merged.is_ok()) {
    err << "dbx-torture: merge: " << merged.status().message() << "\n";
    return 2;
  }
  // Artifacts travel with the merged report (their paths are relative to it).
  std::error_code ec;
  const fs::path failures = fs::path(out_dir) / reports::kFailuresDirName;
  fs::create_directories(failures, ec);
  if (ec) {
    err << "dbx-torture: cannot create " << failures.string() << ": " << ec.message() << "\n";
    return 2;
  }
  for (const std::string& dir : inputs) {
    const fs::path from = fs::path(dir) / reports::kFailuresDirName;
    if (!fs::is_directory(from, ec) || fs::equivalent(from, failures, ec)) continue;
    fs::copy(from, failures, fs::copy_options::recursive | fs::copy_options::skip_existing, ec);
    if (ec) {
      err << "dbx-torture: cannot copy " << from.string() << ": " << ec.message() << "\n";
      return 2;
    }
  }
  const reports::Status written = reports::write_report_dir(merged.value(), out_dir);
  if (!written.is_ok()) {
    err << "dbx-torture: " << written.message() << "\n";
    return 2;
  }
  if (!junit_file.empty()) {
    const reports::Status junit = reports::write_junit_file(merged.value(), junit_file);
    if (!junit.is_ok()) {
      err << "dbx-torture: " << junit.message() << "\n";
      return 2;
    }
  }
  const bool pass = reports::passed(merged.value());
  out << "dbx-torture merge: " << (pass ? "PASS" : "FAIL") << ": " << shards.size() << " reports, "
      << merged.value().counters.crash_states << " crash states, "
      << merged.value().violations.size() << " violations"
      << (merged.value().config.shard.complete() ? "" : " (shards missing)")
      << "\nreport: " << (fs::path(out_dir) / reports::kIndexFileName).string() << "\n";
  return pass ? 0 : 1;
}

}  // namespace torture
