#include "torture/artifact.h"

#include <unistd.h>

#include <cassert>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

#include "faultfs/status_macros.h"
#include "json_util.h"
#include "torture/options.h"

namespace torture {

using faultfs::ErrorCode;
using faultfs::Result;
using faultfs::Status;
using json_util::Json;
namespace fs = std::filesystem;

namespace {

Status write_text(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) {
    return Status(ErrorCode::kIoError,
                  "cannot write " + path.string() + ": " + std::strerror(errno));
  }
  return Status::ok();
}

Result<std::string> read_text(const fs::path& path) {
  std::error_code ec;
  const auto size = fs::file_size(path, ec);
  if (ec)
    return Status(ErrorCode::kCorruption, "cannot read " + path.string() + ": " + ec.message());
  if (size > kArtifactFileBytesMax) {
    return Status(ErrorCode::kCorruption, path.string() + " is larger than the artifact limit");
  }
  std::ifstream in(path, std::ios::binary);
  std::ostringstream buf;
  buf << in.rdbuf();
  if (!in) return Status(ErrorCode::kCorruption, "cannot read " + path.string());
  return buf.str();
}

Json choice_json(const std::optional<faultfs::CrashChoice>& choice) {
  return choice ? Json(choice->serialize()) : Json(nullptr);
}

Result<std::optional<faultfs::CrashChoice>> choice_from(const Json& object, const char* key) {
  const auto it = object.find(key);
  if (it == object.end() || it->is_null()) return std::optional<faultfs::CrashChoice>();
  if (!it->is_string())
    return json_util::corrupt("artifact.json", std::string(key) + " not a string");
  auto parsed = faultfs::CrashChoice::parse(it->get<std::string>());
  if (!parsed.is_ok()) {
    return json_util::corrupt("artifact.json", std::string(key) + ": " + parsed.status().message());
  }
  return std::optional<faultfs::CrashChoice>(std::move(parsed).value());
}

Json spec_json(const CrashSpec& spec) {
  return Json{{"policy", spec.policy},
              {"step", spec.step},
              {"mutations", spec.mutations},
              {"persistence_points", spec.persistence_points},
              {"choice", choice_json(spec.choice)},
              {"recovery_event", spec.recovery_event},
              {"recovery_choice", choice_json(spec.recovery_choice)}};
}

Result<CrashSpec> spec_from(const Json& j) {
  constexpr const char* kWhat = "artifact.json crash";
  CrashSpec spec;
  ASSIGN_OR_RETURN(auto policy, json_util::get_string(j, "policy", kWhat));
  spec.policy = policy;
  for (auto [key, field] : {std::pair{"step", &spec.step}, std::pair{"mutations", &spec.mutations},
                            std::pair{"persistence_points", &spec.persistence_points},
                            std::pair{"recovery_event", &spec.recovery_event}}) {
    ASSIGN_OR_RETURN(auto v, json_util::get_u64(j, key, kWhat));
    *field = v;
  }
  ASSIGN_OR_RETURN(auto choice, choice_from(j, "choice"));
  spec.choice = choice;
  ASSIGN_OR_RETURN(auto second, choice_from(j, "recovery_choice"));
  spec.recovery_choice = second;
  return spec;
}

Result<targets::Durability> durability_from(const std::string& name) {
  auto parsed = parse_durabilities(name);
  if (!parsed.is_ok() || parsed->size() != 1 || name == "all") {
    return json_util::corrupt("artifact.json", "durability '" + name + "' unknown");
  }
  return parsed->front();
}

}  // namespace

std::string replay_command(const std::string& dir) {
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (ec) exe = "dbx-torture";
  const fs::path absolute = fs::absolute(dir, ec);
  return exe.string() + " replay " + (ec ? dir : absolute.lexically_normal().string());
}

