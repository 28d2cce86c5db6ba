#include "torture/known_causes.h"

#include <algorithm>
#include <filesystem>
#include <iterator>

#include "json_util.h"
#include "reports/report_files.h"
#include "torture/campaign.h"

namespace torture {

using faultfs::ErrorCode;
using faultfs::Result;
using faultfs::Status;
using json_util::Json;

namespace {

Status bad(const std::string& path, const std::string& what) {
  return Status(ErrorCode::kInvalidArgument, "--known " + path + ": " + what);
}

// The string field `key` of `entry`, empty when absent.
Result<std::string> optional_string(const Json& entry, const char* key, const std::string& path,
                                    size_t index) {
  const auto it = entry.find(key);
  if (it == entry.end()) return std::string();
  if (!it->is_string() || it->get<std::string>().empty()) {
    return bad(path, "known[" + std::to_string(index) + "]." + key + ": want a non-empty string");
  }
  return it->get<std::string>();
}

Result<KnownCause> parse_entry(const Json& entry, const std::string& path, size_t index) {
  if (!entry.is_object()) return bad(path, "known[" + std::to_string(index) + "]: want an object");
  KnownCause c;
  std::string* fields[] = {&c.kind, &c.policy, &c.crash_op, &c.crash_file, &c.why};
  const char* names[] = {"kind", "policy", "crash_op", "crash_file", "why"};
  for (size_t f = 0; f < std::size(fields); ++f) {
    auto value = optional_string(entry, names[f], path, index);
    if (!value.is_ok()) return value.status();
    *fields[f] = std::move(value).value();
  }
  const std::string where = "known[" + std::to_string(index) + "]";
  if (c.why.empty()) return bad(path, where + ".why: say why this cause is accepted");
  if (c.kind.empty() && c.policy.empty() && c.crash_op.empty() && c.crash_file.empty()) {
    return bad(path, where + ": names no kind, policy, crash_op or crash_file (would hide all)");
  }
  // A report's "causes" entries carry their counts: pasted as they are.
  const char* counts[] = {"violations", "first_id"};
  for (const auto& [key, value] : entry.items()) {
    if (std::find(std::begin(names), std::end(names), key) == std::end(names) &&
        std::find(std::begin(counts), std::end(counts), key) == std::end(counts)) {
      return bad(path, where + ": unknown field '" + key + "'");
    }
  }
  return c;
}

bool matches(const std::string& wanted, const std::string& actual) {
  return wanted.empty() || wanted == actual;
}

}  // namespace

Result<std::vector<KnownCause>> read_known_causes(const std::string& path) {
  const reports::Result<std::string> text = reports::read_file(path, kKnownCausesFileBytesMax);
  if (!text.is_ok()) return bad(path, text.status().message());
  const Json root = Json::parse(text.value(), nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded() || !root.is_object()) return bad(path, "not a JSON object");
  if (root.value("version", 0) != 1) return bad(path, "want \"version\": 1");
  const auto known = root.find("known");
  if (known == root.end() || !known->is_array()) return bad(path, "want a \"known\" array");
  if (known->size() > kKnownCausesMax) return bad(path, "more than 1024 known causes");
  std::vector<KnownCause> out;
  for (size_t i = 0; i < known->size(); ++i) {
    auto entry = parse_entry((*known)[i], path, i);
    if (!entry.is_ok()) return entry.status();
    out.push_back(std::move(entry).value());
  }
  return out;
}

bool is_known_cause(const std::vector<KnownCause>& known, const reports::Violation& violation) {
  const reports::Cause cause = reports::cause_of(violation);
  for (const KnownCause& k : known) {
    if (matches(k.kind, cause.kind) && matches(k.policy, cause.policy) &&
        matches(k.crash_op, cause.crash_op) && matches(k.crash_file, cause.crash_file)) {
      return true;
    }
  }
  return false;
}

Status suppress_known_causes(const CampaignOptions& options, WorkloadReport* report) {
  if (options.known.empty()) return Status::ok();
  std::vector<reports::Violation> kept;
  for (reports::Violation& v : report->violations) {
    if (!is_known_cause(options.known, v)) {
      kept.push_back(std::move(v));
      continue;
    }
    ++report->known_suppressed;
    std::filesystem::path artifact(v.artifact);
    if (artifact.is_relative()) artifact = std::filesystem::path(options.report_dir) / artifact;
    std::error_code ec;
    if (!options.report_dir.empty()) std::filesystem::remove_all(artifact, ec);
    if (ec) return Status(ErrorCode::kIoError, "cannot remove " + artifact.string());
  }
  report->violations = std::move(kept);
  return Status::ok();
}

}  // namespace torture
