#!/usr/bin/env bash
# A target plugin built out of tree, as a target author builds one: install
# the build tree into a scratch prefix, configure and build
# targets/examples/log_plugin against it with only find_package(dbx), then run
# campaigns on its two targets through --target-lib. The clean one passes,
# the one that acknowledges before its sync is caught.
#   $1 build dir  $2 plugin source dir  $3 dbx-torture
set -euo pipefail
build_dir="$1"
source_dir="$2"
torture="$3"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
fail() { echo "plugin: $*" >&2; exit 1; }

cmake --install "$build_dir" --prefix "$scratch/prefix" >/dev/null
test -f "$scratch/prefix/include/dbx-lab/targets/plugin.h" || fail "targets/plugin.h not installed"
test -f "$scratch/prefix/include/dbx-lab/faultfs/sim_fs.h" || fail "faultfs/sim_fs.h not installed"
cmake -S "$source_dir" -B "$scratch/build" -DCMAKE_PREFIX_PATH="$scratch/prefix" \
  -DCMAKE_BUILD_TYPE=Release >"$scratch/configure.log" 2>&1 ||
  { cat "$scratch/configure.log" >&2; fail "configure failed"; }
cmake --build "$scratch/build" >"$scratch/build.log" 2>&1 ||
  { cat "$scratch/build.log" >&2; fail "build failed"; }
plugin="$scratch/build/libexample_log_target.so"
test -f "$plugin" || fail "no $plugin"

"$torture" list-targets --target-lib "$plugin" >"$scratch/list.txt"
grep -q "^example-log	" "$scratch/list.txt" || fail "list-targets does not show example-log"
grep -q "^example-log-no-sync	known bug" "$scratch/list.txt" ||
  fail "list-targets does not show example-log-no-sync as a known bug"
# Within-contract policies: the example defends against torn tails, not
# against beyond-contract damage (targets/README.md).
policies=drop,prefix,reorder,torn
set +e
"$torture" run --target-lib "$plugin" --target example-log --policy "$policies" --time 10 \
  --seed 1 --jobs 2 --quiet --report "$scratch/clean" >"$scratch/clean.txt" 2>&1
clean=$?
"$torture" run --target-lib "$plugin" --target example-log-no-sync --policy "$policies" \
  --time 30 --seed 1 --jobs 2 --quiet --report "$scratch/buggy" >"$scratch/buggy.txt" 2>&1
buggy=$?
set -e
((clean == 0)) || { cat "$scratch/clean.txt" >&2; fail "example-log failed (exit $clean)"; }
((buggy == 1)) || { cat "$scratch/buggy.txt" >&2; fail "example-log-no-sync not caught (exit $buggy)"; }
# The finding replays with the same plugin.
finding="$(find "$scratch/buggy/failures" -mindepth 1 -maxdepth 1 -type d -print -quit)"
test -n "$finding" || fail "no finding saved"
set +e
"$torture" replay --target-lib "$plugin" "$finding" >"$scratch/replay.txt" 2>&1
replayed=$?
set -e
((replayed == 1)) || { cat "$scratch/replay.txt" >&2; fail "the finding does not replay (exit $replayed)"; }
# The artifact names its plugin: it replays without --target-lib too.
set +e
"$torture" replay "$finding" >"$scratch/replay2.txt" 2>&1
replayed=$?
set -e
((replayed == 1)) || { cat "$scratch/replay2.txt" >&2; fail "the artifact does not load its plugin (exit $replayed)"; }
echo "plugin: ok (clean passes, no-sync caught and replayed)"
