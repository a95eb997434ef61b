#!/usr/bin/env bash
# PostgreSQL (Debian postgresql-15) cluster in DIR on 127.0.0.1, user "postgres" with trust auth.
# As root, initdb/pg_ctl run as user postgres via runuser and DIR is chowned to postgres.
# Usage: postgres.sh start DIR [PORT=15432] | stop DIR | status DIR
set -euo pipefail
# shellcheck source=bin/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}

pattern() { echo "-D $DIR/data"; }

# Run a PostgreSQL binary as the postgres user when we are root (initdb and postgres refuse root).
as_pg() {
  if [[ $EUID -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

ready() {
  "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PORT" -U postgres -d postgres &&
    "$PG_BIN/psql" -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -XAtqc 'select 1' >/dev/null 2>&1
}

cmd_start() {
  local pid
  [[ -x $PG_BIN/initdb && -x $PG_BIN/pg_ctl ]] || rc_not_installed "PostgreSQL binaries not found in $PG_BIN"
  if rc_load_ports "$DIR" && rc_pid_of "$DIR/postgres.pid" "$(pattern)" >/dev/null; then
    echo "postgres already running on 127.0.0.1:$PORT"
    return 0
  fi
  PORT=${1:-15432}
  rc_require_free_port "$PORT"
  mkdir -p "$DIR/logs"
  rc_save_ports "$DIR" "PORT=$PORT"
  if [[ $EUID -eq 0 ]]; then
    chown -R postgres:postgres "$DIR"
    runuser -u postgres -- test -w "$DIR" ||
      rc_die "user postgres cannot write $DIR (every parent directory must be searchable by postgres)"
  fi
  if [[ ! -f $DIR/data/PG_VERSION ]]; then
    rm -rf "$DIR/data"
    as_pg "$PG_BIN/initdb" -D "$DIR/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 --no-sync --no-instructions \
      >"$DIR/logs/initdb.log" 2>&1 || { rc_log_tail "$DIR/logs/initdb.log"; rc_die "initdb failed"; }
  fi
  # No Unix socket (paths under target/ can exceed the 107-byte socket limit); clients use TCP.
  if ! as_pg "$PG_BIN/pg_ctl" -D "$DIR/data" -l "$DIR/logs/server.log" -w -t "$(rc_start_timeout)" -o \
    "-c listen_addresses=127.0.0.1 -p $PORT -c unix_socket_directories='' -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=100 -c shared_buffers=32MB" \
    start >"$DIR/logs/pg_ctl.log" 2>&1; then
    rc_log_tail "$DIR/logs/pg_ctl.log" "$DIR/logs/server.log"
    if [[ -f $DIR/data/postmaster.pid ]]; then
      head -n 1 "$DIR/data/postmaster.pid" >"$DIR/postgres.pid"
      cmd_stop >/dev/null 2>&1 || true
    fi
    rc_die "postgres failed to start"
  fi
  head -n 1 "$DIR/data/postmaster.pid" >"$DIR/postgres.pid"
  pid=$(cat "$DIR/postgres.pid")
  local deadline=$((SECONDS + $(rc_start_timeout)))
  until ready; do
    if ! rc_alive "$pid" "$(pattern)"; then
      rc_log_tail "$DIR/logs/server.log"
      rc_die "postgres died during start"
    fi
    if ((SECONDS > deadline)); then
      rc_log_tail "$DIR/logs/server.log"
      cmd_stop >/dev/null 2>&1 || true
      rc_die "postgres did not answer within $(rc_start_timeout)s"
    fi
    sleep 0.05
  done
  echo "postgres running on 127.0.0.1:$PORT (pid $pid)"
}

cmd_stop() {
  local pid children
  rc_load_ports "$DIR" || return 0
  pid=$(rc_pid_of "$DIR/postgres.pid" "$(pattern)") || { rm -f "$DIR/postgres.pid"; return 0; }
  children=$(pgrep -P "$pid" || true)
  # SIGINT is PostgreSQL's "fast" shutdown (SIGTERM would wait for every client to disconnect).
  rc_stop_pid "$DIR/postgres.pid" "$(pattern)" INT 30
  # Only after a SIGKILL escalation can backends outlive the postmaster: end exactly those.
  local c
  for c in $children; do
    if [[ -d /proc/$c ]] && grep -q '^PPid:[[:space:]]*1$' "/proc/$c/status" 2>/dev/null &&
      grep -qa '^postgres' "/proc/$c/cmdline" 2>/dev/null; then
      kill -KILL "$c" 2>/dev/null || true
    fi
  done
}

cmd_status() {
  rc_load_ports "$DIR" || { rc_status_line stopped -; return; }
  rc_server_status "$DIR/postgres.pid" "$(pattern)" "127.0.0.1:$PORT" ready
}

[[ $# -ge 2 ]] || rc_usage_server
CMD=$1
DIR=$(rc_abs_dir "$2")
shift 2
case $CMD in
  start) cmd_start "$@" ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  *) rc_usage_server ;;
esac
