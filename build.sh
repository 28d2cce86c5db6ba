#!/usr/bin/env bash
# DBX's front door.
#   ./build.sh test     install what is missing, configure build/ (Release with
#                       assert() on), build, run the whole ctest suite, then
#                       every fuzz target for DBX_FUZZ_SECONDS (default 20) s
#                       each in build-fuzz/; exits non-zero on any failure
#   ./build.sh torture  the same set-up, then the default crash-torture campaign
#   ./build.sh build    set-up and build only
#   ./build.sh fuzz     the fuzzing pass alone (clang, ASan + UBSan)
#   ./build.sh tsan     build-tsan/: the engine's concurrency tests under
#                       ThreadSanitizer
#   ./build.sh tsan-campaign  a short multi-writer fork campaign under TSan
#   ./build.sh lint     configure build/, then clang-tidy's function-size check
#                       (no function over 80 lines) over every non-test TU;
#                       exits non-zero on any finding
# Campaigns and tests run with assertions on (DBX_ASSERTIONS): invariant
# checks such as SimFs's full-state check run where bugs are hunted.
set -euo pipefail
cd "$(dirname "$0")"

readonly BUILD_DIR="${DBX_BUILD_DIR:-build}"
readonly FUZZ_DIR="${DBX_FUZZ_BUILD_DIR:-build-fuzz}"
readonly TSAN_DIR="${DBX_TSAN_BUILD_DIR:-build-tsan}"
readonly FUZZ_SECONDS="${DBX_FUZZ_SECONDS:-20}"
readonly JOBS="$(nproc)"
readonly PACKAGES=(
  cmake g++ make ninja-build pkg-config git
  libgtest-dev libgmock-dev librapidcheck-dev
  libfiu-dev fiu-utils libsodium-dev libsqlite3-dev sqlite3 libspdlog-dev libfmt-dev
  libcli11-dev nlohmann-json3-dev libbenchmark-dev libabsl-dev librocksdb-dev libleveldb-dev python3
  clang-16 libclang-rt-16-dev clang-tidy
)
# The engine's concurrency tests (ctest -R) and the campaign run under TSan.
readonly TSAN_TESTS='^(Concurrency|Checkpoint|GroupCommitTest|Durability|Lock|Snapshot|Transaction)\.'
readonly TSAN_CAMPAIGN=(--target dbx --mode fork --threads 4 --time 10 --jobs 2)
# Lint: the libraries and tools, not tests, benchmarks or fuzz targets.
readonly LINT_DIRS='^(engine|faultfs|targets|oracle|reports|torture)/'
readonly LINT_EXCLUDE='/(tests?|bench|fuzz)/'
readonly LINT_CHECKS='-*,readability-function-size'
readonly LINT_CONFIG='{CheckOptions: [{key: readability-function-size.LineThreshold, value: 80}]}'

log() { printf '[build.sh] %s\n' "$*" >&2; }

