// The one mapping from the lab's durability levels to DBX's, shared by the
// DBX target and the benchmarks (bench/compare), so that "Lazy" in a
// campaign and "Lazy" in a benchmark row are the same engine setting.
#pragma once

#include "dbx/options.h"
#include "targets/types.h"

namespace targets {

constexpr dbx::Durability to_dbx_durability(Durability durability) {
  switch (durability) {
    case Durability::kNone:
      return dbx::Durability::kNone;
    case Durability::kLazy:
      return dbx::Durability::kLazy;
    case Durability::kFull:
      return dbx::Durability::kFull;
  }
  return dbx::Durability::kFull;  // Unreachable: every level is listed.
}

static_assert(to_dbx_durability(Durability::kNone) == dbx::Durability::kNone);
static_assert(to_dbx_durability(Durability::kLazy) == dbx::Durability::kLazy);
static_assert(to_dbx_durability(Durability::kFull) == dbx::Durability::kFull);

}  // namespace targets
