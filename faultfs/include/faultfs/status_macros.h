// RETURN_IF_ERROR and ASSIGN_OR_RETURN: the two shapes of error propagation,
// written once.
//
//   RETURN_IF_ERROR(file->sync());
//   ASSIGN_OR_RETURN(auto names, fs.list(dir));   // names is the vector
//
// RETURN_IF_ERROR(expr) evaluates a Status once and returns it from the
// enclosing function if it is an error. ASSIGN_OR_RETURN(decl, expr)
// evaluates a Result<T> once; on error it returns the Status, otherwise it
// moves the value into `decl` (a declaration such as `auto x`, or an lvalue).
// The enclosing function returns Status or any Result<U>. Neither drops an
// error: the only way past the macro is success.
//
// For the project's own sources and the lab; not installed, so that an
// application's macros of the same names never meet these.
#pragma once

#include <utility>

#include "faultfs/status.h"

#define FAULTFS_CONCAT_INNER_(a, b) a##b
#define FAULTFS_CONCAT_(a, b) FAULTFS_CONCAT_INNER_(a, b)

#define RETURN_IF_ERROR(expr)                             \
  do {                                                    \
    ::faultfs::Status faultfs_status_ = (expr);           \
    if (!faultfs_status_.is_ok()) return faultfs_status_; \
  } while (false)

#define ASSIGN_OR_RETURN(decl, expr) \
  FAULTFS_ASSIGN_OR_RETURN_IMPL_(FAULTFS_CONCAT_(faultfs_result_, __LINE__), decl, expr)

#define FAULTFS_ASSIGN_OR_RETURN_IMPL_(result, decl, expr) \
  auto result = (expr);                                    \
  if (!result.is_ok()) return result.status();             \
  decl = std::move(result).value()
