#!/bin/sh
# Usage: sqlite_check.sh DIR ACKS. Passes when DIR/t.db is intact and holds
# every acknowledged id.
db=$1/t.db; acks=$2
[ "$(sqlite3 "$db" 'PRAGMA integrity_check')" = ok ] || exit 1
n=$(wc -l < "$acks")
[ "$n" -eq 0 ] && exit 0
[ "$(sqlite3 "$db" "SELECT count(*) FROM t WHERE id IN ($(paste -sd, "$acks"))")" = "$n" ]
