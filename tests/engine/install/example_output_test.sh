#!/usr/bin/env bash
# Runs the WAL Recovery example in an empty directory and diffs its stdout
# against the documented text; also checks the on-disk layout it leaves.
set -euo pipefail
example="$1"
expected="$2"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
"$example" >"$work/stdout"
diff -u "$expected" "$work/stdout"
for f in wal_demo/wal.log wal_demo/LOCK wal_demo/wos/conf wal_demo/wos/db; do
  test -f "$f" || { echo "missing $f"; exit 1; }
done
echo "example output and layout match"
