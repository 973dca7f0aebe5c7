#!/usr/bin/env bash
# Make sure the PostgreSQL named by $1 answers; start the local cluster if we can.
# Under CI=true a PostgreSQL that cannot be reached is a failure, never a skip.
set -uo pipefail
url=$1
hostport=${url#*@}; hostport=${hostport%%/*}
host=${hostport%%:*}; port=${hostport##*:}
ready() { pg_isready -q -h "$host" -p "$port" 2>/dev/null; }
if ! ready; then
  echo "PostgreSQL not answering on $host:$port; trying to start the local cluster"
  for v in $(ls /etc/postgresql 2>/dev/null); do
    pg_ctlcluster --skip-systemctl-redirect "$v" main start 2>/dev/null || sudo pg_ctlcluster "$v" main start 2>/dev/null || true
  done
  for _ in $(seq 1 20); do ready && break; sleep 0.5; done
fi
if ! ready; then
  echo "ERROR: PostgreSQL is not reachable at $host:$port (set PG_URL=postgres://user@host:port/db)." >&2
  exit 1
fi
