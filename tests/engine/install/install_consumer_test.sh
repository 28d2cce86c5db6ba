#!/usr/bin/env bash
# Installs the build tree into a scratch prefix, then configures, builds and
# runs a consumer that only knows find_package(dbx CONFIG), on what an
# embedder's machine has: pkg-config finds nothing (no libfiu-dev), and CMake
# may not find spdlog, fmt or absl packages either. Then checks that neither
# the consumer nor the installed libraries link libfiu, and that none of the
# lab's headers were installed.
set -euo pipefail
build_dir="$1"
source_dir="$2"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
fail() { echo "consumer: $*" >&2; exit 1; }

cmake --install "$build_dir" --prefix "$scratch/prefix" >/dev/null
prefix="$scratch/prefix"
test -f "$prefix/include/dbx/database.h" || fail "dbx/database.h not installed"
test -f "$prefix/include/faultfs/file_system.h" || fail "faultfs/file_system.h not installed"
for lab_header in sim_fs.h recorder.h fault_injection.h crash.h trace.h; do
  if [[ -e "$prefix/include/faultfs/$lab_header" ]]; then
    fail "the lab's faultfs/$lab_header was installed"
  fi
done
if grep -rlqE "#include [<\"]fiu" "$prefix/include"; then fail "an installed header includes libfiu"; fi

mkdir -p "$scratch/no-pkgconfig"
PKG_CONFIG_LIBDIR="$scratch/no-pkgconfig" PKG_CONFIG_PATH="" \
  cmake -S "$source_dir" -B "$scratch/build" -DCMAKE_PREFIX_PATH="$prefix" \
  -DCMAKE_BUILD_TYPE=Release -DCMAKE_DISABLE_FIND_PACKAGE_PkgConfig=ON \
  -DCMAKE_DISABLE_FIND_PACKAGE_spdlog=ON -DCMAKE_DISABLE_FIND_PACKAGE_fmt=ON \
  -DCMAKE_DISABLE_FIND_PACKAGE_absl=ON --no-warn-unused-cli >/dev/null
cmake --build "$scratch/build" >/dev/null

consumer="$scratch/build/consumer"
# grep without -q reads all of its input: with pipefail, a grep -q that quits
# at its first match can leave ldd dying of SIGPIPE, failing a passing check.
ldd "$consumer" | grep "libdbx_engine" >/dev/null || fail "the consumer does not link libdbx_engine.so"
mapfile -t libraries < <(find "$prefix" -name "libdbx_*.so*" -type f)
((${#libraries[@]} == 2)) || fail "expected the engine and the seam, installed: ${libraries[*]}"
for binary in "$consumer" "${libraries[@]}"; do
  if ldd "$binary" | grep -i "fiu" >/dev/null; then fail "$(basename "$binary") links libfiu"; fi
  if nm -D --undefined-only "$binary" | grep "fiu_" >/dev/null; then
    fail "$(basename "$binary") calls into libfiu"
  fi
done
DBX_LOG_LEVEL=warn "$consumer" "$scratch/db"
