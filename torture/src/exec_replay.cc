// Replaying an exec finding: the trace prefix rebuilt, the recorded crash
// choice applied, the image written to a temporary folder with the
// acknowledgements given before the point, and the check run again.
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "exec_internal.h"
#include "faultfs/status_macros.h"
#include "torture/image_dump.h"

namespace torture::exec {

using faultfs::ErrorCode;
using faultfs::Result;
using faultfs::Status;
namespace fs = std::filesystem;

namespace {

Result<CheckOutcome> replay_once(const std::string& artifact_dir, const ExecFinding& f,
                                 const std::string& check, const std::string& scratch) {
  ASSIGN_OR_RETURN(auto trace, faultfs::read_trace((fs::path(artifact_dir) / "trace").string()));
  if (f.point_records > trace.records.size()) {
    return Status(ErrorCode::kCorruption, "exec.json names a point past the trace's end");
  }
  ASSIGN_OR_RETURN(auto acks, read_acks((fs::path(artifact_dir) / "acks.log").string()));
  ASSIGN_OR_RETURN(auto pre_crash, faultfs::rebuild_from_trace(trace, f.point_records));
  ASSIGN_OR_RETURN(auto image, pre_crash->crash_with(f.choice.options, f.choice));
  const std::string image_dir = scratch + "/image";
  RETURN_IF_ERROR(write_tree(*image, "", image_dir));
  size_t acked = 0;
  while (acked < acks.size() && acks[acked].records <= f.point_records) ++acked;
  const std::string acks_file = scratch + "/acks.txt";
  RETURN_IF_ERROR(write_acks_file(acks_file, acks, acked));
  return run_check(check, image_dir, acks_file, scratch + "/output.txt", f.check_timeout_s);
}

}  // namespace

}  // namespace torture::exec

namespace torture {

int replay_exec(const std::string& artifact_dir, const std::string& check_override,
                std::ostream& out, std::ostream& err) {
  using namespace exec;
  auto finding = read_finding(artifact_dir);
  if (!finding.is_ok()) {
    err << "dbx-torture exec: " << finding.status().message() << "\n";
    return 2;
  }
  const ExecFinding& f = finding.value();
  const char* tmp = std::getenv("TMPDIR");
  std::string scratch =
      std::string(tmp != nullptr && tmp[0] != '\0' ? tmp : "/tmp") + "/dbx-exec-replay-XXXXXX";
  if (::mkdtemp(scratch.data()) == nullptr) {
    err << "dbx-torture exec: cannot create a scratch folder under " << scratch << "\n";
    return 2;
  }
  const std::string check = check_override.empty() ? f.check : check_override;
  auto outcome = replay_once(artifact_dir, f, check, scratch);
  std::error_code ec;
  fs::remove_all(scratch, ec);
  if (!outcome.is_ok()) {
    err << "dbx-torture exec: " << outcome.status().message() << "\n";
    return 2;
  }
  const CheckOutcome& o = outcome.value();
  if (o.passed) {
    out << "passes now: the check accepted the rebuilt image (" << f.choice.serialize() << ")\n";
    return 0;
  }
  out << (o.kind() == f.kind ? "reproduced: " : "fails differently: ") << o.kind() << " ("
      << o.detail() << ")\n";
  return 1;
}

}  // namespace torture
