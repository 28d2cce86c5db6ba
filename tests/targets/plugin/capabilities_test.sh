#!/usr/bin/env bash
# The judge draws a bound only from a promise the target makes: a target
# that loses everything at reopen passes when it declares neither checkpoint
# nor close-syncs, and is caught when it claims them.
#   $1 dbx-torture  $2 honest plugin  $3 claiming plugin
set -euo pipefail
torture="$1"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
fail() { echo "capabilities: $*" >&2; exit 1; }
run() {
  local lib="$1" target="$2" out="$3"
  set +e
  "$torture" run --target-lib "$lib" --target "$target" --time 5 --seed 3 --jobs 1 --quiet \
    --report "$scratch/$out" >"$scratch/$out.txt" 2>&1
  local rc=$?
  set -e
  echo "$rc"
}
"$torture" list-targets --target-lib "$2" | grep -q "^volatile-honest	.*capabilities: harness-clock,creates-dir" ||
  fail "list-targets does not show the honest target's capabilities"
honest="$(run "$2" volatile-honest honest)"
claims="$(run "$3" volatile-claims-checkpoints claims)"
((honest == 0)) || { cat "$scratch/honest.txt" >&2; fail "the honest target failed (exit $honest)"; }
((claims == 1)) || { cat "$scratch/claims.txt" >&2; fail "the false claim passed (exit $claims)"; }
grep -q "lost_acknowledged\|lost" "$scratch/claims.txt" || fail "the false claim failed for another reason"
echo "capabilities: ok"
