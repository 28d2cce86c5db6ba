#!/usr/bin/env bash
# DBX's front door.
#   ./build.sh test     install what is missing, configure build/ (Release), build,
#                       run the whole ctest suite; exits with ctest's status
#   ./build.sh torture  the same set-up, then the default crash-torture campaign
#   ./build.sh build    set-up and build only
set -euo pipefail
cd "$(dirname "$0")"

readonly BUILD_DIR="${DBX_BUILD_DIR:-build}"
readonly JOBS="$(nproc)"
readonly PACKAGES=(
  cmake g++ make ninja-build pkg-config git
  libgtest-dev libgmock-dev librapidcheck-dev
  libfiu-dev fiu-utils libsqlite3-dev libspdlog-dev libfmt-dev
  libcli11-dev nlohmann-json3-dev libbenchmark-dev libabsl-dev librocksdb-dev libleveldb-dev python3
)

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
  cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release
  cmake --build "$BUILD_DIR" -j "$JOBS"
}

run_tests() {
  # ctest's exit status is this script's.
  ctest --test-dir "$BUILD_DIR" --output-on-failure -j "$JOBS" --timeout 600
}

run_torture() {
  local torture="$BUILD_DIR/bin/dbx-torture"
  # The default campaign: dbx, every durability level, policy and mode, 60 s.
  exec "$torture" run --target dbx --report "$BUILD_DIR/torture-report" "$@"
}

case "${1:-}" in
  test) configure_and_build; run_tests ;;
  torture) shift; configure_and_build; run_torture "$@" ;;
  build) configure_and_build ;;
  *) echo "usage: $0 test|torture|build" >&2; exit 2 ;;
esac