// The text of spec_json(spec).dump(-1), keys in the order nlohmann::json
// keeps them (sorted), without building the object: the watchdog writes it
// before every recovery, and the object was a twentieth of a sim campaign.
std::string crash_spec_to_text(const CrashSpec& spec) {
  const auto choice_text = [](const std::optional<faultfs::CrashChoice>& choice) {
    return choice ? Json(choice->serialize()).dump(-1) : std::string("null");
  };
  std::string out = "{\"choice\":" + choice_text(spec.choice);
  out += ",\"mutations\":" + std::to_string(spec.mutations);
  out += ",\"persistence_points\":" + std::to_string(spec.persistence_points);
  out += ",\"policy\":" + Json(spec.policy).dump(-1);
  out += ",\"recovery_choice\":" + choice_text(spec.recovery_choice);
  out += ",\"recovery_event\":" + std::to_string(spec.recovery_event);
  out += ",\"step\":" + std::to_string(spec.step) + "}";
  return out;
}

Result<CrashSpec> crash_spec_from_text(std::string_view text) {
  ASSIGN_OR_RETURN(auto parsed, json_util::parse(text, "crash spec"));
  return spec_from(parsed);
}

std::string describe_crash(const CrashSpec& spec) {
  std::string out = spec.policy + " at step " + std::to_string(spec.step);
  if (spec.mutations != 0 || spec.persistence_points != 0) {
    out += ", after mutation " + std::to_string(spec.mutations) + " / persistence point " +
           std::to_string(spec.persistence_points);
  }
  if (spec.choice) out += ", choice " + spec.choice->serialize();
  if (spec.recovery_event != 0) {
    out += ", second crash after recovery op " + std::to_string(spec.recovery_event);
    if (spec.recovery_choice) out += " choice " + spec.recovery_choice->serialize();
  }
  return out;
}

Status write_artifact(const Artifact& a, const std::string& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Status(ErrorCode::kIoError, "cannot create " + dir + ": " + ec.message());
  Json fork = nullptr;
  if (a.fork) {
    fork = Json{{"policy", a.fork->policy},
                {"db_path", a.fork->db_path},
                {"choice", choice_json(a.fork->choice)},
                {"kill", a.fork->kill},
                {"threads", a.fork->threads}};
  }
  Json meta{{"format", "dbx-torture-artifact"},
            {"version", kArtifactVersion},
            {"id", a.id},
            {"target", a.target},
            {"mode", a.mode},
            {"durability", targets::durability_name(a.durability)},
            {"fs_model", faultfs::fs_model_name(a.fs_model)},
            {"sector_bytes", a.sector_bytes},
            {"campaign_seed", a.campaign_seed},
            {"workload_index", a.workload_index},
            {"crash", spec_json(a.crash)},
            {"crash_text", describe_crash(a.crash)},
            {"fork", fork},
            {"kind", a.kind},
            {"crash_op", a.crash_op},
            {"crash_file", a.crash_file},
            {"verdict", a.verdict},
            {"context", a.context},
            {"error", a.error},
            {"replay", a.replay}};
  if (!a.target_libs.empty()) meta["target_libs"] = a.target_libs;
  const fs::path root(dir);
  Status s = write_text(root / kWorkloadFile, workload_to_json(a.workload));
  if (s.is_ok())
    s = write_text(root / kRecoveredFile, json_util::state_to_json(a.recovered).dump(1));
  if (s.is_ok()) s = write_text(root / kExpectedFile, json_util::state_to_json(a.expected).dump(1));
  // artifact.json last: its presence means the folder is complete.
  if (s.is_ok()) s = write_text(root / kArtifactFile, meta.dump(2) + "\n");
  return s;
}

