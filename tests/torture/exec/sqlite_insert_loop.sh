#!/bin/sh
# Usage: sqlite_insert_loop.sh N SYNCHRONOUS. Inserts ids 1..N into t.db (WAL
# mode), one sqlite3 invocation each, and acks each id once sqlite3 returned.
n=$1; sync_mode=$2; i=1
while [ $i -le $n ]; do
  sqlite3 t.db "PRAGMA journal_mode=WAL; PRAGMA synchronous=$sync_mode; CREATE TABLE IF NOT EXISTS t(id INTEGER PRIMARY KEY); INSERT INTO t VALUES($i);" >/dev/null || exit 1
  echo $i >&$DBX_ACK_FD
  i=$((i+1))
done
