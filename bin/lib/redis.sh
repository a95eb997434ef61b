#!/usr/bin/env bash
# Redis (Debian redis-server) in DIR on 127.0.0.1, no persistence.
# Usage: redis.sh start DIR [PORT=16379] | stop DIR | status DIR
set -euo pipefail
# shellcheck source=bin/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

REDIS_SERVER=${REDIS_SERVER:-/usr/bin/redis-server}
REDIS_CLI=${REDIS_CLI:-/usr/bin/redis-cli}

pattern() { echo "redis-server 127.0.0.1:$PORT"; }

ping() { [[ $("$REDIS_CLI" -h 127.0.0.1 -p "$PORT" ping 2>/dev/null) == PONG ]]; }

cmd_start() {
  PORT=${1:-16379}
  [[ -x $REDIS_SERVER && -x $REDIS_CLI ]] || rc_not_installed "redis-server not found at $REDIS_SERVER"
  if rc_load_ports "$DIR" && rc_pid_of "$DIR/redis.pid" "$(pattern)" >/dev/null; then
    echo "redis already running on 127.0.0.1:$PORT"
    return 0
  fi
  PORT=${1:-16379}
  rc_require_free_port "$PORT"
  rc_save_ports "$DIR" "PORT=$PORT"
  rm -f "$DIR/redis.pid" "$DIR/redis.log"
  "$REDIS_SERVER" --port "$PORT" --bind 127.0.0.1 --save '' --appendonly no \
    --daemonize yes --pidfile "$DIR/redis.pid" --logfile "$DIR/redis.log" --dir "$DIR" \
    >"$DIR/start.out" 2>&1 || { rc_log_tail "$DIR/start.out" "$DIR/redis.log"; rc_die "redis-server failed to start"; }
  local deadline=$((SECONDS + $(rc_start_timeout)))
  until ping; do
    if ((SECONDS > deadline)); then
      rc_log_tail "$DIR/redis.log"
      cmd_stop >/dev/null 2>&1 || true
      rc_die "redis did not answer PING within $(rc_start_timeout)s"
    fi
    if [[ -f $DIR/redis.pid ]] && ! rc_pid_of "$DIR/redis.pid" "$(pattern)" >/dev/null; then
      rc_log_tail "$DIR/redis.log"
      rc_die "redis-server died during start"
    fi
    sleep 0.02
  done
  echo "redis running on 127.0.0.1:$PORT (pid $(cat "$DIR/redis.pid"))"
}

cmd_stop() {
  rc_load_ports "$DIR" || return 0
  rc_stop_pid "$DIR/redis.pid" "$(pattern)" TERM 30
}

cmd_status() {
  rc_load_ports "$DIR" || { rc_status_line stopped -; return; }
  rc_server_status "$DIR/redis.pid" "$(pattern)" "127.0.0.1:$PORT" ping
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