namespace {

// The name read errors of artifact.json carry.
constexpr const char* kMetaWhat = "artifact.json";

// artifact.json, parsed, once its format and version are ours.
Result<Json> read_meta(const std::string& dir) {
  const fs::path root(dir);
  std::error_code ec;
  if (!fs::is_directory(root, ec)) {
    return Status(ErrorCode::kCorruption, dir + " is not an artifact folder");
  }
  ASSIGN_OR_RETURN(auto text, read_text(root / kArtifactFile));
  ASSIGN_OR_RETURN(auto parsed, json_util::parse(text, kMetaWhat));
  const Json& j = parsed;
  ASSIGN_OR_RETURN(auto format, json_util::get_string(j, "format", kMetaWhat));
  if (format != "dbx-torture-artifact") {
    return json_util::corrupt(kMetaWhat, "wrong format");
  }
  ASSIGN_OR_RETURN(auto version, json_util::get_u64(j, "version", kMetaWhat));
  if (version != kArtifactVersion) return json_util::corrupt(kMetaWhat, "unknown version");
  return parsed;
}

// The optional plugin list: absolute paths, within the limits.
Status read_target_libs(const Json& j, Artifact* a) {
  if (!j.contains("target_libs")) return Status::ok();
  const Json& libs = j["target_libs"];
  if (!libs.is_array() || libs.size() > kArtifactTargetLibsMax) {
    return json_util::corrupt(kMetaWhat, "target_libs is not a list of at most 16 paths");
  }
  for (const Json& lib : libs) {
    if (!lib.is_string() || lib.get<std::string>().empty() ||
        lib.get<std::string>().size() > kArtifactTargetLibBytesMax ||
        lib.get<std::string>().front() != '/') {
      return json_util::corrupt(kMetaWhat, "target_libs holds a path that is not absolute");
    }
    a->target_libs.push_back(lib.get<std::string>());
  }
  return Status::ok();
}

// The string fields, and the mode they name.
Status read_names(const Json& j, Artifact* a) {
  for (auto [key, field] : {std::pair{"id", &a->id}, std::pair{"target", &a->target},
                            std::pair{"mode", &a->mode}, std::pair{"kind", &a->kind},
                            std::pair{"verdict", &a->verdict}, std::pair{"context", &a->context},
                            std::pair{"error", &a->error}, std::pair{"replay", &a->replay}}) {
    ASSIGN_OR_RETURN(auto v, json_util::get_string(j, key, kMetaWhat));
    *field = v;
  }
  // The crash site came later than the first artifacts: absent reads as unknown.
  for (auto [key, field] :
       {std::pair{"crash_op", &a->crash_op}, std::pair{"crash_file", &a->crash_file}}) {
    if (!j.contains(key)) continue;
    ASSIGN_OR_RETURN(auto v, json_util::get_string(j, key, kMetaWhat));
    *field = v;
  }
  if (a->mode != kModeSim && a->mode != kModeFork) {
    return json_util::corrupt(kMetaWhat, "unknown mode");
  }
  return read_target_libs(j, a);
}

// What the crash ran under: durability, file-system model and sector size,
// each checked against what the toolkit accepts. An artifact of an older
// build names the model "dir_mode": "strict" reads as posix, "lenient" (a
// retired model, which no longer replays as it did) is refused.
Status read_crash_setup(const Json& j, Artifact* a) {
  ASSIGN_OR_RETURN(auto durability, json_util::get_string(j, "durability", kMetaWhat));
  ASSIGN_OR_RETURN(auto d, durability_from(durability));
  a->durability = d;
  const bool legacy = !j.contains("fs_model") && j.contains("dir_mode");
  ASSIGN_OR_RETURN(auto model_name,
                   json_util::get_string(j, legacy ? "dir_mode" : "fs_model", kMetaWhat));
  auto model =
      legacy ? faultfs::parse_legacy_dir_mode(model_name) : faultfs::parse_fs_model(model_name);
  if (!model.is_ok()) return json_util::corrupt(kMetaWhat, model.status().message());
  a->fs_model = model.value();
  ASSIGN_OR_RETURN(auto sector, json_util::get_u64(j, "sector_bytes", kMetaWhat));
  if (sector > faultfs::kSectorBytesMax) return json_util::corrupt(kMetaWhat, "bad sector_bytes");
  a->sector_bytes = static_cast<uint32_t>(sector);
  if (!faultfs::validate_crash_options({faultfs::CrashPolicy::kDrop, a->fs_model, a->sector_bytes})
           .is_ok()) {
    return json_util::corrupt(kMetaWhat, "bad sector_bytes");
  }
  return Status::ok();
}

// Which crash of which workload: the seed, the index and the crash spec.
Status read_crash_site(const Json& j, Artifact* a) {
  ASSIGN_OR_RETURN(auto seed, json_util::get_u64(j, "campaign_seed", kMetaWhat));
  a->campaign_seed = seed;
  ASSIGN_OR_RETURN(auto index, json_util::get_u64(j, "workload_index", kMetaWhat));
  a->workload_index = index;
  const auto crash = j.find("crash");
  if (crash == j.end()) return json_util::corrupt(kMetaWhat, "crash missing");
  ASSIGN_OR_RETURN(auto spec, spec_from(*crash));
  a->crash = spec;
  return Status::ok();
}

Result<ForkEvidence> fork_from(const Json& fork) {
  ForkEvidence f;
  ASSIGN_OR_RETURN(auto policy, json_util::get_string(fork, "policy", kMetaWhat));
  f.policy = policy;
  ASSIGN_OR_RETURN(auto db_path, json_util::get_string(fork, "db_path", kMetaWhat));
  f.db_path = db_path;
  ASSIGN_OR_RETURN(auto kill, json_util::get_string(fork, "kill", kMetaWhat));
  f.kill = kill;
  if (fork.contains("threads")) {  // Absent from artifacts written before it.
    ASSIGN_OR_RETURN(auto threads, json_util::get_u64(fork, "threads", kMetaWhat));
    if (threads > kThreadsMax) {
      return Status(ErrorCode::kCorruption, std::string(kMetaWhat) + ": fork.threads " +
                                                std::to_string(threads) + " above " +
                                                std::to_string(kThreadsMax));
    }
    f.threads = static_cast<uint32_t>(threads);
  }
  ASSIGN_OR_RETURN(auto choice, choice_from(fork, "choice"));
  f.choice = choice;
  return f;
}

// The workload and the two states, each in a file of its own beside artifact.json.
Status read_data_files(const std::string& dir, Artifact* a) {
  const fs::path root(dir);
  ASSIGN_OR_RETURN(auto workload_text, read_text(root / kWorkloadFile));
  ASSIGN_OR_RETURN(auto workload, workload_from_json(workload_text));
  a->workload = std::move(workload);
  for (auto [file, state] :
       {std::pair{kRecoveredFile, &a->recovered}, std::pair{kExpectedFile, &a->expected}}) {
    ASSIGN_OR_RETURN(auto state_text, read_text(root / file));
    ASSIGN_OR_RETURN(auto state_json, json_util::parse(state_text, file));
    ASSIGN_OR_RETURN(auto rows, json_util::state_from_json(state_json, file));
    *state = std::move(rows);
  }
  return Status::ok();
}

}  // namespace

Result<Artifact> read_artifact(const std::string& dir) {
  ASSIGN_OR_RETURN(auto meta, read_meta(dir));
  const Json& j = meta;
  Artifact a;
  RETURN_IF_ERROR(read_names(j, &a));
  RETURN_IF_ERROR(read_crash_setup(j, &a));
  RETURN_IF_ERROR(read_crash_site(j, &a));
  const auto fork = j.find("fork");
  if (fork != j.end() && !fork->is_null()) {
    ASSIGN_OR_RETURN(auto f, fork_from(*fork));
    a.fork = std::move(f);
  }
  if (a.mode == kModeFork && !a.fork) {
    return json_util::corrupt(kMetaWhat, "fork evidence missing");
  }
  assert(a.mode == kModeSim || a.fork.has_value());
  RETURN_IF_ERROR(read_data_files(dir, &a));
  return a;
}

}  // namespace torture
