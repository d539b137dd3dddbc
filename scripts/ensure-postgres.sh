#!/usr/bin/env bash
# Make a PostgreSQL server reachable for the tests, and take it away again.
#
#   eval "$(bash scripts/ensure-postgres.sh start)"   # exports COCONTROL_TEST_PG=postgresql://...
#   bash scripts/ensure-postgres.sh stop              # stops/drops only what `start` created
#
# 1. A server already answering on 127.0.0.1:5432 as user postgres without a password is used
#    as it is (nothing is started or stopped).
# 2. Otherwise the Debian packages are installed when missing (apt-get, needs root) and a
#    throw-away cluster "cocontrol_test" with trust authentication on 127.0.0.1:$PORT is
#    created and started; `stop` stops and drops it.
# The tests create and drop their own databases (cocontrol_test_service_*) on that server.
# COCONTROL_PG_OWN=1 skips step 1 (to try step 2 on a machine that has a server).
# Without root and without a server, it prints nothing: the PostgreSQL tests then skip, except
# under CI=true, where they fail.
set -uo pipefail
PORT="${COCONTROL_PG_PORT:-8719}"
CLUSTER=cocontrol_test
MARK="${TMPDIR:-/tmp}/cocontrol-pg-started"
log() { echo "ensure-postgres: $*" >&2; }

answers() {  # host port
  command -v psql >/dev/null 2>&1 || return 1
  PGCONNECT_TIMEOUT=3 psql -h "$1" -p "$2" -U postgres -d postgres -tAc 'select 1' \
    >/dev/null 2>&1
}

pg_version() { ls /usr/lib/postgresql 2>/dev/null | sort -n | tail -1; }

start() {
  if [ -n "${COCONTROL_TEST_PG:-}" ]; then echo "export COCONTROL_TEST_PG='$COCONTROL_TEST_PG'"; return 0; fi
  if [ -z "${COCONTROL_PG_OWN:-}" ] && answers 127.0.0.1 5432; then
    echo "export COCONTROL_TEST_PG='postgresql://postgres@127.0.0.1:5432/postgres'"; return 0
  fi
  if answers 127.0.0.1 "$PORT"; then
    echo "export COCONTROL_TEST_PG='postgresql://postgres@127.0.0.1:$PORT/postgres'"; return 0
  fi
  if [ -z "$(pg_version)" ]; then
    if [ "$(id -u)" != 0 ]; then log "no PostgreSQL server and not root: PostgreSQL tests skip"; return 0; fi
    log "installing PostgreSQL from the Debian packages"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2 && apt-get install -y -qq postgresql postgresql-client >&2 \
      || { log "apt-get install postgresql failed"; return 1; }
  fi
  local ver; ver="$(pg_version)"
  if ! command -v pg_createcluster >/dev/null 2>&1; then log "pg_createcluster missing"; return 1; fi
  pg_dropcluster --stop "$ver" "$CLUSTER" >/dev/null 2>&1 || true
  pg_createcluster --port "$PORT" "$ver" "$CLUSTER" -- --auth=trust >&2 \
    || { log "pg_createcluster failed"; return 1; }
  pg_ctlcluster "$ver" "$CLUSTER" start >&2 || { log "cluster did not start"; return 1; }
  for _ in $(seq 1 30); do answers 127.0.0.1 "$PORT" && break; sleep 0.5; done
  answers 127.0.0.1 "$PORT" || { log "cluster does not answer on port $PORT"; return 1; }
  echo "$ver" > "$MARK"
  log "started throw-away cluster $ver/$CLUSTER on 127.0.0.1:$PORT"
  echo "export COCONTROL_TEST_PG='postgresql://postgres@127.0.0.1:$PORT/postgres'"
}

stop() {
  [ -f "$MARK" ] || return 0
  local ver; ver="$(cat "$MARK")"
  pg_dropcluster --stop "$ver" "$CLUSTER" >&2 || log "could not drop $ver/$CLUSTER"
  rm -f "$MARK"
  log "stopped and dropped $ver/$CLUSTER"
}

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
