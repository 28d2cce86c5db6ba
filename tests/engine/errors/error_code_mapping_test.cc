// errno → faultfs::ErrorCode → dbx::ErrorCode: busy only for a held lock,
// permission problems and full disks under their own names.
#include <gtest/gtest.h>

#include <cerrno>

#include "dbx/error.h"
#include "faultfs/status.h"
#include "status_util.h"

namespace dbx {
namespace {

faultfs::ErrorCode from_errno(int err) {
  return faultfs::status_from_errno(err, "open", "db/LOCK").code();
}

TEST(ErrorCodeMapping, PermissionErrnosArePermissionDeniedNeverBusy) {
  for (int err : {EACCES, EPERM, EROFS}) {
    EXPECT_EQ(from_errno(err), faultfs::ErrorCode::kPermissionDenied) << err;
    EXPECT_EQ(to_error_code(from_errno(err)), ErrorCode::kPermissionDenied) << err;
  }
  EXPECT_NE(from_errno(EAGAIN), faultfs::ErrorCode::kBusy) << "busy is only a held lock";
}

TEST(ErrorCodeMapping, FullDiskAndQuotaAreNoSpace) {
  for (int err : {ENOSPC, EDQUOT}) {
    EXPECT_EQ(from_errno(err), faultfs::ErrorCode::kNoSpace) << err;
    EXPECT_EQ(to_error_code(from_errno(err)), ErrorCode::kNoSpace) << err;
  }
}

TEST(ErrorCodeMapping, EveryFileSystemCodeHasItsEngineCode) {
  using F = faultfs::ErrorCode;
  EXPECT_EQ(to_error_code(F::kBusy), ErrorCode::kBusy);
  EXPECT_EQ(to_error_code(F::kCorruption), ErrorCode::kCorruption);
  EXPECT_EQ(to_error_code(F::kReadOnly), ErrorCode::kReadOnly);
  // A failed write may have stored something: never invalid_argument, which
  // promises it did not.
  for (F code :
       {F::kIoError, F::kShortWrite, F::kNotFound, F::kAlreadyExists, F::kInvalidArgument}) {
    EXPECT_EQ(to_error_code(code), ErrorCode::kIoError) << faultfs::error_code_name(code);
  }
}

TEST(ErrorCodeMapping, NamesAreStable) {
  EXPECT_STREQ(error_code_name(ErrorCode::kPermissionDenied), "permission_denied");
  EXPECT_STREQ(error_code_name(ErrorCode::kNoSpace), "no_space");
  EXPECT_STREQ(faultfs::error_code_name(faultfs::ErrorCode::kPermissionDenied),
               "permission_denied");
  EXPECT_STREQ(faultfs::error_code_name(faultfs::ErrorCode::kReadOnly), "read_only");
  const Error e(ErrorCode::kNoSpace, "pwrite db/wal.log");
  EXPECT_STREQ(e.what(), "no_space: pwrite db/wal.log");
}

}  // namespace
}  // namespace dbx
