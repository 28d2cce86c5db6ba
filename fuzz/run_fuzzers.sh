#!/usr/bin/env bash
# Runs every fuzz target for a bounded time, starting from its in-tree seed
# corpus, and fails on the first finding (crash, sanitizer report, failed
# DBX_ASSERT, leak, timeout or out-of-memory).
#   fuzz/run_fuzzers.sh <build-fuzz dir> [seconds per target, default 20] [target...]
# New inputs go to <build dir>/fuzz/corpus/<target> (kept between runs, never
# into the tree); a finding lands in <build dir>/fuzz/findings/. To keep one as
# a regression input, copy it into fuzz/corpus/<target>/ once it is fixed.
set -euo pipefail
cd "$(dirname "$0")/.."

readonly BUILD_DIR="${1:?usage: $0 <build-fuzz dir> [seconds]}"
readonly SECONDS_PER_TARGET="${2:-20}"
ALL_TARGETS=(fuzz_wal_reader fuzz_wos_load fuzz_wos_conf fuzz_trace fuzz_summary_json
  fuzz_artifact_json)
if (($# > 2)); then ALL_TARGETS=("${@:3}"); fi
readonly TARGETS=("${ALL_TARGETS[@]}")

export ASAN_OPTIONS="abort_on_error=1:detect_leaks=1:allocator_may_return_null=1"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"

for target in "${TARGETS[@]}"; do
  work="$BUILD_DIR/fuzz/corpus/$target"
  findings="$BUILD_DIR/fuzz/findings/$target"
  mkdir -p "$work" "$findings"
  echo "[fuzz] $target: ${SECONDS_PER_TARGET}s"
  # The first directory gains the new inputs; the seeds are only read.
  if ! "$BUILD_DIR/bin/$target" "$work" "fuzz/corpus/$target" \
      -max_total_time="$SECONDS_PER_TARGET" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
      -artifact_prefix="$findings/" -print_final_stats=1 >"$findings/log" 2>&1; then
    tail -n 60 "$findings/log" >&2
    echo "[fuzz] $target: FINDING, input in $findings/ (log: $findings/log)" >&2
    exit 1
  fi
  grep -E '^(stat::number_of_executed_units|stat::new_units_added)' "$findings/log" |
    sed "s/^/[fuzz] $target /"
done
echo "[fuzz] all ${#TARGETS[@]} targets clean"
