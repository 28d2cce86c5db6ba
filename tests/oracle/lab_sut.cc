#include "lab_sut.h"

#include <rapidcheck.h>

#include <random>

#include "oracle/bounds.h"

namespace oracle::testing {

using faultfs::Status;

namespace {

void assert_ok(const Status& s, const std::string& what) {
  if (!s.is_ok()) RC_FAIL(what + ": " + s.to_string());
}

}  // namespace

LabSut::LabSut(const LabConfig& config, Durability durability)
    : config_(config), durability_(durability) {
  auto history = History::open(":memory:");
  if (!history.is_ok()) RC_FAIL("history: " + history.status().to_string());
  history_ = std::move(history).value();
  open_fresh();
}

LabSut::~LabSut() {
  // Close on the file system it was opened on, before that goes away.
  target_.reset();
}

void LabSut::open_fresh() {
  target_.reset();
  fs_ = std::make_unique<faultfs::SimFs>();
  target_ = config_.make();
  assert_ok(target_->open(*fs_, dir_, durability_), "open of an empty directory");
  assert_ok(history_->record_open(), "history");
  writeback_failed_ = false;
}

void LabSut::restart_after_error(const std::string& what, const Status& error) {
  if (!writeback_failed_) RC_FAIL(what + " failed with no fault injected: " + error.to_string());
  // The handle is dead to the workload; what it left is judged as after a
  // power loss, since the failed writeback dropped un-synced data.
  target_.reset();
  recover(CrashKind::kPowerLoss, false, what + " failed: " + error.to_string());
}

void LabSut::write(const Write& write) {
  auto seq = history_->record_pending(write);
  if (!seq.is_ok()) RC_FAIL("history: " + seq.status().to_string());
  const Status s = target_->apply(write).status();
  if (s.is_ok()) {
    assert_ok(history_->record_ack(seq.value()), "history");
    return;
  }
  assert_ok(history_->record_failed(seq.value(), targets::write_maybe_applied(s), s.to_string()),
            "history");
  restart_after_error("write", s);
}

void LabSut::flush() {
  assert_ok(history_->record_sync_begin(SyncKind::kFlush), "history");
  const Status s = target_->flush();
  assert_ok(history_->record_sync_end(SyncKind::kFlush, s.is_ok()), "history");
  if (!s.is_ok()) restart_after_error("flush", s);
}

void LabSut::reopen() {
  assert_ok(history_->record_sync_begin(SyncKind::kClose), "history");
  const Status s = target_->close();
  assert_ok(history_->record_sync_end(SyncKind::kClose, s.is_ok()), "history");
  target_.reset();
  if (!s.is_ok() && !writeback_failed_) RC_FAIL("close failed: " + s.to_string());
  // After a clean close lo is the last acknowledged write for both kinds.
  recover(CrashKind::kPowerLoss, false, "reopen after close: " + s.to_string());
}

void LabSut::kill() {
  std::unique_ptr<faultfs::SimFs> image = fs_->clone();
  target_.reset();  // Its last gasps land on the old file system only.
  fs_ = std::move(image);
  assert_ok(history_->record_crash(CrashKind::kProcessKill, "clone"), "history");
  recover(CrashKind::kProcessKill, false, "process kill");
}

void LabSut::crash(const faultfs::CrashOptions& options, uint64_t seed) {
  std::mt19937_64 rng(seed);
  faultfs::CrashChoice choice;
  std::unique_ptr<faultfs::SimFs> image = fs_->crash(options, rng, &choice);
  target_.reset();
  fs_ = std::move(image);
  writeback_failed_ = false;  // A crash image starts with no writeback errors.
  const std::string text = choice.serialize();
  assert_ok(history_->record_crash(CrashKind::kPowerLoss, text), "history");
  recover(CrashKind::kPowerLoss, options.policy == faultfs::CrashPolicy::kCorrupt,
          "power loss " + text);
}

void LabSut::fail_writeback_then(bool reopen_after) {
  for (const auto& [path, bytes] : fs_->live_files()) {
    if (path.rfind(dir_ + "/", 0) != 0) continue;
    assert_ok(fs_->fail_writeback(path, faultfs::ErrorCode::kIoError), "fail_writeback");
  }
  writeback_failed_ = true;
  if (reopen_after) {
    reopen();
  } else {
    flush();
  }
}

void LabSut::recover(CrashKind kind, bool beyond_contract, const std::string& context) {
  if (writeback_failed_) kind = CrashKind::kPowerLoss;
  // Corrupted durable data: detection is correct; losing what was durable
  // before the fault silently is not.
  const Bounds bounds = beyond_contract ? beyond_contract_bounds(history_->summary(), durability_)
                                        : compute_bounds(history_->summary(), durability_, kind);
  CheckOptions options;
  options.beyond_contract = beyond_contract;
  Checker checker(*history_);
  target_ = config_.make();
  Status opened = target_->open(*fs_, dir_, durability_);
  // A writeback error is reported once, possibly to the recovery's own sync:
  // an honest I/O error, after which a second open must succeed.
  for (int retry = 0; retry < 2 && writeback_failed_ && !opened.is_ok() &&
                      opened.code() == faultfs::ErrorCode::kIoError;
       ++retry) {
    target_ = config_.make();
    opened = target_->open(*fs_, dir_, durability_);
  }
  Verdict verdict;
  if (!opened.is_ok()) {
    verdict = checker.check_unreadable(bounds, opened, options);
  } else {
    assert_ok(history_->record_open(), "history");
    auto state = target_->read_all();
    if (!state.is_ok()) {
      verdict = checker.check_unreadable(bounds, state.status(), options);
    } else {
      auto judged = checker.check(bounds, std::move(state).value(), options);
      if (!judged.is_ok()) RC_FAIL("oracle: " + judged.status().to_string());
      verdict = std::move(judged).value();
    }
  }
  if (!verdict.ok) RC_FAIL(verdict.to_string() + "\n  after: " + context);
  if (verdict.error_detected) {
    // Nothing to continue from: start over on an empty file system, with
    // every logged write out of all later states.
    assert_ok(history_->record_recovered(0), "history");
    open_fresh();
    return;
  }
  assert_ok(history_->record_recovered(verdict.p), "history");
}

}  // namespace oracle::testing