install_missing_packages() {
  local missing=()
  for pkg in "${PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep "install ok installed" >/dev/null; then
      missing+=("$pkg")
    fi
  done
  if ((${#missing[@]} == 0)); then
    return 0
  fi
  log "installing: ${missing[*]}"
  local sudo=()
  if [[ $(id -u) -ne 0 ]]; then sudo=(sudo); fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get -o DPkg::Lock::Timeout=300 update -q
  "${sudo[@]}" apt-get -o DPkg::Lock::Timeout=300 install -y -q --no-install-recommends "${missing[@]}"
}

configure_and_build() {
  install_missing_packages
  cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release -DDBX_ASSERTIONS=ON
  cmake --build "$BUILD_DIR" -j "$JOBS"
}

run_tests() {
  ctest --test-dir "$BUILD_DIR" --output-on-failure -j "$JOBS" --timeout 600
}

run_fuzzers() {
  install_missing_packages
  cmake --preset fuzz -G Ninja -B "$FUZZ_DIR"
  cmake --build "$FUZZ_DIR" -j "$JOBS" --target dbx_fuzzers
  fuzz/run_fuzzers.sh "$FUZZ_DIR" "$FUZZ_SECONDS"
}

run_tsan() {
  install_missing_packages
  cmake --preset tsan -G Ninja -B "$TSAN_DIR"
  cmake --build "$TSAN_DIR" -j "$JOBS" --target engine_tests group_commit_test transaction_test
  # Any report fails the run: a race is a bug even when the test passes.
  export TSAN_OPTIONS="halt_on_error=1:abort_on_error=1:second_deadlock_stack=1"
  ctest --test-dir "$TSAN_DIR" --output-on-failure -j "$JOBS" --timeout 900 -R "$TSAN_TESTS"
}

run_tsan_campaign() {
  install_missing_packages
  cmake --preset tsan -G Ninja -B "$TSAN_DIR"
  cmake --build "$TSAN_DIR" -j "$JOBS" --target dbx-torture
  export TSAN_OPTIONS="halt_on_error=1:abort_on_error=1:second_deadlock_stack=1"
  "$TSAN_DIR/bin/dbx-torture" run "${TSAN_CAMPAIGN[@]}" --report "$TSAN_DIR/torture-report"
}

# clang-tidy 14 cannot parse all of the C++20 the engine uses (a lambda
# capturing a structured binding), so its exit status also reflects compiler
# errors: the verdict is whether any function-size finding was printed.
run_lint() {
  install_missing_packages
  cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release -DDBX_ASSERTIONS=ON
  local units
  units="$(python3 -c 'import json, os, sys
for e in json.load(open(sys.argv[1])): print(os.path.relpath(e["file"]))' \
    "$BUILD_DIR/compile_commands.json" | grep -E "$LINT_DIRS" | grep -vE "$LINT_EXCLUDE" | sort -u)"
  if [[ -z "$units" ]] || ! command -v clang-tidy >/dev/null; then
    log "lint: no translation units, or no clang-tidy"
    return 1
  fi
  log "clang-tidy over $(wc -l <<<"$units") translation units"
  local findings
  findings="$(xargs -P "$JOBS" -n 4 clang-tidy -p "$BUILD_DIR" --quiet --checks="$LINT_CHECKS" \
    --config="$LINT_CONFIG" \
    --extra-arg=-Wno-unknown-warning-option <<<"$units" 2>/dev/null |
    grep -A3 '\[readability-function-size\]' || true)"
  if [[ -n "$findings" ]]; then
    printf '%s\n' "$findings" >&2
    log "lint: functions over 80 lines (split them)"
    return 1
  fi
  log "lint: no function over 80 lines"
}

run_torture() {
  local torture="$BUILD_DIR/bin/dbx-torture"
  # The default campaign: dbx, every durability level, policy and mode, its
  # transactions interleaved with plain writes, 60 s. Then the same engine
  # encrypted at rest (20 s unless the caller set --time). Both must pass.
  local encrypted_time=(--time 20)
  local arg
  for arg in "$@"; do
    if [[ "$arg" == --time || "$arg" == --time=* ]]; then encrypted_time=(); fi
  done
  local rc=0
  "$torture" run --target dbx --report "$BUILD_DIR/torture-report" "$@" || rc=$?
  "$torture" run --target dbx-encrypted --report "$BUILD_DIR/torture-report-encrypted" \
    "${encrypted_time[@]}" "$@" || rc=$((rc > 0 ? rc : $?))
  return "$rc"
}

case "${1:-}" in
  test) configure_and_build; run_tests; run_fuzzers ;;
  torture) shift; configure_and_build; run_torture "$@" ;;
  build) configure_and_build ;;
  fuzz) run_fuzzers ;;
  tsan) run_tsan ;;
  tsan-campaign) run_tsan_campaign ;;
  lint) run_lint ;;
  *) echo "usage: $0 test|torture|build|fuzz|tsan|tsan-campaign|lint" >&2; exit 2 ;;
esac
