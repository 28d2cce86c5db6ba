#!/usr/bin/env bash
# Throughput of dbx-torture: crash states judged per
# second in sim mode (100-operation workloads, --jobs 2) and kill cycles per
# second in fork mode (Lazy, and Full for comparison), each the median of
# RUNS timed campaigns. Prints each command and its median.
#
#   bench/torture/measure_throughput.sh [BUILD_DIR] [SECONDS] [RUNS]
#
# BUILD_DIR defaults to build (a Release build: ./build.sh build). The
# campaign's own verdict is not the point here, so --max-violations is high
# and a FAIL verdict (exit 1) is accepted; a set-up error (exit 2) is not.
set -euo pipefail

readonly BUILD_DIR="${1:-build}"
readonly SECONDS_PER_RUN="${2:-20}"
readonly RUNS="${3:-3}"
readonly TORTURE="$BUILD_DIR/bin/dbx-torture"
[[ -x "$TORTURE" ]] || { echo "no $TORTURE; build first (./build.sh build)" >&2; exit 2; }

scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT

# run_median LABEL FIELD ARGS...: FIELD is "states" (crash_states_per_s) or
# "cycles" (workloads / elapsed_s: one fork workload is one kill cycle).
run_median() {
  local label="$1" field="$2"
  shift 2
  local cmd=("$TORTURE" run --quiet --time "$SECONDS_PER_RUN" --max-violations 10000 "$@")
  echo "== $label"
  echo "   ${cmd[*]} --seed <run> --report <dir>"
  local values=()
  for run in $(seq 1 "$RUNS"); do
    local report="$scratch/$label-$run"
    local rc=0
    "${cmd[@]}" --seed "$run" --report "$report" > "$scratch/out" 2>&1 || rc=$?
    if ((rc > 1)); then
      cat "$scratch/out" >&2
      exit 2
    fi
    values+=("$(python3 - "$report/summary.json" "$field" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
if sys.argv[2] == "states":
    print(f"{s['crash_states_per_s']:.0f}")
else:
    print(f"{s['workloads'] / s['elapsed_s']:.1f}")
PY
)")
    echo "   run $run: ${values[-1]} $( [[ $field == states ]] && echo states/s || echo cycles/s)"
  done
  local median
  median="$(printf '%s\n' "${values[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')"
  echo "   median: $median $( [[ $field == states ]] && echo 'crash states judged/s' || echo 'kill cycles/s')"
}

echo "dbx-torture throughput on $(nproc) cores, $RUNS runs of $SECONDS_PER_RUN s each"
run_median sim-dbx states --target dbx --mode sim --ops 100 --jobs 2
# The engine's current torn-WAL-header finding stops the workloads it hits
# early; this figure has no finding in it.
run_median sim-dbx-no-torn states --target dbx --mode sim --ops 100 --jobs 2 \
  --policy drop,prefix,reorder,corrupt
run_median fork-lazy cycles --target dbx --mode fork --durability lazy --ops 100 --jobs 2
run_median fork-full cycles --target dbx --mode fork --durability full --ops 100 --jobs 2
