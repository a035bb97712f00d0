#!/usr/bin/env bash
# Runs the whole suite once on SQLite and once on PostgreSQL.
#
# PostgreSQL comes from DATABASE_URL when it names one, else from a server answering
# on 127.0.0.1:5432, else from a throwaway cluster started with the local initdb and
# pg_ctl. When none can be had, the suite runs on SQLite only, except under CI=true,
# where that is a failure.
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=${VENV:-.venv}/bin
PY="$BIN/python"

scripts/ensure-browser.sh || { [ "${CI:-}" = "true" ] && exit 1; }

pg_url=""
pg_note=""
tmp_cluster=""
cleanup() {
  if [ -n "$tmp_cluster" ]; then
    $pg_as "$pg_ctl" -D "$tmp_cluster/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$tmp_cluster"
  fi
}
trap cleanup EXIT

answers() {  # does a PostgreSQL server answer at this URL?
  "$PY" - "$1" <<'PYEOF' >/dev/null 2>&1
import sys, psycopg
psycopg.connect(sys.argv[1], connect_timeout=3).close()
PYEOF
}

case "${DATABASE_URL:-}" in
  postgres://*|postgresql://*|pgsql://*)
    pg_url="$DATABASE_URL"; pg_note="from DATABASE_URL" ;;
esac
if [ -z "$pg_url" ] && answers "postgresql://postgres@127.0.0.1:5432/postgres"; then
  pg_url="postgresql://postgres@127.0.0.1:5432/kenal"; pg_note="server on 127.0.0.1:5432"
fi
if [ -z "$pg_url" ]; then
  initdb=$(command -v initdb || ls /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -n1)
  pg_ctl=$(command -v pg_ctl || ls /usr/lib/postgresql/*/bin/pg_ctl 2>/dev/null | sort -V | tail -n1)
  pg_as=""
  if [ "$(id -u)" = 0 ]; then
    # initdb refuses to run as root; use the postgres account when it exists.
    id postgres >/dev/null 2>&1 && pg_as="runuser -u postgres --"
  fi
  if [ -n "$initdb" ] && [ -n "$pg_ctl" ] && { [ "$(id -u)" != 0 ] || [ -n "$pg_as" ]; }; then
    tmp_cluster=$(mktemp -d /tmp/kenal-pg.XXXXXX)
    chmod 755 "$tmp_cluster"
    [ -n "$pg_as" ] && chown postgres "$tmp_cluster"
    port=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    if $pg_as "$initdb" -D "$tmp_cluster/data" -U postgres --auth=trust >"$tmp_cluster/initdb.log" 2>&1 \
      && $pg_as "$pg_ctl" -D "$tmp_cluster/data" -l "$tmp_cluster/server.log" -w \
           -o "-p $port -k $tmp_cluster -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null 2>&1; then
      pg_url="postgresql://postgres@127.0.0.1:$port/kenal"; pg_note="throwaway cluster on port $port"
    fi
  fi
fi

status=0
echo "== Test suite on SQLite"
env -u DATABASE_URL KENAL_DATA_DIR="$(mktemp -d)" "$BIN/pytest" "$@" || status=1

if [ -n "$pg_url" ]; then
  echo "== Test suite on PostgreSQL ($pg_note)"
  DATABASE_URL="$pg_url" KENAL_DATA_DIR="$(mktemp -d)" "$BIN/pytest" "$@" || status=1
else
  echo "PostgreSQL: none could be had (DATABASE_URL unset, nothing on 127.0.0.1:5432, no usable initdb/pg_ctl); ran on SQLite only."
  [ "${CI:-}" = "true" ] && status=1
fi
exit $status
