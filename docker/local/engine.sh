#!/usr/bin/env bash
# A private Docker engine for the project's container tests (CI and developers): Debian's dockerd with
# its own data root, socket and pid file under $ROLLCAST_DOCKER_DIR, never the machine's default engine.
# The data root is kept between runs, so base images built once stay cached (docker/local/base.sh).
# Usage: engine.sh up      start dockerd unless it answers already; prints DOCKER_HOST=...
#        engine.sh down    stop the dockerd that `up` started (by its pid file); images stay cached
#        engine.sh env     print DOCKER_HOST=... (for eval / export)
#        engine.sh status  exit 0 when the engine answers
# Env: ROLLCAST_DOCKER_DIR (default /var/tmp/rollcast-docker), ROLLCAST_DOCKER_TIMEOUT (60 s).
set -euo pipefail
DIR=${ROLLCAST_DOCKER_DIR:-/var/tmp/rollcast-docker}
SOCK=$DIR/docker.sock
PIDFILE=$DIR/docker.pid
export DOCKER_HOST=unix://$SOCK

# The Debian client (20.10) matches the Debian engine; a newer client elsewhere on the PATH also works.
docker_cli() {
  if [[ -x /usr/bin/docker ]]; then /usr/bin/docker "$@"; else docker "$@"; fi
}

answers() {
  [[ -S $SOCK ]] && docker_cli version --format '{{.Server.Version}}' >/dev/null 2>&1
}

as_root() {
  if [[ $EUID -eq 0 ]]; then "$@"; else sudo "$@"; fi
}

up() {
  if answers; then
    echo "DOCKER_HOST=$DOCKER_HOST"
    return
  fi
  command -v dockerd >/dev/null || { echo "engine.sh: dockerd missing: run bin/stack install (Debian docker.io)" >&2; exit 1; }
  as_root mkdir -p "$DIR/data" "$DIR/exec"
  # a stale pid file of a dockerd that is gone would stop the new one from starting
  if [[ -f $PIDFILE ]] && ! kill -0 "$(cat "$PIDFILE")" 2>/dev/null; then as_root rm -f "$PIDFILE"; fi
  # --iptables=false: this machine kind allows no NAT rules; containers talk to each other on the
  # compose network and to the host through published loopback ports (docker-proxy).
  as_root setsid dockerd --host "unix://$SOCK" --data-root "$DIR/data" --exec-root "$DIR/exec" \
    --pidfile "$PIDFILE" --iptables=false --ip-forward=false --ip-masq=false \
    --storage-driver overlay2 </dev/null >>"$DIR/dockerd.log" 2>&1 &
  local deadline=$((SECONDS + ${ROLLCAST_DOCKER_TIMEOUT:-60}))
  until answers; do
    if ((SECONDS > deadline)); then
      tail -n 30 "$DIR/dockerd.log" >&2
      echo "engine.sh: dockerd did not answer on $SOCK" >&2
      exit 1
    fi
    sleep 0.5
  done
  echo "DOCKER_HOST=$DOCKER_HOST"
}

down() {
  [[ -f $PIDFILE ]] || { echo "engine: not running"; return; }
  local pid
  pid=$(cat "$PIDFILE")
  as_root kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 60); do
    kill -0 "$pid" 2>/dev/null || { echo "engine: stopped"; return; }
    sleep 0.5
  done
  echo "engine.sh: dockerd $pid did not stop in 30 s" >&2
  exit 1
}

case ${1:-} in
  up) up ;;
  down) down ;;
  env) echo "DOCKER_HOST=$DOCKER_HOST" ;;
  status) answers ;;
  *) sed -n '2,9p' "$0" >&2; exit 2 ;;
esac
