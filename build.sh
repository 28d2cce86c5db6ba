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
  libfiu-dev fiu-utils libsqlite3-dev libspdlog-dev libfmt-dev
  libcli11-dev nlohmann-json3-dev libbenchmark-dev libabsl-dev librocksdb-dev libleveldb-dev python3
  clang-16 libclang-rt-16-dev
)
# The engine's concurrency tests (ctest -R) and the campaign run under TSan.
readonly TSAN_TESTS='^(Concurrency|Checkpoint|GroupCommitTest|Durability|Lock)\.'
readonly TSAN_CAMPAIGN=(--target dbx --mode fork --threads 4 --time 10 --jobs 2)

log() { printf '[build.sh] %s\n' "$*" >&2; }

install_missing_packages() {
  local missing=()
  for pkg in "${PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
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
  cmake --build "$TSAN_DIR" -j "$JOBS" --target engine_tests group_commit_test
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

run_torture() {
  local torture="$BUILD_DIR/bin/dbx-torture"
  # The default campaign: dbx, every durability level, policy and mode, 60 s.
  exec "$torture" run --target dbx --report "$BUILD_DIR/torture-report" "$@"
}

case "${1:-}" in
  test) configure_and_build; run_tests; run_fuzzers ;;
  torture) shift; configure_and_build; run_torture "$@" ;;
  build) configure_and_build ;;
  fuzz) run_fuzzers ;;
  tsan) run_tsan ;;
  tsan-campaign) run_tsan_campaign ;;
  *) echo "usage: $0 test|torture|build|fuzz|tsan|tsan-campaign" >&2; exit 2 ;;
esac
