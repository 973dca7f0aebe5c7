#!/usr/bin/env bash
# The API fuzz (linli/api/tests/test_fuzz.py) without xdist: schemathesis gives its tests one node
# id per persona, so xdist would run two items that exercise nothing. The two personas run as two
# processes side by side instead (one core each); on PostgreSQL each gets a database of its own.
# Usage: scripts/fuzz.sh BIN [PG_URL]
set -u
BIN=$1; PG=${2:-}
FUZZ=linli/api/tests/test_fuzz.py
run() {  # persona, database suffix
  if [ -n "$PG" ]; then export DATABASE_URL="${PG}_fuzz_$2"; fi
  DEBUG=1 "$BIN/pytest" -q -p no:xdist -p no:cacheprovider "$FUZZ" -k "$1" >"var/fuzz-$2.log" 2>&1
}
mkdir -p var
run administrator admin & ADMIN=$!
run resident resident & RESIDENT=$!
wait $ADMIN; A=$?
wait $RESIDENT; R=$?
for who in admin resident; do echo "== API fuzz as $who"; tail -n 30 "var/fuzz-$who.log"; done
[ $A -eq 0 ] && [ $R -eq 0 ]
