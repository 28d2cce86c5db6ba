// The checker's violation path: when no state in [lo, hi] equals the recovered
// one, find the closest allowed state, the diff, and the kind (rules in
// oracle/checker.h). Linear in the live ops, a few passes.
#pragma once

#include "faultfs/status.h"
#include "loaded_history.h"
#include "oracle/checker.h"
#include "sqlite_db.h"

namespace oracle::detail {

// `recovered` is normalized and indexed by `rec`. Returns an error when the
// in-memory walk finds an exact match that SQLite denied (the oracle's two
// models disagree, which must stop the run rather than blame the target).
[[nodiscard]] faultfs::Result<Verdict> classify(sql::Db& db, const LoadedHistory& history,
                                                const RecoveredIndex& rec, const Bounds& bounds,
                                                const CheckOptions& options);

}  // namespace oracle::detail
